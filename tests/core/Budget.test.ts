import { describe, expect, it } from "bun:test"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import { Budget, BudgetExceeded, type BudgetLimits, type BudgetOptions } from "../../core/Budget.ts"
import { run, runTest } from "../support/effect.ts"

const MiB = 1_048_576

/** mulberry32: a small seeded PRNG, so "random" sizes are the same on every run. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const sizes = (count: number, max: number, seed: number) => {
  const next = seeded(seed)
  return Array.from({ length: count }, () => 1 + Math.floor(next() * max))
}

const withBudget = <A, E>(effect: Effect.Effect<A, E, Budget>, limits: BudgetLimits, options?: BudgetOptions) =>
  Effect.provide(effect, Budget.layer(limits, options))

/** Runs every acquisition at once and reports what succeeded, what failed and the final usage. */
const acquireConcurrently = (name: "http_requests" | "http_bytes", amounts: ReadonlyArray<number>, limit: number) =>
  withBudget(
    Effect.gen(function* () {
      const budget = yield* Budget
      const outcomes = yield* Effect.forEach(
        amounts,
        (amount) => Effect.either(Effect.zipRight(Effect.yieldNow(), budget.acquire(name, amount))),
        { concurrency: "unbounded" }
      )
      const granted = amounts.filter((_, index) => Either.isRight(outcomes[index]!))
      const refused = outcomes.filter(Either.isLeft).map((outcome) => outcome.left)
      return { granted, refused, usage: yield* budget.usage }
    }),
    name === "http_requests" ? { max_http_requests: limit } : { max_http_bytes: limit }
  )

const sum = (values: ReadonlyArray<number>) => values.reduce((total, value) => total + value, 0)

/** Lets forked fibers act on what the clock just did. */
const settle = Effect.repeatN(Effect.yieldNow(), 20)

