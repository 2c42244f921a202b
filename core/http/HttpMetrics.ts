/**
 * HTTP metrics, twice: Prometheus series for the process (by host class and status) and plain
 * per-fetcher counters that a step writes into the run folder and its summary.
 */
import { Counter, Gauge, Histogram } from "prom-client"
import { metricsRegistry } from "../Metrics.ts"

/** Who a request is for; a bounded label, never a host name. */
export type HostClass = "site" | "robots" | "sitemap" | "headless" | "feed" | "document" | "provider" | "other"

const registers = [metricsRegistry]

export const httpRequests = new Counter({
  name: "http_requests_total",
  help: "HTTP requests sent on the wire (redirect hops, retries and robots.txt included), by host class and status",
  labelNames: ["host_class", "status"] as const,
  registers
})
export const httpBytes = new Counter({
  name: "http_response_bytes_total",
  help: "Response body bytes received on the wire (before decompression)",
  labelNames: ["host_class"] as const,
  registers
})
export const httpLatency = new Histogram({
  name: "http_request_duration_seconds",
  help: "Time from sending a request to the end of its body",
  labelNames: ["host_class"] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers
})
export const httpRetries = new Counter({
  name: "http_retries_total",
  help: "Requests sent again after a retryable failure",
  labelNames: ["host_class"] as const,
  registers
})
export const httpCache = new Counter({
  name: "http_cache_lookups_total",
  help: "HTTP cache lookups: hit (fresh), revalidated (304), miss",
  labelNames: ["host_class", "result"] as const,
  registers
})
/**
 * Computed at scrape time from `http_cache_lookups_total`, so the fetcher's hot path counts once.
 * A revalidation (304) still asks the site, so it is not a hit here.
 */
export const httpCacheHitRatio = new Gauge({
  name: "http_cache_hit_ratio",
  help: "Share of HTTP cache lookups answered from the cache without asking the site, since the process started, by host class",
  labelNames: ["host_class"] as const,
  registers,
  async collect() {
    const lookups = new Map<string, { hits: number; all: number }>()
    for (const { labels, value } of (await httpCache.get()).values) {
      const hostClass = String(labels.host_class)
      const entry = lookups.get(hostClass) ?? { hits: 0, all: 0 }
      entry.all += value
      if (labels.result === "hit") entry.hits += value
      lookups.set(hostClass, entry)
    }
    for (const [hostClass, { hits, all }] of lookups) this.set({ host_class: hostClass }, all === 0 ? 0 : hits / all)
  }
})
export const httpRobotsSkips = new Counter({
  name: "http_robots_skips_total",
  help: "URLs not fetched because robots.txt disallows them",
  labelNames: ["host_class"] as const,
  registers
})
export const httpConcurrency = new Gauge({
  name: "http_concurrency_limit",
  help: "Current adaptive limit of requests in flight",
  registers
})

/** Per-fetcher figures, as written to `metrics/http.json`. */
export interface HttpStats {
  requests: number
  bytes: number
  retries: number
  cache_hits: number
  cache_revalidated: number
  cache_misses: number
  robots_skips: number
  by_status: Record<string, number>
  failures: Record<string, number>
  latency_ms_total: number
  latency_ms_max: number
  concurrency_limit: number
  concurrency_raises: number
  concurrency_cuts: number
}

export const emptyStats = (): HttpStats => ({
  requests: 0,
  bytes: 0,
  retries: 0,
  cache_hits: 0,
  cache_revalidated: 0,
  cache_misses: 0,
  robots_skips: 0,
  by_status: {},
  failures: {},
  latency_ms_total: 0,
  latency_ms_max: 0,
  concurrency_limit: 0,
  concurrency_raises: 0,
  concurrency_cuts: 0
})
