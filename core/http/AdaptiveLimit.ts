/**
 * Adaptive concurrency, in the spirit of Crawlee's AutoscaledPool and Scrapy's AutoThrottle: the
 * number of requests in flight (all hosts together) starts low, grows while the responses are
 * healthy and shrinks when they are not, never above the configured `concurrency`.
 *
 * - Healthy window (errors under 5%, mean latency within 3x the best window mean seen, memory fine):
 *   the limit doubles (slow start, as TCP's) until the first back-off, then grows by one (additive
 *   increase). Growing by half took a 2,000-site crawl 0.35 s to reach 50 requests in flight from 8;
 *   doubling from 16 takes about 0.12 s.
 * - Unhealthy window: the limit is cut to 70% (multiplicative decrease), at most once per window.
 *   One host answering 429 is that host's business (HostPolicy slows it down); the pool only backs
 *   off when trouble is a noticeable share of all answers.
 * A window is `limit` completed requests, so the pool reacts about once per round trip of work.
 */
import { Gate } from "./Gate.ts"

export type Outcome = "ok" | "throttled" | "error" | "timeout"

export interface AdaptiveLimitOptions {
  readonly max: number
  /** @default min(max, 16) */
  readonly initial?: number
  /** Off: the limit stays at `max`. */
  readonly adaptive?: boolean
  /** Resident memory above which the pool backs off (bytes); undefined: no memory check. */
  readonly memoryCeilingBytes?: number
  readonly readRss?: () => number
}

export class AdaptiveLimit {
  readonly gate: Gate
  readonly #max: number
  readonly #adaptive: boolean
  readonly #ceiling: number | undefined
  readonly #readRss: () => number
  #slowStart = true
  #windowDone = 0
  #windowBad = 0
  #windowLatency = 0
  /** The lowest mean latency of a whole window: what the hosts answer in when nobody queues. */
  #baseline = Number.POSITIVE_INFINITY
  /** Changes made, for metrics and tests. */
  raises = 0
  cuts = 0

  constructor(options: AdaptiveLimitOptions) {
    this.#max = Math.max(1, options.max)
    this.#adaptive = options.adaptive !== false
    this.#ceiling = options.memoryCeilingBytes
    this.#readRss = options.readRss ?? (() => process.memoryUsage.rss())
    const initial = this.#adaptive ? (options.initial ?? Math.min(this.#max, 16)) : this.#max
    this.gate = new Gate(Math.min(this.#max, initial))
  }

  get limit(): number {
    return this.gate.limit
  }

  /** Called once per finished request (on the wire). */
  record(outcome: Outcome, latencyMs: number): void {
    if (!this.#adaptive) return
    this.#windowDone++
    if (outcome !== "ok") this.#windowBad++
    else this.#windowLatency += latencyMs
    // Windows of at least 20 answers: at a low limit one bad answer must not read as 5% trouble.
    if (this.#windowDone < Math.max(20, this.gate.limit)) return
    const good = this.#windowDone - this.#windowBad
    const meanLatency = good > 0 ? this.#windowLatency / good : Number.POSITIVE_INFINITY
    const errorShare = this.#windowBad / this.#windowDone
    const memoryHigh = this.#ceiling !== undefined && this.#readRss() > this.#ceiling
    // Window means, not single answers: one fast 404 must not make every ordinary page look slow.
    if (good >= 4) this.#baseline = Math.min(this.#baseline, meanLatency)
    const slow = meanLatency > 3 * Math.max(this.#baseline, 10)
    if (errorShare > 0.05 || memoryHigh || slow) this.#cut()
    else this.#raise()
  }

  #raise(): void {
    const limit = this.gate.limit
    const next = this.#slowStart ? limit * 2 : limit + 1
    if (next > limit && limit < this.#max) {
      this.gate.setLimit(Math.min(this.#max, next))
      this.raises++
    }
    this.#reset()
  }

  #cut(): void {
    this.#slowStart = false
    const next = Math.max(1, Math.floor(this.gate.limit * 0.7))
    if (next < this.gate.limit) {
      this.gate.setLimit(next)
      this.cuts++
    }
    this.#reset()
  }

  #reset(): void {
    this.#windowDone = 0
    this.#windowBad = 0
    this.#windowLatency = 0
  }
}
