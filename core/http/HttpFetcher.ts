/**
 * HttpFetcher: the only way out to the network. Every request a step makes, and every request the
 * headless browser makes, goes through `fetch` here, which applies in order: the HTTP cache, robots.txt,
 * the per-host circuit breaker, per-host concurrency and spacing, the adaptive global limit, the
 * request budget (taken before the request is sent), the wire request (timeouts, size limits, byte
 * budget counted as the body arrives, decompression), retries on retryable outcomes only (honouring
 * Retry-After), and redirects hop by hop (each hop is a request like any other).
 *
 * `fetch` is one effect (typed errors, interruption) around a plain-promise request path (see
 * `fromPath`; docs/decisions/007-http-layer.md); the retry schedule is the shared Effect one,
 * entered only after a retryable failure.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { Budget, BudgetExceeded } from "../Budget.ts"
import { EventLog } from "../EventLog.ts"
import { retryingAfter } from "../Retry.ts"
import { AdaptiveLimit, type Outcome } from "./AdaptiveLimit.ts"
import { sleep } from "./abortable.ts"
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
  /**
   * `fetch` as a promise, failures as values; rejects (with the signal's reason) once `signal` aborts,
   * and never otherwise: for a step that
   * runs many requests inside one effect (crawl.site's per-site walk), where an effect per request
   * costs more CPU than the request.
   */
  readonly fetchAsync: (
    request: FetchRequest,
    signal: AbortSignal
  ) => Promise<FetchResponse | FetchFailed | BudgetExceeded>
  /** `robots` as a promise, a spent budget as a value. */
  readonly robotsAsync: (url: string, signal: AbortSignal) => Promise<RobotsRules | BudgetExceeded>
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

type Failure = FetchFailed | BudgetExceeded

/** One hop of a request (a redirect is the next hop), as it is sent and retried. */
interface HopRequest {
  readonly url: URL
  readonly method: string
  readonly headers: Record<string, string>
  readonly body: Uint8Array | string | undefined
  readonly accept: ReadonlyArray<string>
  readonly maxBytes: number
  readonly hostClass: HostClass
  /** Attempts made so far: every one after the first counts as a retry. */
  readonly attempt: { count: number }
}
type HopResult = Extract<WireResult, { kind: "response" | "redirect" }> | Failure

const isFailure = (value: unknown): value is Failure => value instanceof FetchFailed || value instanceof BudgetExceeded

/**
 * One effect around a plain-promise request path. Every request went through about fifty effect
 * steps (host permit, spacing, global permit, budget, robots lookup, retries, redirects), which cost
 * 100-140 µs of CPU a request against 23 µs for a bare fetch (measured: 10,000 requests on a local
 * server); in a crawl that busy event loop delays every answer. Failures are values on this path,
 * turned into the effect's typed errors here; interruption aborts the signal, which every wait honours.
 */
