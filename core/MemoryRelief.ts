/**
 * Memory-pressure relief. JavaScriptCore collects lazily, so resident memory can reach several
 * times the live heap: a step that parses a record file and writes the next one makes hundreds of
 * megabytes of short-lived garbage (measured at 5M input rows: RSS 137 -> 311 MB while 44k records
 * were built and written, against 182 MB with collections at a ceiling). Flat memory is a contract.
 *
 * Two ways in, one rule: a full collection when RSS is above the ceiling and has grown by the
 * headroom since what the last collection left (memory a collection cannot free, live data and
 * allocator pages, does not cost a collection every time).
 * - `relieveMemory()`: called by the loops that make garbage in bulk (record files read and
 *   written, Parquet row groups), once per batch; it costs one RSS read (about 10 µs).
 * - `memoryRelief(options)`: a fiber sampling RSS, for steps whose garbage comes from many
 *   concurrent fibers (a crawl decodes and parses thousands of pages).
 */
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"

export interface MemoryReliefOptions {
  readonly ceilingBytes: number
  /** @default 100 */
  readonly sampleEveryMs?: number
  /** Shortest time between two collections. @default 300 */
  readonly minGapMs?: number
  /**
   * Growth over what the last collection left that triggers the next one. @default 16 MiB
   * (measured on the 2,000-site crawl: 8 MiB made 19-21 collections of ~55 ms and peaked at 200-209 MB;
   * 16 MiB makes 12, peaks at 215-220 MB and finishes 2-3% sooner, each collection stalling every
   * answer in flight; 24 MiB: 9-10 collections, 224-232 MB, no faster)
   */
  readonly headroomBytes?: number
  readonly readRss?: () => number
  readonly collect?: () => void
}

const MIB = 1048576

/** Default ceiling: 70% of the RAM budget when there is one, else 144 MiB. */
export const reliefCeiling = (maxRamMb: number | undefined): number =>
  maxRamMb !== undefined ? maxRamMb * 0.7 * MIB : 144 * MIB

/** The ceiling rule, with its memory of the last collection. */
export class CeilingGuard {
  private floor = 0
  collections = 0

  constructor(
    private ceilingBytes: number,
    private readonly headroomBytes: number,
    private readonly readRss: () => number = () => process.memoryUsage.rss(),
    private readonly collect: () => void = () => Bun.gc(true)
  ) {}

  /** A new ceiling (a new run with its own RAM budget) forgets what the last collection left. */
  reset(ceilingBytes: number) {
    this.ceilingBytes = ceilingBytes
    this.floor = 0
  }

  /** Collects when memory is above the ceiling and grew past the last floor; says whether it did. */
  check(): boolean {
    if (this.readRss() <= Math.max(this.ceilingBytes, this.floor + this.headroomBytes)) return false
    this.collections++
    this.collect()
    this.floor = this.readRss()
    return true
  }
}

/**
 * The bulk loops' ceiling: 70% of the RAM budget when there is one, else 128 MiB (a CLI run starts
 * at about 100 MB with its modules loaded). Measured on the 5M-row ingest: 144/24 MiB peaked at
 * 255 MB, 128/16 at about 230, 100/8 at 215 but 10-20% slower; what is left above the ceiling is
 * memory a collection does not give back at once (allocator pages, WebAssembly memory).
 */
export const bulkCeiling = (maxRamMb: number | undefined): number =>
  maxRamMb !== undefined ? reliefCeiling(maxRamMb) : 128 * MIB

/**
 * One process, one heap: the guard bulk loops share. 16 MiB of headroom keeps the collections
 * few (each costs 5-20 ms with a 50 MB live heap).
 */
const processGuard = new CeilingGuard(bulkCeiling(undefined), 16 * MIB)

/** Sets the process-wide ceiling, from the run's RAM budget (see `bulkCeiling`). */
export const setMemoryCeiling = (ceilingBytes: number) => processGuard.reset(ceilingBytes)

/** A full collection if memory is above the ceiling and grew since the last one. Call once per batch. */
export const relieveMemory = (): boolean => processGuard.check()

export const memoryRelief = (options: MemoryReliefOptions) =>
  Effect.gen(function* () {
    const guard = new CeilingGuard(
      options.ceilingBytes,
      options.headroomBytes ?? 16 * MIB,
      options.readRss,
      options.collect ?? (() => Bun.gc(true))
    )
    const minGap = options.minGapMs ?? 300
    let last = 0
    const check = Effect.sync(() => {
      const now = performance.now()
      if (now - last < minGap) return
      if (guard.check()) last = now
    })
    yield* Effect.forkScoped(Effect.repeat(check, Schedule.spaced(options.sampleEveryMs ?? 100)))
    return { collections: () => guard.collections }
  })
