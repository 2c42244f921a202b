import { describe, expect, test } from "bun:test"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { bulkCeiling, bulkGuard, bulkHeadroom, CeilingGuard, memoryRelief } from "../../core/MemoryRelief.ts"
import { prioritized } from "../../core/Prioritized.ts"

const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.runPromise(Stream.runCollect(stream)).then((c) => [...c])

describe("prioritized", () => {
  test("every item once; urgent items start in their own lane, ahead of ordinary ones waiting", async () => {
    let ordinaryAtOnce = 0
    let most = 0
    const out = await collect(
      prioritized(Stream.range(1, 400), {
        slots: 8,
        urgentSlots: 100,
        lookahead: 1000,
        prepareConcurrency: 50,
        prepare: (n) => Effect.succeed(n % 20 === 0),
        work: (n) =>
          n % 20 === 0
            ? Effect.sleep(200).pipe(Effect.as(n))
            : Effect.gen(function* () {
                ordinaryAtOnce++
                most = Math.max(most, ordinaryAtOnce)
                yield* Effect.sleep(5)
                ordinaryAtOnce--
                return n
              })
      })
    )
    expect(out.toSorted((a, b) => a - b)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1))
    expect(most).toBe(8)
    // The 20 slow urgent items all ran alongside: the run takes about one of them, not 20 in a row.
    const started = performance.now()
    await collect(
      prioritized(Stream.range(1, 100), {
        slots: 4,
        urgentSlots: 20,
        lookahead: 200,
        prepareConcurrency: 20,
        prepare: (n) => Effect.succeed(n % 5 === 0),
        work: (n) => Effect.sleep(n % 5 === 0 ? 300 : 1)
      })
    )
    expect(performance.now() - started).toBeLessThan(900)
  })

  test("a failing item fails the stream; an empty input ends", async () => {
    const failed = await Effect.runPromise(
      Effect.either(
        Stream.runCollect(
          prioritized(Stream.range(1, 50), {
            slots: 4,
            lookahead: 10,
            prepareConcurrency: 2,
            prepare: (n) => Effect.succeed(n % 2 === 0),
            work: (n) => (n === 33 ? Effect.fail("boom" as const) : Effect.succeed(n))
          })
        )
      )
    )
    expect(failed).toMatchObject({ _tag: "Left", left: "boom" })
    expect(
      await collect(
        prioritized(Stream.empty, {
          slots: 2,
          lookahead: 4,
          prepareConcurrency: 1,
          prepare: () => Effect.succeed(true),
          work: (n: never) => Effect.succeed(n)
        })
      )
    ).toEqual([])
  })
})

describe("memoryRelief", () => {
  test("collects above the ceiling, at most once per gap, and not again until memory grew past what it left", async () => {
    let rss = 100
    let collections = 0
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          yield* memoryRelief({
            ceilingBytes: 150,
            sampleEveryMs: 5,
            minGapMs: 50,
            headroomBytes: 30,
            readRss: () => rss,
            collect: () => {
              collections++
            }
          })
          yield* Effect.sleep(60)
          expect(collections).toBe(0)
          rss = 200
          yield* Effect.sleep(180)
          // Nothing freed: stuck at 200, so one collection only until memory grows by the headroom.
          expect(collections).toBe(1)
          rss = 240
          yield* Effect.sleep(80)
          expect(collections).toBe(2)
        })
      )
    )
  })
})

describe("CeilingGuard (bulk loops)", () => {
  test("collects above the ceiling once memory grew past what the last collection left", () => {
    let rss = 100
    let collections = 0
    const guard = new CeilingGuard(
      150,
      20,
      () => rss,
      () => collections++
    )
    expect(guard.check()).toBe(false)
    rss = 180
    expect(guard.check()).toBe(true)
    // Nothing was freed: no collection again until memory grows by the headroom.
    expect(guard.check()).toBe(false)
    rss = 201
    expect(guard.check()).toBe(true)
    expect(collections).toBe(2)
  })
})

describe("bulkGuard (the rule of the bulk loops)", () => {
  test("a RAM budget gives the ceiling rule at 70% of it, no budget the same rule at 168 MiB", () => {
    expect(bulkGuard(400)).toBeInstanceOf(CeilingGuard)
    expect(bulkCeiling(400)).toBe(280 * 1048576)
    expect(bulkHeadroom(400)).toBe(16 * 1048576)
    expect(bulkGuard(undefined)).toBeInstanceOf(CeilingGuard)
    expect(bulkCeiling(undefined)).toBe(168 * 1048576)
    expect(bulkHeadroom(undefined)).toBe(24 * 1048576)
  })
})
