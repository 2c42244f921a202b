import { describe, expect, it } from "bun:test"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as TestClock from "effect/TestClock"
import * as Retry from "../../core/Retry.ts"
import { runTest } from "../support/effect.ts"

class Transient extends Data.TaggedError("Transient")<{
  readonly attempt: number
  readonly retryable: true
  readonly retryAfterMs?: number
}> {}

class NotFound extends Data.TaggedError("NotFound")<{ readonly attempt: number }> {}

/** An effect that records the TestClock time of each attempt and fails (or succeeds) as `outcome` decides. */
const attempts = <E>(outcome: (attempt: number) => E | "ok") => {
  const times: number[] = []
  const effect = Effect.flatMap(Clock.currentTimeMillis, (now) => {
    times.push(now)
    const result = outcome(times.length)
    return result === "ok" ? Effect.succeed(`done after ${times.length}`) : Effect.fail(result)
  })
  return { times, effect }
}

const transient = (attempt: number, retryAfterMs?: number) =>
  new Transient({ attempt, retryable: true, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) })

/** Lets the retrying fiber act on what the clock just did. */
const settle = Effect.repeatN(Effect.yieldNow(), 20)

/** Jitter factor 1: `jittered` scales a delay by 0.8 * (1 - r) + 1.2 * r, so r = 0.5 keeps it exact. */
const noJitter = Effect.withRandom(Random.fixed([0.5]))

/** Runs `effect` under `policy` on a forked fiber, moves the TestClock a minute on, and returns its failure. */
const failureAfterAMinute = <A, E>(policy: Retry.RetryPolicy, effect: Effect.Effect<A, E>) =>
  runTest(
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(Retry.retrying(policy)(effect))
      yield* TestClock.adjust("1 minute")
      return yield* Effect.flip(Fiber.join(fiber))
    })
  )

