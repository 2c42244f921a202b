/**
 * Runs test effects: `run` in a scope, `runTest` in a scope under TestContext (TestClock, for time-based tests).
 */
import { Effect, type Scope, TestContext } from "effect"

export const run = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>): Promise<A> =>
  Effect.runPromise(Effect.scoped(effect))

export const runTest = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>): Promise<A> =>
  Effect.runPromise(Effect.scoped(effect).pipe(Effect.provide(TestContext.TestContext)))
