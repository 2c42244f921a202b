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
 *   - without one, the same rule at a fixed ceiling of 168 MiB with 24 MiB of headroom (decision 027).
 *     It replaced a heap-growth rule (decision 019) made for the time when a Parquet encoder thread
 *     held 55 MB outside this heap: with all memory on this thread, the ceiling holds the 5M-row quick
 *     run at 181-185 MB instead of 217-228 MB, for about 5% more time.
 * - `relieveBetweenSteps()`: the same rule, called by the runner before each executed step but the
 *   first to start (decision 024), never after a run's last step.
 * - `memoryRelief(options)`: a fiber sampling RSS with the ceiling rule, for steps whose garbage
 *   comes from many concurrent fibers (a crawl decodes and parses thousands of pages).
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
 * The bulk loops' ceiling: 70% of the RAM budget when there is one, else 168 MiB (a CLI run starts at
 * about 100 MB with its modules loaded). Measured on the 5M-row quick run (decision 027), ceiling and
 * headroom in MiB: 140/16 peaked at 165 MB but ran 13% slower; 160/24 at 182 MB, 5% slower; 168/24 at
 * 181-185 MB; 176/24 at 187-196 MB; no collections at 217-228 MB. At 1M (peak 164-181 MB), medians
 * of 7: 160/24 1.07 s, 168/24 1.04 s, 176/24 1.02 s: the lower the ceiling, the more collections of
 * 20-27 ms each.
 */
export const bulkCeiling = (maxRamMb: number | undefined): number =>
  maxRamMb !== undefined ? reliefCeiling(maxRamMb) : 168 * MIB

/** Growth over what the last collection left before the next one: each costs 5-70 ms. */
export const bulkHeadroom = (maxRamMb: number | undefined): number => (maxRamMb !== undefined ? 16 : 24) * MIB

/** What the bulk loops call once per batch. */
interface BulkGuard {
  check(): boolean
}

/** The bulk loops' rule for a run: the ceiling rule, at the budget's ceiling or the default one. */
export const bulkGuard = (maxRamMb: number | undefined): BulkGuard =>
  new CeilingGuard(bulkCeiling(maxRamMb), bulkHeadroom(maxRamMb))

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