describe("Budget", () => {
  for (const name of ["http_requests", "http_bytes"] as const) {
    describe(name, () => {
      it("grants exactly the limit to 1000 concurrent acquisitions of 1", async () => {
        const { granted, refused, usage } = await run(
          acquireConcurrently(
            name,
            Array.from({ length: 1000 }, () => 1),
            100
          )
        )
        expect(granted.length).toBe(100)
        expect(refused.length).toBe(900)
        for (const error of refused) {
          expect(error).toBeInstanceOf(BudgetExceeded)
          expect(error).toMatchObject({ budget: name, limit: 100, used: 100, requested: 1 })
        }
        expect(usage[name]).toEqual({ used: 100, limit: 100, exceeded: true })
      })

      it("never passes the limit under 1000 concurrent acquisitions of random sizes", async () => {
        const amounts = sizes(1000, 7, name === "http_requests" ? 42 : 7)
        expect(sum(amounts)).toBeGreaterThan(1000)
        const { granted, refused, usage } = await run(acquireConcurrently(name, amounts, 100))
        const used = sum(granted)
        expect(used).toBeLessThanOrEqual(100)
        // A refused acquisition takes nothing: the usage is exactly what was granted.
        expect(usage[name]).toEqual({ used, limit: 100, exceeded: true })
        expect(granted.length + refused.length).toBe(1000)
        for (const error of refused) {
          expect(error.budget).toBe(name)
          expect(error.used).toBeLessThanOrEqual(100)
          expect(error.used + error.requested!).toBeGreaterThan(100)
          // Usage only grows, so whatever was refused still does not fit at the end.
          expect(used + error.requested!).toBeGreaterThan(100)
        }
        // With 1000 requests of 1..7, some of size 1 come after the budget is nearly full.
        expect(used).toBe(100)
      })

      it("takes nothing on a refused acquisition, so a later smaller one still fits", async () => {
        const outcome = await run(
          withBudget(
            Effect.gen(function* () {
              const budget = yield* Budget
              yield* budget.acquire(name, 8)
              const refused = yield* Effect.flip(budget.acquire(name, 5))
              const afterRefusal = (yield* budget.usage)[name]
              yield* budget.acquire(name, 2)
              const last = yield* Effect.flip(budget.acquire(name, 1))
              return { refused, afterRefusal, last, usage: (yield* budget.usage)[name] }
            }),
            name === "http_requests" ? { max_http_requests: 10 } : { max_http_bytes: 10 }
          )
        )
        expect(outcome.refused).toMatchObject({
          _tag: "BudgetExceeded",
          budget: name,
          limit: 10,
          used: 8,
          requested: 5
        })
        expect(outcome.afterRefusal).toEqual({ used: 8, limit: 10, exceeded: true })
        expect(outcome.last).toMatchObject({ budget: name, used: 10, requested: 1 })
        expect(outcome.usage).toEqual({ used: 10, limit: 10, exceeded: true })
      })
    })
  }

  it("tryAcquire (a body counted chunk by chunk) shares the counters with acquire and takes nothing when refused", async () => {
    const outcome = await run(
      withBudget(
        Effect.gen(function* () {
          const budget = yield* Budget
          yield* budget.acquire("http_bytes", 600)
          const chunks = [100, 200, 150, 50].map((bytes) => budget.tryAcquire("http_bytes", bytes))
          const refusedEffect = yield* Effect.flip(budget.acquire("http_bytes", 51))
          return { chunks, refusedEffect, usage: (yield* budget.usage).http_bytes }
        }),
        { max_http_bytes: 1000 }
      )
    )
    // 600 + 100 + 200 fit; 150 would pass 1000 and is refused without being taken; 50 still fits.
    expect(outcome.chunks[0]).toBeUndefined()
    expect(outcome.chunks[1]).toBeUndefined()
    expect(outcome.chunks[2]).toMatchObject({ _tag: "BudgetExceeded", budget: "http_bytes", used: 900, requested: 150 })
    expect(outcome.chunks[3]).toBeUndefined()
    expect(outcome.refusedEffect).toMatchObject({ budget: "http_bytes", used: 950, requested: 51 })
    expect(outcome.usage).toEqual({ used: 950, limit: 1000, exceeded: true })
  })

  it("counts requests and bytes separately", async () => {
    const usage = await run(
      withBudget(
        Effect.gen(function* () {
          const budget = yield* Budget
          yield* budget.acquire("http_requests", 3)
          yield* budget.acquire("http_bytes", 500)
          const refused = yield* Effect.flip(budget.acquire("http_bytes", 501))
          expect(refused.budget).toBe("http_bytes")
          return yield* budget.usage
        }),
        { max_http_requests: 5, max_http_bytes: 1000 }
      )
    )
    expect(usage.http_requests).toEqual({ used: 3, limit: 5, exceeded: false })
    expect(usage.http_bytes).toEqual({ used: 500, limit: 1000, exceeded: true })
    expect(usage.wall_time.limit).toBeNull()
    expect(usage.ram.limit).toBeNull()
  })

  it("grants an acquisition that reaches the limit exactly", async () => {
    const usage = await run(
      withBudget(
        Effect.gen(function* () {
          const budget = yield* Budget
          yield* budget.acquire("http_requests", 10)
          return yield* budget.usage
        }),
        { max_http_requests: 10 }
      )
    )
    expect(usage.http_requests).toEqual({ used: 10, limit: 10, exceeded: false })
  })

  it("explains a refusal in its message", () => {
    const error = new BudgetExceeded({ budget: "http_requests", limit: 100, used: 99, requested: 2 })
    expect(error.message).toBe("budget http_requests exceeded: limit 100 requests, used 99 requests (2 more asked)")
  })

  describe("wall time", () => {
    it("has not fired at 59s and fires within one sampling interval after the limit", async () => {
      const outcome = await runTest(
        withBudget(
          Effect.gen(function* () {
            const budget = yield* Budget
            const watchdog = yield* Effect.fork(budget.exceeded)
            yield* TestClock.adjust("59 seconds")
            yield* settle
            const at59 = yield* Fiber.poll(watchdog)
            yield* TestClock.adjust("2 seconds")
            yield* settle
            const at61 = yield* Fiber.poll(watchdog)
            return { at59, at61, usage: yield* budget.usage }
          }),
          { max_wall_time_min: 1 },
          { sampleEvery: "1 second" }
        )
      )
      expect(Option.isNone(outcome.at59)).toBe(true)
      expect(Option.isSome(outcome.at61)).toBe(true)
      const exit = Option.getOrThrow(outcome.at61)
      expect(Exit.isFailure(exit)).toBe(true)
      const error = await run(Effect.flip(exit))
      expect(error).toBeInstanceOf(BudgetExceeded)
      expect(error.budget).toBe("wall_time")
      expect(error.limit).toBe(1)
      expect(error.used).toBeGreaterThan(1)
      expect(error.used).toBeLessThanOrEqual(61 / 60)
      expect(outcome.usage.wall_time).toEqual({ used: 1.02, limit: 1, exceeded: true })
    })

    it("fires no later than one (long) sampling interval after the limit", async () => {
      const outcome = await runTest(
        withBudget(
          Effect.gen(function* () {
            const budget = yield* Budget
            const watchdog = yield* Effect.fork(Effect.flip(budget.exceeded))
            yield* TestClock.adjust("70 seconds")
            yield* settle
            return yield* Fiber.poll(watchdog)
          }),
          { max_wall_time_min: 1 },
          { sampleEvery: "10 seconds" }
        )
      )
      expect(Option.isSome(outcome)).toBe(true)
      const done = Option.getOrThrow(outcome)
      expect(Exit.isSuccess(done) && done.value.budget).toBe("wall_time")
    })
  })

  describe("RAM", () => {
    it("fires one sampling interval after resident memory passes max_ram_mb", async () => {
      let rss = 100 * MiB
      const outcome = await runTest(
        withBudget(
          Effect.gen(function* () {
            const budget = yield* Budget
            const watchdog = yield* Effect.fork(budget.exceeded)
            yield* TestClock.adjust("5 seconds")
            yield* settle
            const below = yield* Fiber.poll(watchdog)
            rss = 300 * MiB
            yield* TestClock.adjust("999 millis")
            yield* settle
            const beforeSample = yield* Fiber.poll(watchdog)
            yield* TestClock.adjust("1 millis")
            yield* settle
            const afterSample = yield* Fiber.poll(watchdog)
            rss = 50 * MiB
            yield* TestClock.adjust("3 seconds")
            return { below, beforeSample, afterSample, usage: yield* budget.usage }
          }),
          { max_ram_mb: 200 },
          { sampleEvery: "1 second", readRss: () => rss }
        )
      )
      expect(Option.isNone(outcome.below)).toBe(true)
      expect(Option.isNone(outcome.beforeSample)).toBe(true)
      const exit = Option.getOrThrow(outcome.afterSample)
      const error = await run(Effect.flip(exit))
      expect(error).toMatchObject({ _tag: "BudgetExceeded", budget: "ram", limit: 200, used: 300 })
      // The usage keeps the peak, not the last sample.
      expect(outcome.usage.ram).toEqual({ used: 300, limit: 200, exceeded: true })
      expect(outcome.usage.wall_time).toEqual({ used: 0.15, limit: null, exceeded: false })
    })

    it("does not fire while resident memory stays at the limit", async () => {
      const outcome = await runTest(
        withBudget(
          Effect.gen(function* () {
            const budget = yield* Budget
            const watchdog = yield* Effect.fork(budget.exceeded)
            yield* TestClock.adjust("1 minute")
            yield* settle
            return { poll: yield* Fiber.poll(watchdog), usage: yield* budget.usage }
          }),
          { max_ram_mb: 200 },
          { sampleEvery: "1 second", readRss: () => 200 * MiB }
        )
      )
      expect(Option.isNone(outcome.poll)).toBe(true)
      expect(outcome.usage.ram).toEqual({ used: 200, limit: 200, exceeded: false })
    })
  })

  describe("without limits", () => {
    it("grants every acquisition and never fires", async () => {
      const outcome = await runTest(
        withBudget(
          Effect.gen(function* () {
            const budget = yield* Budget
            const watchdog = yield* Effect.fork(budget.exceeded)
            yield* Effect.forEach(sizes(1000, 7, 1), (amount) => budget.acquire("http_requests", amount), {
              concurrency: "unbounded",
              discard: true
            })
            yield* budget.acquire("http_bytes", 10 ** 12)
            yield* TestClock.adjust("1 day")
            yield* settle
            return { poll: yield* Fiber.poll(watchdog), usage: yield* budget.usage }
          }),
          {},
          { sampleEvery: "1 second", readRss: () => 100_000 * MiB }
        )
      )
      expect(Option.isNone(outcome.poll)).toBe(true)
      expect(outcome.usage.http_requests).toEqual({ used: sum(sizes(1000, 7, 1)), limit: null, exceeded: false })
      expect(outcome.usage.http_bytes).toEqual({ used: 10 ** 12, limit: null, exceeded: false })
      expect(outcome.usage.wall_time).toEqual({ used: 1440, limit: null, exceeded: false })
      expect(outcome.usage.ram.exceeded).toBe(false)
    })

    it("Budget.unlimited grants large acquisitions", async () => {
      const usage = await run(
        Effect.provide(
          Effect.gen(function* () {
            const budget = yield* Budget
            yield* budget.acquire("http_requests", 1_000_000)
            return yield* budget.usage
          }),
          Budget.unlimited
        )
      )
      expect(usage.http_requests).toEqual({ used: 1_000_000, limit: null, exceeded: false })
    })
  })
})

describe("Budget misuse", () => {
  it("treats a negative amount as a bug instead of giving units back", async () => {
    const exit = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const budget = yield* Budget
          return yield* Effect.exit(budget.acquire("http_requests", -5))
        }).pipe(Effect.provide(Budget.layer({ max_http_requests: 10 })))
      )
    )
    expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
  })
})
