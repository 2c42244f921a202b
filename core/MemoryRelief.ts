/**
 * Memory-pressure relief. JavaScriptCore collects lazily, so resident memory can reach several
 * times the live heap: a step that parses a record file and writes the next one makes hundreds of
 * megabytes of short-lived garbage (measured at 5M input rows: RSS 137 -> 311 MB while 44k records
 * were built and written, against 182 MB with collections at a ceiling). Flat memory is a contract.
 *
 * Two ways in:
 * - `relieveMemory()`: called by the loops that make garbage in bulk (record files read and
 *   written, Parquet row groups), once per batch. Its rule depends on the run (decision 017):
 *   - with a RAM budget, the ceiling rule (`CeilingGuard`): a full collection when RSS is above 70%
 *     of the budget and has grown by the headroom since what the last collection left (memory a
 *     collection cannot free, live data and allocator pages, does not cost a collection every time);
 *   - without one, the heap rule (`HeapGrowthGuard`): a full collection once this thread's heap
 *     has grown by the headroom since the last one, RSS being above 128 MiB and above the highest
 *     RSS the run reached so far (decision 019). RSS also moves with
 *     what no collection here frees (another thread's memory, the allocator's pages), and each
 *     collection costs 30-70 ms at 5M input rows: the heap rule collects about half as often and
 *     makes the 5M-row quick run about 15% faster, for a peak about 60 MB higher.
 * - `relieveBetweenSteps()`: the same rule, called by the runner before each executed step but the
 *   first to start (decision 024), never after a run's last step.
 * - `memoryRelief(options)`: a fiber sampling RSS with the ceiling rule, for steps whose garbage
 *   comes from many concurrent fibers (a crawl decodes and parses thousands of pages).
 */
import { heapSize } from "bun:jsc"
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
    private readonly ceilingBytes: number,
    private readonly headroomBytes: number,
    private readonly readRss: () => number = () => process.memoryUsage.rss(),
    private readonly collect: () => void = () => Bun.gc(true)
  ) {}

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
 * The heap rule: a full collection once the heap (what this thread allocated, live or not) has grown
 * by the headroom since what the last collection left, when RSS is above the ceiling (below it, a
 * small run never pays for one) and above the highest RSS this guard has seen (decision 019). Memory
 * outside this thread's heap does not trigger it.
 *
 * The high-water mark: a collection while RSS is below a level the run already reached cannot lower
 * the run's peak; it only costs time. Such garbage waits until RSS would set a new high. Measured on the
 * 5M-row quick run: 9 collections instead of 16, the steps after the scan 3.37 s against 3.56 s
 * (medians of 5 interleaved pairs), peak 300-312 MB against 304-307 MB.
 */
export class HeapGrowthGuard {
  private floor = 0
  /** The highest RSS read so far: below it, a collection does not lower the peak. */
  private highWater = 0
  collections = 0

  constructor(
    private readonly ceilingBytes: number,
    private readonly headroomBytes: number,
    private readonly readHeap: () => number = heapSize,
    private readonly readRss: () => number = () => process.memoryUsage.rss(),
    private readonly collect: () => void = () => Bun.gc(true)
  ) {}

  check(): boolean {
    // The heap read is not free: about 0.3 ms each in a run (the 5M-row quick run makes 309, 95 ms in
    // all, against about 750 ms for its 17 collections). RSS (about 8 µs) is read only once the heap grew.
    if (this.readHeap() < this.floor + this.headroomBytes) return false
    const rss = this.readRss()
    const bar = Math.max(this.ceilingBytes, this.highWater)
    this.highWater = Math.max(this.highWater, rss)
    if (rss <= bar) return false
    this.collections++
    this.collect()
    this.floor = this.readHeap()
    return true
  }
}

/** What the bulk loops call once per batch. */
interface BulkGuard {
  check(): boolean
}

/**
 * The bulk loops' rule for a run: the ceiling rule under a RAM budget, else the heap rule. Headroom
 * 16 MiB either way: each collection costs 5-70 ms, with a live heap of 25-60 MB.
 */
export const bulkGuard = (maxRamMb: number | undefined): BulkGuard =>
  maxRamMb !== undefined
    ? new CeilingGuard(bulkCeiling(maxRamMb), 16 * MIB)
    : new HeapGrowthGuard(bulkCeiling(undefined), 16 * MIB)

/** One process, one heap: the guard bulk loops share, set per run. */
let processGuard: BulkGuard = bulkGuard(undefined)
let processBudgetMb: number | undefined

/** Sets the process-wide rule from the run's RAM budget (see `bulkGuard`). */
export const setMemoryBudget = (maxRamMb: number | undefined) => {
  processGuard = bulkGuard(maxRamMb)
  processBudgetMb = maxRamMb
}

/** The run's RAM budget in MiB, if it has one: writers that can trade speed or layout for memory ask. */
export const memoryBudgetMb = (): number | undefined => processBudgetMb

/** A full collection if the rule says memory grew enough since the last one. Call once per batch. */
export const relieveMemory = (): boolean => processGuard.check()

/**
 * What the runner calls before each step that follows one it ran: the same rule, between steps, where
 * a whole record file's garbage may be waiting. Never after a run's last step, which would only delay
 * its end.
 */
export const relieveBetweenSteps = (): boolean => processGuard.check()

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
