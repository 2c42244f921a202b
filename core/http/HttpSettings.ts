/**
 * The fetcher's settings: the job's `http` section (CONTRACTS.md) over these defaults, plus where
 * the cache lives (FILON_DATA_DIR). Defaults are polite for real sites: two requests at a time and
 * two per second per host, robots.txt obeyed.
 */
import { join } from "node:path"
import type { Job } from "../Job.ts"

export const DEFAULT_USER_AGENT = "FilonBot/0.1 (+https://github.com/filon-data/filon; B2B dataset builder)"

export interface HttpSettings {
  /** The job's proxies, used in turn; empty: the environment's (HTTP_PROXY, HTTPS_PROXY, NO_PROXY). */
  readonly proxies: ReadonlyArray<string>
  /** Requests in flight, all hosts together (the adaptive limit's ceiling). */
  readonly concurrency: number
  readonly perHostConcurrency: number
  readonly perHostRps: number
  readonly respectRobots: boolean
  readonly userAgents: ReadonlyArray<string>
  /** Whole request, headers and body, ms. */
  readonly timeoutMs: number
  /** Until the response headers (connection, proxy, TLS and server time), ms. */
  readonly firstByteTimeoutMs: number
  /** Largest body, compressed or not. */
  readonly maxBodyBytes: number
  readonly maxRedirects: number
  /** Retries after the first attempt, for retryable failures. */
  readonly retries: number
  /** Grow and shrink concurrency with the health of the answers. */
  readonly adaptive: boolean
  /** SQLite file of the HTTP cache; undefined: no cache. */
  readonly cacheFile: string | undefined
  readonly cacheTtlMs: number
  /** The pool backs off above this resident memory, bytes. */
  readonly memoryCeilingBytes: number | undefined
}

export const defaultHttpSettings: HttpSettings = {
  proxies: [],
  concurrency: 32,
  perHostConcurrency: 2,
  perHostRps: 2,
  respectRobots: true,
  userAgents: [DEFAULT_USER_AGENT],
  timeoutMs: 20_000,
  firstByteTimeoutMs: 10_000,
  maxBodyBytes: 5 * 1024 * 1024,
  maxRedirects: 5,
  retries: 3,
  adaptive: true,
  cacheFile: undefined,
  cacheTtlMs: 24 * 3600_000,
  memoryCeilingBytes: undefined
}

/** The settings of a run: job `http` keys over the defaults; the cache under `dataDir`. */
export const httpSettingsOf = (
  job: Pick<Job, "http" | "budgets">,
  env: Readonly<Record<string, string | undefined>> = process.env
): HttpSettings => {
  const http = job.http ?? {}
  const dataDir = env.FILON_DATA_DIR?.trim() || "./data"
  const ttlHours = http.cache_ttl_hours ?? 24
  const proxy = http.proxy
  const ramMb = job.budgets?.max_ram_mb
  return {
    ...defaultHttpSettings,
    proxies: proxy === undefined ? [] : typeof proxy === "string" ? [proxy] : [...proxy],
    concurrency: http.concurrency ?? defaultHttpSettings.concurrency,
    perHostConcurrency: http.per_host_concurrency ?? defaultHttpSettings.perHostConcurrency,
    perHostRps: http.per_host_rps ?? defaultHttpSettings.perHostRps,
    respectRobots: http.respect_robots ?? true,
    userAgents: http.user_agents && http.user_agents.length > 0 ? http.user_agents : [DEFAULT_USER_AGENT],
    timeoutMs: http.timeout_ms ?? defaultHttpSettings.timeoutMs,
    firstByteTimeoutMs: Math.min(
      http.first_byte_timeout_ms ?? defaultHttpSettings.firstByteTimeoutMs,
      http.timeout_ms ?? Number.POSITIVE_INFINITY
    ),
    maxBodyBytes: http.max_body_bytes ?? defaultHttpSettings.maxBodyBytes,
    maxRedirects: http.max_redirects ?? defaultHttpSettings.maxRedirects,
    retries: http.retries ?? defaultHttpSettings.retries,
    adaptive: http.adaptive ?? true,
    cacheFile: ttlHours > 0 ? join(dataDir, "cache", "http.sqlite") : undefined,
    cacheTtlMs: ttlHours * 3600_000,
    // Back off well before the RAM budget stops the run.
    memoryCeilingBytes: ramMb !== undefined ? ramMb * 0.8 * 1048576 : undefined
  }
}

/** NO_PROXY: `*`, host names (matching sub-domains too), `.suffix`, optionally with `:port`. */
export const bypassesProxy = (url: URL, noProxy: string | undefined): boolean => {
  if (noProxy === undefined || noProxy.trim() === "") return false
  const host = url.hostname.toLowerCase()
  const port = url.port || (url.protocol === "https:" ? "443" : "80")
  return noProxy
    .split(/[\s,]+/)
    .filter((entry) => entry !== "")
    .some((entry) => {
      if (entry === "*") return true
      const [name = "", entryPort] = entry.toLowerCase().split(":")
      if (entryPort !== undefined && entryPort !== port) return false
      const bare = name.replace(/^\*?\./, "")
      return host === bare || host.endsWith(`.${bare}`)
    })
}
