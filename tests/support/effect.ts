/**
 * Runs test effects: `run` in a scope, `runTest` in a scope under TestContext (TestClock, for time-based tests).
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as TestContext from "effect/TestContext"
export const run = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>): Promise<A> =>
  Effect.runPromise(Effect.scoped(effect))

export const runTest = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>): Promise<A> =>
  Effect.runPromise(Effect.scoped(effect).pipe(Effect.provide(TestContext.TestContext)))
