/**
 * HttpFetcher: the only way out to the network. Every request a step makes, and every request the
 * headless browser makes, goes through `fetch` here, which applies in order: the HTTP cache, robots.txt,
 * the per-host circuit breaker, per-host concurrency and spacing, the adaptive global limit, the
 * request budget (taken before the request is sent), the wire request (timeouts, size limits, byte
 * budget counted as the body arrives, decompression), retries on retryable outcomes only (honouring
 * Retry-After), and redirects hop by hop (each hop is a request like any other).
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { Budget, BudgetExceeded } from "../Budget.ts"
import { EventLog } from "../EventLog.ts"
import { retrying } from "../Retry.ts"
import { AdaptiveLimit, type Outcome } from "./AdaptiveLimit.ts"
import { type Decoded, decodeBody } from "./Charset.ts"
import { FetchFailed, isRetryableStatus, parseRetryAfter } from "./FetchError.ts"
import { HostPolicy } from "./HostPolicy.ts"
import { type CachedResponse, cacheableHeaders, HttpCache, isCacheable, isPermanentRedirect } from "./HttpCache.ts"
import {
  emptyStats,
  type HostClass,
  type HttpStats,
  httpBytes,
  httpCache,
  httpConcurrency,
  httpLatency,
  httpRequests,
  httpRetries,
  httpRobotsSkips
} from "./HttpMetrics.ts"
import { bypassesProxy, type HttpSettings } from "./HttpSettings.ts"
import { type RobotsAnswer, RobotsCache, type RobotsRules, rulesOf } from "./Robots.ts"
import { sendOnce, type WireResult } from "./Wire.ts"

export interface FetchRequest {
  readonly url: string
  /** @default "GET" */
  readonly method?: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: Uint8Array | string
  /** Who the request is for, as a metrics label. @default "site" */
  readonly hostClass?: HostClass
  /** Accepted content types, as prefixes ("text/html"); anything else fails with `content_type`. Empty: any. */
  readonly accept?: ReadonlyArray<string>
  /** Overrides the settings' largest body. */
  readonly maxBytes?: number
  /** Use the HTTP cache (GET only). @default true */
  readonly cache?: boolean
  /** @default true; when false a 3xx is returned as the answer. */
  readonly followRedirects?: boolean
  /** Skip the robots.txt check (robots.txt itself; documented provider APIs). */
  readonly ignoreRobots?: boolean
}

export interface FetchResponse {
  readonly url: string
  /** After redirects. */
  readonly finalUrl: string
  readonly status: number
  /** Lower-case header names; a cached answer keeps the end-to-end ones (not encodings, lengths or cookies). */
  readonly headers: Readonly<Record<string, string>>
  readonly contentType: string | null
  /** Decompressed body. */
  readonly body: Uint8Array
  /** The body as text, charset detected (BOM, header, meta, UTF-8, windows-1252). */
  readonly text: () => Decoded
  readonly cache: "hit" | "revalidated" | "miss" | "off"
  /** The URLs redirected through, in order. */
  readonly redirects: ReadonlyArray<string>
  /** When the body was fetched from the site (for a cache hit: when it was cached), ms since epoch. */
  readonly fetchedAt: number
  readonly elapsedMs: number
}

export interface HttpFetcherShape {
  readonly fetch: (request: FetchRequest) => Effect.Effect<FetchResponse, FetchFailed | BudgetExceeded>
  /** The robots.txt rules of a URL's origin (fetched once per origin), e.g. for its sitemaps. */
  readonly robots: (url: string) => Effect.Effect<RobotsRules, BudgetExceeded>
  readonly settings: HttpSettings
  /** A snapshot of this fetcher's figures. */
  readonly stats: () => HttpStats
}

export class HttpFetcher extends Context.Tag("core/HttpFetcher")<HttpFetcher, HttpFetcherShape>() {
  /** One fetcher per run, over the run's Budget; the cache is opened on first use and closed with the scope. */
  static readonly layer = (settings: HttpSettings) => Layer.scoped(HttpFetcher, makeHttpFetcher(settings))
}

const ACCEPT_ENCODING = "gzip, deflate, br"
/** The longest Retry-After honoured; a server asking for more gets its URL given up. */
const MAX_RETRY_AFTER_MS = 60_000

const isDnsFailure = (detail: string): boolean =>
  /ENOTFOUND|EAI_AGAIN|getaddrinfo|DNS|ConnectionRefused.*resolve/i.test(detail)