describe("Retry.retrying", () => {
  it("retries a retryable error `times` times, then fails with the last error", async () => {
    const { times, effect } = attempts((attempt) => transient(attempt))
    const error = await failureAfterAMinute({ base: "10 millis", cap: "100 millis", times: 3 }, effect)
    expect(times.length).toBe(4)
    expect(error).toBeInstanceOf(Transient)
    expect(error.attempt).toBe(4)
  })

  it("succeeds as soon as an attempt succeeds", async () => {
    const { times, effect } = attempts((attempt) => (attempt < 3 ? transient(attempt) : "ok"))
    const value = await runTest(
      Effect.gen(function* () {
        const fiber = yield* Effect.fork(Retry.retrying({ base: "10 millis", times: 5 })(effect))
        yield* TestClock.adjust("1 minute")
        return yield* Fiber.join(fiber)
      })
    )
    expect(value).toBe("done after 3")
    expect(times.length).toBe(3)
  })

  it("a retrying effect run again starts over: each run makes its own first attempt and retries", async () => {
    const { times, effect } = attempts((attempt) => transient(attempt))
    const retried = Retry.retrying({ base: "10 millis", times: 1 })(effect)
    const errors = await runTest(
      Effect.gen(function* () {
        const first = yield* Effect.fork(noJitter(Effect.flip(retried)))
        yield* TestClock.adjust("1 minute")
        const a = yield* Fiber.join(first)
        const second = yield* Effect.fork(noJitter(Effect.flip(retried)))
        yield* TestClock.adjust("1 minute")
        return [a, yield* Fiber.join(second)]
      })
    )
    // Two attempts a run (one retry), the retry 10 ms after its failure, in both runs.
    expect(times.length).toBe(4)
    expect(times[1]! - times[0]!).toBe(10)
    expect(times[3]! - times[2]!).toBe(10)
    expect(errors.map((error) => error.attempt)).toEqual([2, 4])
  })

  it("does not retry an error that is not retryable", async () => {
    const { times, effect } = attempts((attempt) => new NotFound({ attempt }))
    const error = await failureAfterAMinute({ base: "10 millis", times: 5 }, effect)
    expect(error).toBeInstanceOf(NotFound)
    expect(times).toEqual([0])
  })

  it("does not retry an error whose retryable flag is false", async () => {
    const { times, effect } = attempts(() => ({ retryable: false }))
    expect(await failureAfterAMinute({ base: "10 millis", times: 5 }, effect)).toEqual({ retryable: false })
    expect(times.length).toBe(1)
  })

  it("stops at the first error that is not retryable", async () => {
    const { times, effect } = attempts((attempt) => (attempt === 1 ? transient(attempt) : new NotFound({ attempt })))
    const error = await failureAfterAMinute({ base: "10 millis", times: 5 }, effect)
    expect(error).toEqual(new NotFound({ attempt: 2 }))
    expect(times.length).toBe(2)
  })

  it("waits at least the error's retryAfterMs before trying again", async () => {
    const { times, effect } = attempts((attempt) => (attempt === 1 ? transient(attempt, 5000) : "ok"))
    const outcome = await runTest(
      Effect.gen(function* () {
        const fiber = yield* Effect.fork(Retry.retrying({ base: "100 millis", times: 3 })(effect))
        yield* settle
        const first = times.length
        yield* TestClock.adjust("4999 millis")
        yield* settle
        const before = times.length
        const pending = yield* Fiber.poll(fiber)
        yield* TestClock.adjust("1 millis")
        yield* settle
        return { first, before, pending, after: times.length, value: yield* Fiber.join(fiber) }
      })
    )
    expect(outcome.first).toBe(1)
    expect(outcome.before).toBe(1)
    expect(Option.isNone(outcome.pending)).toBe(true)
    expect(outcome.after).toBe(2)
    expect(times).toEqual([0, 5000])
    expect(outcome.value).toBe("done after 2")
  })

  it("keeps its own delay when retryAfterMs is shorter", async () => {
    const { times, effect } = attempts((attempt) => (attempt === 1 ? transient(attempt, 10) : "ok"))
    await runTest(
      Effect.gen(function* () {
        const fiber = yield* Effect.fork(Retry.retrying({ base: "1 second", times: 3 })(effect).pipe(noJitter))
        yield* TestClock.adjust("1 minute")
        return yield* Fiber.join(fiber)
      })
    )
    expect(times).toEqual([0, 1000])
  })

  it("doubles the delay from `base` and never waits longer than `cap`", async () => {
    const { times, effect } = attempts((attempt) => transient(attempt))
    // Delays 100, 200, 400, 800, then 1600 and more capped at 1000: attempts at these clock times.
    const expectedTimes = [0, 100, 300, 700, 1500, 2500, 3500, 4500]
    const counts = await runTest(
      Effect.gen(function* () {
        const fiber = yield* Effect.fork(
          Retry.retrying({ base: "100 millis", cap: "1 second", times: 7 })(effect).pipe(noJitter)
        )
        yield* settle
        const seen: Array<readonly [number, number]> = []
        for (let now = 0; now < 5000; now += 50) {
          yield* TestClock.adjust("50 millis")
          yield* settle
          seen.push([now + 50, times.length])
        }
        const exit = yield* Fiber.await(fiber)
        expect(Exit.isFailure(exit)).toBe(true)
        return seen
      })
    )
    expect(times).toEqual(expectedTimes)
    for (const [now, count] of counts) {
      expect(count).toBe(expectedTimes.filter((time) => time <= now).length)
    }
  })

  it("keeps jittered delays within 80-120% of the exponential delay, and within the cap", async () => {
    const { times, effect } = attempts((attempt) => transient(attempt))
    await runTest(
      Effect.gen(function* () {
        const fiber = yield* Effect.fork(Retry.retrying({ base: "100 millis", cap: "1 second", times: 8 })(effect))
        for (let step = 0; step < 200; step++) yield* TestClock.adjust("50 millis")
        return yield* Effect.exit(Fiber.join(fiber))
      })
    )
    expect(times.length).toBe(9)
    const gaps = times.slice(1).map((time, index) => time - times[index]!)
    gaps.forEach((gap, index) => {
      const nominal = 100 * 2 ** index
      expect(gap).toBeGreaterThanOrEqual(Math.min(Math.floor(0.8 * nominal), 1000))
      expect(gap).toBeLessThanOrEqual(Math.min(Math.ceil(1.2 * nominal), 1000))
    })
    expect(gaps.slice(4)).toEqual([1000, 1000, 1000, 1000])
  })

  it("defaults to 4 retries from 200ms", async () => {
    const { times, effect } = attempts((attempt) => transient(attempt))
    await runTest(
      Effect.gen(function* () {
        const fiber = yield* Effect.fork(Retry.retrying()(effect).pipe(noJitter))
        yield* TestClock.adjust("1 minute")
        return yield* Effect.exit(Fiber.join(fiber))
      })
    )
    expect(times).toEqual([0, 200, 600, 1400, 3000])
  })
})

describe("Retry.isRetryable", () => {
  it("accepts only errors that say retryable: true", () => {
    expect(Retry.isRetryable({ retryable: true })).toBe(true)
    expect(Retry.isRetryable({ retryable: true, retryAfterMs: 100 })).toBe(true)
    expect(Retry.isRetryable(transient(1))).toBe(true)
    expect(Retry.isRetryable({ retryable: false })).toBe(false)
    expect(Retry.isRetryable({ retryable: "true" })).toBe(false)
    expect(Retry.isRetryable({ retryable: 1 })).toBe(false)
    expect(Retry.isRetryable(new NotFound({ attempt: 1 }))).toBe(false)
    expect(Retry.isRetryable(new Error("timeout"))).toBe(false)
    expect(Retry.isRetryable(null)).toBe(false)
    expect(Retry.isRetryable(undefined)).toBe(false)
    expect(Retry.isRetryable("retryable")).toBe(false)
  })
})
