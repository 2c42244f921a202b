import { describe, expect, test } from "bun:test"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { bulkGuard, CeilingGuard, HeapGrowthGuard, memoryRelief } from "../../core/MemoryRelief.ts"
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

/**
 * A heap guard over simulated memory (ceiling 150, headroom 20): a collection leaves 30 of heap alive
 * and gives `freedRss` back.
 */
const simulatedHeapGuard = (memory: { heap: number; rss: number }, freedRss = 0) => {
  let collections = 0
  const guard = new HeapGrowthGuard(
    150,
    20,
    () => memory.heap,
    () => memory.rss,
    () => {
      collections++
      memory.heap = 30
      memory.rss -= freedRss
    }
  )
  return { guard, collections: () => collections }
}

describe("HeapGrowthGuard (bulk loops without a RAM budget)", () => {
  test("collects once the heap grew by the headroom since the last collection, only above the RSS ceiling", () => {
    const memory = { heap: 10, rss: 100 }
    const { guard, collections } = simulatedHeapGuard(memory)
    memory.heap = 40
    // Below the RSS ceiling: a small run never pays for a collection.
    expect(guard.check()).toBe(false)
    memory.rss = 300
    expect(guard.check()).toBe(true)
    // RSS stays high (another thread's memory, allocator pages): no collection until the heap grows again.
    expect(guard.check()).toBe(false)
    memory.heap = 49
    memory.rss = 301
    expect(guard.check()).toBe(false)
    memory.heap = 50
    expect(guard.check()).toBe(true)
    expect(collections()).toBe(2)
  })

  test("does not collect below the highest RSS it has seen: that would not lower the run's peak", () => {
    const memory = { heap: 10, rss: 200 }
    const { guard, collections } = simulatedHeapGuard(memory, 40)
    memory.heap = 40
    expect(guard.check()).toBe(true)
    // RSS 160, the heap grew by the headroom again: garbage, but the run has already been at 200.
    memory.heap = 50
    expect(guard.check()).toBe(false)
    memory.heap = 80
    memory.rss = 200
    expect(guard.check()).toBe(false)
    expect(collections()).toBe(1)
    // A new high: now a collection keeps the peak down.
    memory.rss = 201
    expect(guard.check()).toBe(true)
    expect(collections()).toBe(2)
    // Below the mark again, no collection; above it, one.
    memory.heap = 120
    memory.rss = 190
    expect(guard.check()).toBe(false)
    memory.rss = 202
    expect(guard.check()).toBe(true)
  })

  test("a RAM budget gives the ceiling rule at 70% of it, no budget the heap rule", () => {
    expect(bulkGuard(400)).toBeInstanceOf(CeilingGuard)
    expect(bulkGuard(undefined)).toBeInstanceOf(HeapGrowthGuard)
  })
})
