/**
 * Memory-pressure relief for allocation-heavy steps (a crawl decodes and parses thousands of pages):
 * JavaScriptCore collects lazily, so resident memory can reach several times the live heap. While
 * the scope is open, a fiber samples RSS and runs a full collection when it is above `ceilingBytes`
 * (at most once per `minGapMs`), which keeps a long crawl's memory flat at a small CPU cost.
 */
import { Effect, Schedule } from "effect"

export interface MemoryReliefOptions {
  readonly ceilingBytes: number
  /** @default 500 */
  readonly sampleEveryMs?: number
  /** @default 500 */
  readonly minGapMs?: number
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
    const minGap = options.minGapMs ?? 500
    let last = 0
    let collections = 0
    const check = Effect.sync(() => {
      const now = performance.now()
      if (now - last >= minGap && readRss() > options.ceilingBytes) {
        last = now
        collections++
        collect()
      }
    })
    yield* Effect.forkScoped(Effect.repeat(check, Schedule.spaced(options.sampleEveryMs ?? 100)))
    return { collections: () => collections }
  })
