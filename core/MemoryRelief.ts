/**
 * Memory-pressure relief for allocation-heavy steps (a crawl decodes and parses thousands of pages):
 * JavaScriptCore collects lazily, so resident memory can reach several times the live heap. While
 * the scope is open, a fiber samples RSS and runs a full collection when it is above `ceilingBytes`
 * and has grown by `headroomBytes` since the last collection (at most once per `minGapMs`), which
 * keeps a long crawl's memory flat at a small CPU cost.
 */
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
export interface MemoryReliefOptions {
  readonly ceilingBytes: number
  /** @default 100 */
  readonly sampleEveryMs?: number
  /** Shortest time between two collections. @default 300 */
  readonly minGapMs?: number
  /** Growth over what the last collection left that triggers the next one. @default 8 MiB */
  readonly headroomBytes?: number
  readonly readRss?: () => number
  readonly collect?: () => void
}

/** Default ceiling: 70% of the RAM budget when there is one, else 144 MiB. */
export const reliefCeiling = (maxRamMb: number | undefined): number =>
  maxRamMb !== undefined ? maxRamMb * 0.7 * 1048576 : 144 * 1048576

export const memoryRelief = (options: MemoryReliefOptions) =>
  Effect.gen(function* () {
    const readRss = options.readRss ?? (() => process.memoryUsage.rss())
    const collect = options.collect ?? (() => Bun.gc(true))
    const minGap = options.minGapMs ?? 300
    const headroom = options.headroomBytes ?? 8 * 1048576
    let last = 0
    let floor = 0
    let collections = 0
    const check = Effect.sync(() => {
      const now = performance.now()
      if (now - last < minGap) return
      // Above the ceiling, and grown since what the last collection left: memory a collection cannot
      // free (live data, allocator pages) does not cost a collection every half second.
      if (readRss() <= Math.max(options.ceilingBytes, floor + headroom)) return
      last = now
      collections++
      collect()
      floor = readRss()
    })
    yield* Effect.forkScoped(Effect.repeat(check, Schedule.spaced(options.sampleEveryMs ?? 100)))
    return { collections: () => collections }
  })
