/**
 * Politeness and protection per host: how many requests may be in flight to it, how far apart they
 * start (per_host_rps, robots.txt Crawl-delay, and a back-off after 429/503 that decays as the host
 * recovers, as Scrapy's AutoThrottle does), and a circuit breaker that stops hammering a host that
 * keeps failing.
 */
import { sleep } from "./abortable.ts"
import { FetchFailed } from "./FetchError.ts"
import { Gate } from "./Gate.ts"

export interface HostPolicyOptions {
  readonly perHostConcurrency: number
  readonly perHostRps: number
  /** Consecutive failures that open the breaker. @default 5 */
  readonly breakerFailures?: number
  /** How long an open breaker refuses requests. @default 30 s */
  readonly breakerCooldownMs?: number
  /** Hosts kept in memory before idle ones are forgotten. @default 20_000 */
  readonly maxHosts?: number
  readonly now?: () => number
}

interface HostState {
  readonly gate: Gate
  /** Earliest start of the next request. */
  nextAt: number
  /** When the last request actually went out (after the global gate). */
  lastStart: number
  /** Crawl-delay from robots.txt, ms. */
  crawlDelayMs: number
  /** Extra spacing after throttling, ms; quartered on each success. */
  penaltyMs: number
  failures: number
  openUntil: number
  lastUsed: number
}

/** The most extra spacing a struggling host gets (the retry schedule waits on top of it). */
const MAX_PENALTY_MS = 10_000
/** The longest Retry-After that holds a host's next start. */
const MAX_HOLD_MS = 60_000

export class HostPolicy {
  readonly #hosts = new Map<string, HostState>()
  readonly #baseIntervalMs: number
  readonly #options: Required<Omit<HostPolicyOptions, "now">>
  readonly #now: () => number

  constructor(options: HostPolicyOptions) {
    this.#options = {
      breakerFailures: 5,
      breakerCooldownMs: 30_000,
      maxHosts: 20_000,
      ...options
    }
    this.#baseIntervalMs = options.perHostRps > 0 ? 1000 / options.perHostRps : 0
    this.#now = options.now ?? Date.now
  }

  get size(): number {
    return this.#hosts.size
  }

  #state(host: string): HostState {
    let state = this.#hosts.get(host)
    if (state === undefined) {
      if (this.#hosts.size >= this.#options.maxHosts) this.#forgetIdle()
      state = {
        gate: new Gate(this.#options.perHostConcurrency),
        nextAt: 0,
        lastStart: Number.NEGATIVE_INFINITY,
        crawlDelayMs: 0,
        penaltyMs: 0,
        failures: 0,
        openUntil: 0,
        lastUsed: this.#now()
      }
      this.#hosts.set(host, state)
    }
    return state
  }

  /** Hosts with nothing in flight or queued are forgotten, oldest first, down to 3/4 of the cap. */
  #forgetIdle(): void {
    const target = Math.floor(this.#options.maxHosts * 0.75)
    const idle = [...this.#hosts.entries()]
      .filter(([, s]) => s.gate.active === 0 && s.gate.waiting === 0 && s.openUntil < this.#now())
      .sort((a, b) => a[1].lastUsed - b[1].lastUsed)
    for (const [host] of idle) {
      if (this.#hosts.size <= target) break
      this.#hosts.delete(host)
    }
  }

  /** robots.txt asks for seconds between requests: one request at a time, spaced by the delay. */
  setCrawlDelay(host: string, seconds: number): void {
    if (!Number.isFinite(seconds) || seconds <= 0) return
    const state = this.#state(host)
    state.crawlDelayMs = Math.min(seconds, 60) * 1000
    state.gate.setLimit(1)
  }

  /**
   * Called once the request holds its global permit: the start reserved in `run` may have been
   * overtaken by a long wait for that permit, so the spacing is checked against the last request that
   * actually went out. 0: go (and it counts as started now); otherwise the milliseconds to wait.
   */
  startOrWait(host: string): number {
    const state = this.#state(host)
    const now = this.#now()
    const earliest = state.lastStart + this.intervalOf(host)
    if (earliest > now) return earliest - now
    state.lastStart = now
    return 0
  }

  /** The spacing between request starts to this host now, ms. */
  intervalOf(host: string): number {
    const state = this.#state(host)
    return Math.max(this.#baseIntervalMs, state.crawlDelayMs) + state.penaltyMs
  }

  /** While `host`'s breaker is open: the failure to answer with instead of sending. */
  refusal(host: string, url: string): FetchFailed | undefined {
    const state = this.#state(host)
    const now = this.#now()
    if (state.openUntil <= now) return undefined
    return new FetchFailed({
      url,
      reason: "circuit_open",
      detail: `${host} failed ${this.#options.breakerFailures} times in a row; paused for ${Math.ceil((state.openUntil - now) / 1000)} s`,
      retryable: false
    })
  }

  /**
   * Runs `send` as one request to `host`: after a per-host permit, at the host's next start (reserved
   * when the permit is granted, so requests queued for a host keep their spacing). Plain promises: this
   * is on every request's path, where effect steps cost more than the work (see HttpFetcher).
   */
  async withTurn<A>(host: string, signal: AbortSignal | undefined, send: () => Promise<A>): Promise<A> {
    const state = this.#state(host)
    if (!state.gate.tryTake()) await state.gate.wait(false, signal)
    try {
      const at = this.#now()
      const start = Math.max(at, state.nextAt)
      state.nextAt = start + this.intervalOf(host)
      state.lastUsed = start
      if (start > at) await sleep(start - at, signal)
      return await send()
    } finally {
      state.gate.release()
    }
  }

  /** A request to the host got an answer that is not trouble: the breaker closes, back-off decays. */
  succeeded(host: string): void {
    const state = this.#state(host)
    state.failures = 0
    state.penaltyMs = state.penaltyMs < 50 ? 0 : state.penaltyMs / 4
  }

  /** 429 or 503: space this host's requests further apart; `retryAfterMs` holds its next start. */
  throttled(host: string, retryAfterMs: number | undefined): void {
    const state = this.#state(host)
    state.penaltyMs = Math.min(MAX_PENALTY_MS, Math.max(250, state.penaltyMs * 2))
    if (retryAfterMs !== undefined) {
      state.nextAt = Math.max(state.nextAt, this.#now() + Math.min(retryAfterMs, MAX_HOLD_MS))
    }
  }

  /** A network failure, timeout or 5xx: counts towards opening the breaker. */
  failed(host: string): void {
    const state = this.#state(host)
    state.failures++
    if (state.failures >= this.#options.breakerFailures) {
      state.openUntil = this.#now() + this.#options.breakerCooldownMs
      state.failures = 0
    }
  }

  isOpen(host: string): boolean {
    return this.#state(host).openUntil > this.#now()
  }
}