const ROBOTS_MAX_BYTES = 512 * 1024

export const makeHttpFetcher = (settings: HttpSettings) =>
  Effect.gen(function* () {
    const budget = yield* Budget
    const events = yield* Effect.serviceOption(EventLog)
    const hosts = new HostPolicy({
      perHostConcurrency: settings.perHostConcurrency,
      perHostRps: settings.perHostRps
    })
    const pool = new AdaptiveLimit({
      max: settings.concurrency,
      adaptive: settings.adaptive,
      memoryCeilingBytes: settings.memoryCeilingBytes
    })
    const robotsCache = new RobotsCache()
    const stats = emptyStats()
    let cache: HttpCache | undefined
    let proxyTurn = 0
    yield* Effect.addFinalizer(() => Effect.sync(() => cache?.close()))

    const openCache = (): HttpCache | undefined => {
      if (settings.cacheFile === undefined) return undefined
      cache ??= new HttpCache(settings.cacheFile, settings.cacheTtlMs)
      return cache
    }

    const userAgentFor = (host: string): string => {
      const agents = settings.userAgents
      let hash = 0
      for (let i = 0; i < host.length; i++) hash = (hash * 31 + host.charCodeAt(i)) | 0
      return agents[Math.abs(hash) % agents.length]!
    }

    const proxyFor = (url: URL): string | undefined => {
      if (settings.proxies.length === 0) return undefined // Bun's fetch applies HTTP(S)_PROXY / NO_PROXY itself
      if (bypassesProxy(url, process.env.NO_PROXY ?? process.env.no_proxy)) return undefined
      return settings.proxies[proxyTurn++ % settings.proxies.length]
    }

    const takeBytes = (bytes: number): boolean => budget.tryAcquire("http_bytes", bytes) === undefined

    const countStatus = (hostClass: HostClass, label: string) => {
      stats.by_status[label] = (stats.by_status[label] ?? 0) + 1
      httpRequests.inc({ host_class: hostClass, status: label })
    }

    /** One request on the wire under every limit; fails on a retryable outcome so the schedule retries. */
    const hop = (
      url: URL,
      method: string,
      headers: Record<string, string>,
      body: Uint8Array | string | undefined,
      accept: ReadonlyArray<string>,
      maxBytes: number,
      hostClass: HostClass,
      attempt: { count: number }
    ): Effect.Effect<Extract<WireResult, { kind: "response" | "redirect" }>, FetchFailed | BudgetExceeded> =>
      hosts.run(
        url.host,
        url.href,
        underPool(
          url.host,
          // robots.txt first: it is small, and the crawl schedules whole sites on what it says.
          hostClass === "robots",
          Effect.gen(function* () {
            if (attempt.count++ > 0) {
              stats.retries++
              httpRetries.inc({ host_class: hostClass })
            }
            yield* budget.acquire("http_requests", 1)
            stats.requests++
            const started = performance.now()
            const result = yield* Effect.promise((signal) =>
              sendOnce({
                url,
                method,
                headers: { "user-agent": userAgentFor(url.host), "accept-encoding": ACCEPT_ENCODING, ...headers },
                body,
                proxy: proxyFor(url),
                firstByteTimeoutMs: settings.firstByteTimeoutMs,
                timeoutMs: settings.timeoutMs,
                maxBodyBytes: maxBytes,
                accept,
                takeBytes,
                signal
              })
            )
            const elapsed = performance.now() - started
            const wireBytes = result.kind === "redirect" ? 0 : result.wireBytes
            stats.bytes += wireBytes
            stats.latency_ms_total += elapsed
            stats.latency_ms_max = Math.max(stats.latency_ms_max, elapsed)
            httpBytes.inc({ host_class: hostClass }, wireBytes)
            httpLatency.observe({ host_class: hostClass }, elapsed / 1000)
            if (result.kind === "failure") {
              countStatus(hostClass, result.reason)
              stats.failures[result.reason] = (stats.failures[result.reason] ?? 0) + 1
              if (result.reason === "budget") {
                const usage = yield* budget.usage
                return yield* new BudgetExceeded({
                  budget: "http_bytes",
                  limit: usage.http_bytes.limit ?? 0,
                  used: usage.http_bytes.used
                })
              }
              // A timeout may be ours (too much in flight); a refused connection or a DNS failure is the host's.
              recordOutcome(
                url.host,
                result.reason === "timeout" ? "timeout" : result.reason === "network" ? "host_error" : "ok",
                elapsed
              )
              return yield* new FetchFailed({
                url: url.href,
                reason: result.reason,
                detail: result.detail,
                // A name that does not resolve will not resolve in a second either.
                retryable: result.transient && !isDnsFailure(result.detail)
              })
            }
            countStatus(hostClass, String(result.status))
            if (isRetryableStatus(result.status)) {
              const retryAfterMs = parseRetryAfter(result.headers.get("retry-after"))
              const throttled = result.status === 429 || result.status === 503
              recordOutcome(url.host, "host_error", elapsed)
              if (retryAfterMs !== undefined && retryAfterMs > MAX_RETRY_AFTER_MS) {
                // Waiting longer would hold the run hostage: give up on this URL now.
                return yield* new FetchFailed({
                  url: url.href,
                  reason: "status",
                  status: result.status,
                  detail: `the server answered ${result.status} and asks to wait ${Math.round(retryAfterMs / 1000)} s (more than ${MAX_RETRY_AFTER_MS / 1000} s)`,
                  retryable: false
                })
              }
              if (throttled) hosts.throttled(url.host, retryAfterMs)
              return yield* new FetchFailed({
                url: url.href,
                reason: "status",
                status: result.status,
                detail: `the server answered ${result.status}`,
                retryable: true,
                ...(retryAfterMs !== undefined ? { retryAfterMs } : {})
              })
            }
            recordOutcome(url.host, "ok", elapsed)
            return result
          })
        )
      )

    /**
     * Runs `self` holding a global permit, once the host's spacing allows it. When the permit came
     * too soon after the host's previous request, it is given back while waiting (a permit never idles)
     * and taken again ahead of the queue.
     */
    const underPool = <A, E>(host: string, urgent: boolean, self: Effect.Effect<A, E>): Effect.Effect<A, E> =>
      pool.gate
        .with(
          Effect.suspend((): Effect.Effect<{ readonly wait: number } | { readonly value: A }, E> => {
            const wait = hosts.startOrWait(host)
            return wait > 0 ? Effect.succeed({ wait }) : Effect.map(self, (value) => ({ value }))
          }),
          urgent
        )
        .pipe(
          Effect.flatMap((outcome) =>
            "wait" in outcome
              ? Effect.sleep(outcome.wait).pipe(Effect.zipRight(underPool(host, true, self)))
              : Effect.succeed(outcome.value)
          )
        )

    /**
     * The pool's health counts only what says something about us (answers, latency, timeouts); a host's
     * own trouble (refused, unknown name, 429, 5xx) goes to that host's policy and breaker.
     */
    const recordOutcome = (host: string, outcome: Outcome | "host_error", elapsedMs: number) => {
      if (outcome !== "host_error") pool.record(outcome, elapsedMs)
      if (outcome === "ok") hosts.succeeded(host)
      else hosts.failed(host)
      stats.concurrency_limit = pool.limit
      stats.concurrency_raises = pool.raises
      stats.concurrency_cuts = pool.cuts
      httpConcurrency.set(pool.limit)
    }

    const withRetries = <A>(self: Effect.Effect<A, FetchFailed | BudgetExceeded>) =>
      // The shared retry policy (retryable errors only, Retry-After honoured); HostPolicy also holds the
      // host's next start after a 429/503, so other requests to it wait too.
      retrying({ base: "250 millis", cap: "10 seconds", times: settings.retries })(self).pipe(
        Effect.catchIf(
          (error): error is FetchFailed => error._tag === "FetchFailed" && error.retryable,
          (error) =>
            Effect.fail(
              new FetchFailed({
                ...error,
                retryable: false,
                detail: `${error.detail} (after ${settings.retries} retries)`
              })
            )
        )
      )

    const robotsOf = (url: URL): Effect.Effect<RobotsRules, BudgetExceeded> =>
      robotsCache
        .rulesFor(
          url.origin,
          fetchRobots(url).pipe(Effect.map((answer) => rulesOf(url.origin, answer, userAgentFor(url.host))))
        )
        .pipe(
          Effect.tap((rules) => {
            if (rules.crawlDelay !== undefined) hosts.setCrawlDelay(url.host, rules.crawlDelay)
          })
        )

    const fetchRobots = (url: URL): Effect.Effect<RobotsAnswer, BudgetExceeded> =>
      fetchUrl({
        url: `${url.origin}/robots.txt`,
        hostClass: "robots",
        ignoreRobots: true,
        maxBytes: ROBOTS_MAX_BYTES
      }).pipe(
        Effect.map((response): RobotsAnswer => ({ status: response.status, text: response.text().text })),
        Effect.catchTag("FetchFailed", (error) =>
          Effect.succeed(
            // RFC 9309: only an unreachable robots.txt (network, 5xx) closes the site; one that cannot be
            // used (too many redirects, too large, not text) counts as absent.
            error.reason === "network" ||
              error.reason === "timeout" ||
              error.reason === "status" ||
              error.reason === "circuit_open"
              ? { failed: error.message }
              : { status: 404, text: "" }
          )
        )
      )

    const fromCache = (
      entry: CachedResponse,
      how: "hit" | "revalidated",
      fetchedAt: number,
      started: number
    ): FetchResponse => {
      const headers: Record<string, string> = { ...entry.headers }
      if (isPermanentRedirect(entry.status)) headers.location = entry.finalUrl
      const contentType = headers["content-type"] ?? null
      return {
        url: entry.url,
        finalUrl: isPermanentRedirect(entry.status) ? entry.url : entry.finalUrl,
        status: entry.status,
        headers,
        contentType,
        body: entry.body,
        text: lazyText(entry.body, contentType),
        cache: how,
        redirects: [],
        fetchedAt,
        elapsedMs: performance.now() - started
      }
    }

    const fetchUrl = (request: FetchRequest): Effect.Effect<FetchResponse, FetchFailed | BudgetExceeded> =>
      Effect.gen(function* () {
        const started = performance.now()
        const hostClass = request.hostClass ?? "site"
        const method = (request.method ?? "GET").toUpperCase()
        const first = parseHttpUrl(request.url)
        if (first === undefined) {
          return yield* new FetchFailed({
            url: request.url,
            reason: "invalid_url",
            detail: "not an http(s) URL",
            retryable: false
          })
        }
        const store = method === "GET" && request.cache !== false ? openCache() : undefined
        const cached = store?.lookup(first.href)
        const maxBytes = request.maxBytes ?? settings.maxBodyBytes
        const accept = request.accept ?? []
        const redirects: string[] = []
        const seen = new Set<string>([first.href])
        let firstHopCached = false
        let current = first
        let method_ = method
        let body = request.body
        /** The next URL of a redirect, or why it cannot be followed. */
        const follow = (location: string, from: URL): URL | FetchFailed => {
          const next = parseHttpUrl(location, from)
          if (next === undefined) {
            return new FetchFailed({
              url: from.href,
              reason: "redirects",
              detail: `redirect to an unusable location ${JSON.stringify(location)}`,
              retryable: false
            })
          }
          if (seen.has(next.href)) {
            return new FetchFailed({
              url: request.url,
              reason: "redirects",
              detail: `redirect loop: ${[...redirects, from.href, next.href].join(" -> ")}`,
              retryable: false
            })
          }
          if (redirects.length >= settings.maxRedirects) {
            return new FetchFailed({
              url: request.url,
              reason: "redirects",
              detail: `more than ${settings.maxRedirects} redirects`,
              retryable: false
            })
          }
          redirects.push(from.href)
          seen.add(next.href)
          return next
        }
        for (;;) {
          // A fresh cache entry answers this hop: a page (or missing page), or a permanent redirect to follow.
          const entry = store === undefined ? undefined : current === first ? cached : store.lookup(current.href)
          // Without redirect following, an answer stored under the URL it was redirected from is not this URL's.
          const usable =
            entry !== undefined &&
            (request.followRedirects !== false || entry.finalUrl === entry.url || isPermanentRedirect(entry.status))
          if (usable && entry !== undefined && store !== undefined && store.isFresh(entry, Date.now())) {
            stats.cache_hits++
            httpCache.inc({ host_class: hostClass, result: "hit" })
            if (isPermanentRedirect(entry.status) && request.followRedirects !== false) {
              if (current === first) firstHopCached = true
              const next = follow(entry.finalUrl, current)
              if (next instanceof FetchFailed) return yield* next
              current = next
              continue
            }
            return { ...fromCache(entry, "hit", entry.fetchedAt, started), url: request.url, redirects }
          }
          if (settings.respectRobots && request.ignoreRobots !== true) {
            const rules = yield* robotsOf(current)
            if (!rules.allows(current.href)) {
              stats.robots_skips++
              httpRobotsSkips.inc({ host_class: hostClass })
              if (Option.isSome(events)) {
                yield* events.value.emit("http.robots_skip", { url: current.href, robots: rules.source })
              }
              return yield* new FetchFailed({
                url: current.href,
                reason: "robots",
                detail:
                  rules.source === "unreachable"
                    ? "robots.txt could not be fetched (5xx or network): the site is treated as closed"
                    : "robots.txt disallows it",
                retryable: false
              })
            }
          }
          const conditional: Record<string, string> = {}
          if (cached !== undefined && current === first) {
            const etag = cached.headers.etag
            const lastModified = cached.headers["last-modified"]
            if (etag) conditional["if-none-match"] = etag
            if (lastModified) conditional["if-modified-since"] = lastModified
          }
          const attempt = { count: 0 }
          const result = yield* withRetries(
            hop(current, method_, { ...request.headers, ...conditional }, body, accept, maxBytes, hostClass, attempt)
          )
          if (result.kind === "redirect") {
            if (request.followRedirects === false) {
              return answer(request.url, current, result.status, result.headers, new Uint8Array(0), redirects, started)
            }
            const next = follow(result.location, current)
            if (next instanceof FetchFailed) return yield* next
            if (store !== undefined && isPermanentRedirect(result.status)) {
              if (current === first) firstHopCached = true
              store.store({
                url: current.href,
                finalUrl: next.href,
                status: result.status,
                headers: cacheableHeaders(result.headers),
                body: new Uint8Array(0),
                fetchedAt: Date.now()
              })
            }
            if (result.status === 303 || ((result.status === 301 || result.status === 302) && method_ === "POST")) {
              method_ = "GET"
              body = undefined
            }
            current = next
            continue
          }
          if (result.status === 304 && current === first && cached !== undefined && store !== undefined) {
            const at = Date.now()
            store.revalidated(first.href, at)
            stats.cache_revalidated++
            httpCache.inc({ host_class: hostClass, result: "revalidated" })
            return fromCache(cached, "revalidated", at, started)
          }
          if (store !== undefined) {
            stats.cache_misses++
            httpCache.inc({ host_class: hostClass, result: "miss" })
          }
          const response = answer(request.url, current, result.status, result.headers, result.body, redirects, started)
          if (store !== undefined && isCacheable(result.status)) {
            const entry = {
              url: first.href,
              finalUrl: current.href,
              status: result.status,
              headers: cacheableHeaders(result.headers),
              body: result.body,
              fetchedAt: response.fetchedAt
            }
            // Under the final URL, so a later request for it (a browser following the same redirect) hits;
            // under the first URL too unless that one is cached as a permanent redirect of its own.
            if (!firstHopCached) store.store(entry)
            if (current.href !== first.href) store.store({ ...entry, url: current.href })
          }
          return store === undefined ? { ...response, cache: "off" as const } : response
        }
      })

    return {
      fetch: fetchUrl,
      robots: (url) => {
        const parsed = parseHttpUrl(url)
        return parsed === undefined ? Effect.succeed(rulesOf("", { status: 404, text: "" }, "")) : robotsOf(parsed)
      },
      settings,
      stats: () => structuredClone(stats)
    } satisfies HttpFetcherShape
  })

const answer = (
  requested: string,
  final: URL,
  status: number,
  headers: Headers,
  body: Uint8Array,
  redirects: ReadonlyArray<string>,
  started: number
): FetchResponse => {
  const contentType = headers.get("content-type")
  return {
    url: requested,
    finalUrl: final.href,
    status,
    headers: Object.fromEntries(headers as unknown as Iterable<[string, string]>),
    contentType,
    body,
    text: lazyText(body, contentType),
    cache: "miss",
    redirects,
    fetchedAt: Date.now(),
    elapsedMs: performance.now() - started
  }
}

const lazyText = (body: Uint8Array, contentType: string | null): (() => Decoded) => {
  let decoded: Decoded | undefined
  return () => {
    decoded ??= decodeBody(body, contentType)
    return decoded
  }
}

const parseHttpUrl = (text: string, base?: URL): URL | undefined => {
  try {
    const url = new URL(text, base)
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined
    url.hash = ""
    return url
  } catch {
    return undefined
  }
}