const fromPath = <R>(
  path: (signal: AbortSignal) => Promise<R>
): Effect.Effect<Exclude<R, Failure>, Extract<R, Failure>> =>
  Effect.flatMap(Effect.promise(path), (result) =>
    isFailure(result) ? Effect.fail(result as Extract<R, Failure>) : Effect.succeed(result as Exclude<R, Failure>)
  )

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

    /** One request on the wire under every limit; a retryable outcome is a retryable failure. */
    const hop = (request: HopRequest, signal: AbortSignal): Promise<HopResult> => {
      const { url, hostClass } = request
      // An abandoned request takes no turn (it would push the host's next start back for nothing).
      if (signal.aborted) return Promise.reject(signal.reason)
      const refused = hosts.refusal(url.host, url.href)
      if (refused !== undefined) return Promise.resolve(refused)
      return hosts.withTurn(url.host, signal, () =>
        // robots.txt first: it is small, and the crawl schedules whole sites on what it says.
        underPool(url.host, hostClass === "robots", signal, () => send(request, signal))
      )
    }

    /**
     * Runs `task` holding a global permit, once the host's spacing allows it. When the permit came
     * too soon after the host's previous request, it is given back while waiting (a permit never idles)
     * and taken again ahead of the queue.
     */
    const underPool = async <A>(
      host: string,
      urgent: boolean,
      signal: AbortSignal,
      task: () => Promise<A>
    ): Promise<A> => {
      for (let first = urgent; ; first = true) {
        if (!pool.gate.tryTake()) await pool.gate.wait(first, signal)
        const wait = hosts.startOrWait(host)
        if (wait <= 0) {
          try {
            return await task()
          } finally {
            pool.gate.release()
          }
        }
        pool.gate.release()
        await sleep(wait, signal)
      }
    }

    const send = async (request: HopRequest, signal: AbortSignal): Promise<HopResult> => {
      const { url, method, headers, body, accept, maxBytes, hostClass, attempt } = request
      signal.throwIfAborted()
      if (attempt.count++ > 0) {
        stats.retries++
        httpRetries.inc({ host_class: hostClass })
      }
      const denied = budget.tryAcquire("http_requests", 1)
      if (denied !== undefined) return denied
      stats.requests++
      const started = performance.now()
      const result = await sendOnce({
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
      // Interrupted while on the wire: giving up was ours, not the host's. Nothing is recorded (the
      // request unit stays spent: it was sent).
      signal.throwIfAborted()
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
          const usage = Effect.runSync(budget.usage)
          return new BudgetExceeded({
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
        return new FetchFailed({
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
          return new FetchFailed({
            url: url.href,
            reason: "status",
            status: result.status,
            detail: `the server answered ${result.status} and asks to wait ${Math.round(retryAfterMs / 1000)} s (more than ${MAX_RETRY_AFTER_MS / 1000} s)`,
            retryable: false
          })
        }
        if (throttled) hosts.throttled(url.host, retryAfterMs)
        return new FetchFailed({
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
    }

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

    const retryPolicy = { base: "250 millis", cap: "10 seconds", times: settings.retries } as const

    /**
     * A hop and, on a retryable failure, its retries: the shared retry schedule (retryable errors only,
     * Retry-After honoured), entered only when the first attempt failed. HostPolicy also holds the
     * host's next start after a 429/503, so other requests to it wait too.
     */
    const withRetries = async (attempt: (signal: AbortSignal) => Promise<HopResult>, signal: AbortSignal) => {
      const first = await attempt(signal)
      if (!(first instanceof FetchFailed) || !first.retryable) return first
      signal.throwIfAborted()
      const retried = await Effect.runPromise(Effect.either(retryingAfter(retryPolicy, first, fromPath(attempt))), {
        signal
      })
      if (retried._tag === "Right") return retried.right
      const error = retried.left
      return error instanceof FetchFailed && error.retryable
        ? new FetchFailed({ ...error, retryable: false, detail: `${error.detail} (after ${settings.retries} retries)` })
        : error
    }

    const robotsOf = (url: URL, signal: AbortSignal): Promise<RobotsRules | BudgetExceeded> =>
      robotsCache
        .rulesFor(
          url.origin,
          async () => {
            const answer = await fetchRobots(url, signal)
            return answer instanceof BudgetExceeded ? answer : rulesOf(url.origin, answer, userAgentFor(url.host))
          },
          signal
        )
        .then((rules) => {
          if (!(rules instanceof BudgetExceeded) && rules.crawlDelay !== undefined) {
            hosts.setCrawlDelay(url.host, rules.crawlDelay)
          }
          return rules
        })

    const fetchRobots = async (url: URL, signal: AbortSignal): Promise<RobotsAnswer | BudgetExceeded> => {
      const response = await fetchPath(
        { url: `${url.origin}/robots.txt`, hostClass: "robots", ignoreRobots: true, maxBytes: ROBOTS_MAX_BYTES },
        signal
      )
      if (response instanceof BudgetExceeded) return response
      if (!(response instanceof FetchFailed)) return { status: response.status, text: response.text().text }
      // RFC 9309: only an unreachable robots.txt (network, 5xx) closes the site; one that cannot be
      // used (too many redirects, too large, not text) counts as absent.
      return response.reason === "network" ||
        response.reason === "timeout" ||
        response.reason === "status" ||
        response.reason === "circuit_open"
        ? { failed: response.message }
        : { status: 404, text: "" }
    }

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

    const fetchPath = async (request: FetchRequest, signal: AbortSignal): Promise<FetchResponse | Failure> => {
      const started = performance.now()
      const hostClass = request.hostClass ?? "site"
      const method = (request.method ?? "GET").toUpperCase()
      const first = parseHttpUrl(request.url)
      if (first === undefined) {
        return new FetchFailed({
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
        // An abandoned request ends here, whatever would answer it (the cache, robots.txt, a redirect).
        signal.throwIfAborted()
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
            if (next instanceof FetchFailed) return next
            current = next
            continue
          }
          return { ...fromCache(entry, "hit", entry.fetchedAt, started), url: request.url, redirects }
        }
        if (settings.respectRobots && request.ignoreRobots !== true) {
          const rules = await robotsOf(current, signal)
          signal.throwIfAborted()
          if (rules instanceof BudgetExceeded) return rules
          if (!rules.allows(current.href)) {
            stats.robots_skips++
            httpRobotsSkips.inc({ host_class: hostClass })
            if (Option.isSome(events)) {
              await Effect.runPromise(
                events.value.emit("http.robots_skip", { url: current.href, robots: rules.source })
              )
            }
            return new FetchFailed({
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
        const hopRequest: HopRequest = {
          url: current,
          method: method_,
          headers: { ...request.headers, ...conditional },
          body,
          accept,
          maxBytes,
          hostClass,
          attempt: { count: 0 }
        }
        const result = await withRetries((hopSignal) => hop(hopRequest, hopSignal), signal)
        if (isFailure(result)) return result
        if (result.kind === "redirect") {
          if (request.followRedirects === false) {
            return answer(request.url, current, result.status, result.headers, new Uint8Array(0), redirects, started)
          }
          const next = follow(result.location, current)
          if (next instanceof FetchFailed) return next
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
    }

    const robotsAsync = (url: string, signal: AbortSignal): Promise<RobotsRules | BudgetExceeded> => {
      const parsed = parseHttpUrl(url)
      return parsed === undefined
        ? Promise.resolve(rulesOf("", { status: 404, text: "" }, ""))
        : robotsOf(parsed, signal)
    }

    return {
      fetch: (request) => fromPath((signal) => fetchPath(request, signal)),
      robots: (url) => fromPath((signal) => robotsAsync(url, signal)),
      fetchAsync: fetchPath,
      robotsAsync,
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
