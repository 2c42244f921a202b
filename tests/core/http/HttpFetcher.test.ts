import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import { Budget, type BudgetLimits } from "../../../core/Budget.ts"
import { HttpFetcher, type HttpFetcherShape } from "../../../core/http/HttpFetcher.ts"
import { defaultHttpSettings, type HttpSettings } from "../../../core/http/HttpSettings.ts"
import { metricsRegistry } from "../../../core/Metrics.ts"

/** A tiny web behind a proxy port: each test host answers in its own way; every request is logged. */
interface Hit {
  readonly host: string
  readonly path: string
  readonly at: number
  readonly headers: Headers
}
const hits: Hit[] = []
const inFlight = new Map<string, number>()
const maxInFlight = new Map<string, number>()
const counters = new Map<string, number>()
const bump = (key: string) => {
  const n = (counters.get(key) ?? 0) + 1
  counters.set(key, n)
  return n
}
const page = (body: string, type = "text/html; charset=utf-8", extra: Record<string, string> = {}) =>
  new Response(body, { headers: { "content-type": type, ...extra } })

const handlers: Record<string, (url: URL, req: Request) => Response | Promise<Response>> = {
  "plain.test": (url) =>
    url.pathname === "/robots.txt" ? new Response("nope", { status: 404 }) : page(`<h1>plain ${url.pathname}</h1>`),
  "latin.test": (url) =>
    url.pathname === "/robots.txt"
      ? new Response("", { status: 404 })
      : new Response(new Uint8Array([...Buffer.from("<p>Soci"), 0xe9, ...Buffer.from("t\u00e9")]), {
          headers: { "content-type": "text/html; charset=windows-1252" }
        }),
  "robots.test": (url) =>
    url.pathname === "/robots.txt"
      ? page(
          "User-agent: *\nDisallow: /private\nCrawl-delay: 0.2\nSitemap: http://robots.test/sitemap.xml",
          "text/plain"
        )
      : page(`ok ${url.pathname}`),
  "limited.test": async (url) => {
    if (url.pathname === "/robots.txt") return new Response("", { status: 404 })
    const n = bump(`limited${url.pathname}`)
    return n <= 2 ? new Response("slow down", { status: 429, headers: { "retry-after": "1" } }) : page("finally")
  },
  "forever.test": (url) =>
    url.pathname === "/robots.txt"
      ? new Response("", { status: 404 })
      : new Response("come back tomorrow", { status: 429, headers: { "retry-after": "86400" } }),
  "burst.test": (url) => {
    if (url.pathname === "/robots.txt") return new Response("", { status: 404 })
    return bump(`burst${url.pathname}`) <= 2 ? new Response("busy", { status: 503 }) : page("recovered")
  },
  "down.test": (url) =>
    url.pathname === "/robots.txt" ? new Response("", { status: 404 }) : new Response("broken", { status: 500 }),
  "loop.test": (url) =>
    url.pathname === "/robots.txt"
      ? new Response("", { status: 404 })
      : new Response(null, { status: 302, headers: { location: url.pathname === "/a" ? "/b" : "/a" } }),
  "hops.test": (url) => {
    if (url.pathname === "/robots.txt") return new Response("", { status: 404 })
    const n = Number(url.pathname.slice(1) || "0")
    return n < 3 ? new Response(null, { status: 301, headers: { location: `/${n + 1}` } }) : page("landed")
  },
  "bomb.test": (url) =>
    url.pathname === "/robots.txt"
      ? new Response("", { status: 404 })
      : new Response(bomb, { headers: { "content-type": "text/html", "content-encoding": "gzip" } }),
  "huge.test": (url) =>
    url.pathname === "/robots.txt"
      ? new Response("", { status: 404 })
      : new Response(
          new ReadableStream({
            pull(controller) {
              controller.enqueue(new Uint8Array(64 * 1024).fill(65))
            }
          }),
          { headers: { "content-type": "text/html" } }
        ),
  "drip.test": (url) =>
    url.pathname === "/robots.txt"
      ? new Response("", { status: 404 })
      : new Response(
          new ReadableStream({
            async pull(controller) {
              await Bun.sleep(100)
              controller.enqueue(new Uint8Array([65]))
            }
          }),
          { headers: { "content-type": "text/html" } }
        ),
  // robots.txt drips forever the first time it is asked for, then is missing.
  "slowrobots.test": (url) =>
    url.pathname === "/robots.txt" && bump("slowrobots") === 1
      ? new Response(
          new ReadableStream({
            async pull(controller) {
              await Bun.sleep(100)
              controller.enqueue(new Uint8Array([65]))
            }
          }),
          { headers: { "content-type": "text/plain" } }
        )
      : url.pathname === "/robots.txt"
        ? new Response("", { status: 404 })
        : page(`slow robots ${url.pathname}`),
  "br.test": (url) =>
    url.pathname === "/robots.txt"
      ? new Response("", { status: 404 })
      : new Response(brotliCompressSync(Buffer.from("<p>Compressé en brotli</p>".repeat(50))), {
          headers: { "content-type": "text/html; charset=utf-8", "content-encoding": "br" }
        }),
  "deflate.test": (url) =>
    url.pathname === "/robots.txt"
      ? new Response("", { status: 404 })
      : new Response(deflateSync(Buffer.from("<p>deflate</p>".repeat(50))), {
          headers: { "content-type": "text/html", "content-encoding": "deflate" }
        }),
  "pdf.test": (url) =>
    url.pathname === "/robots.txt" ? new Response("", { status: 404 }) : page("%PDF-1.4 ...", "application/pdf"),
  "etag.test": (url, req) => {
    if (url.pathname === "/robots.txt") return new Response("", { status: 404 })
    if (req.headers.get("if-none-match") === '"v1"') return new Response(null, { status: 304 })
    return page("versioned", "text/html", { etag: '"v1"' })
  },
  "busy.test": async (url) => {
    if (url.pathname === "/robots.txt") return new Response("", { status: 404 })
    await Bun.sleep(30)
    return page("x".repeat(1000))
  }
}
const bomb = gzipSync(new Uint8Array(64 * 1024 * 1024))

let server: ReturnType<typeof Bun.serve>
let proxy = ""
beforeAll(() => {
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 30,
    async fetch(req) {
      const url = new URL(req.url)
      hits.push({ host: url.hostname, path: url.pathname, at: Date.now(), headers: req.headers })
      const now = (inFlight.get(url.hostname) ?? 0) + 1
      inFlight.set(url.hostname, now)
      maxInFlight.set(url.hostname, Math.max(maxInFlight.get(url.hostname) ?? 0, now))
      try {
        const handler = handlers[url.hostname]
        return handler ? await handler(url, req) : new Response("unknown host", { status: 502 })
      } finally {
        inFlight.set(url.hostname, (inFlight.get(url.hostname) ?? 1) - 1)
      }
    }
  })
  proxy = `http://127.0.0.1:${server.port}`
})
afterAll(() => server.stop(true))

const hitsOf = (host: string) => hits.filter((hit) => hit.host === host)

const settings = (overrides: Partial<HttpSettings> = {}): HttpSettings => ({
  ...defaultHttpSettings,
  proxies: [proxy],
  perHostRps: 1000,
  retries: 3,
  cacheFile: undefined,
  ...overrides
})

const withFetcher = <A, E>(
  options: Partial<HttpSettings>,
  use: (fetcher: HttpFetcherShape) => Effect.Effect<A, E>,
  limits: BudgetLimits = {}
): Promise<A> =>
  Effect.runPromise(
    Effect.scoped(
      Effect.flatMap(HttpFetcher, use).pipe(
        Effect.provide(Layer.provideMerge(HttpFetcher.layer(settings(options)), Budget.layer(limits)))
      )
    )
  )

const failureOf = <A, E extends { _tag: string }>(effect: Effect.Effect<A, E>) =>
  Effect.flip(effect) as Effect.Effect<E & Record<string, unknown>>

describe("HttpFetcher", () => {
  test("fetches through the proxy (absolute-form) and decodes windows-1252", async () => {
    const response = await withFetcher({}, (f) => f.fetch({ url: "http://latin.test/" }))
    expect(response.status).toBe(200)
    expect(response.text()).toMatchObject({ text: "<p>Sociét\u00c3\u00a9", charset: "windows-1252", source: "header" })
    expect(response.cache).toBe("off")
  })

  test("br and deflate bodies are decompressed; wire bytes are the compressed ones", async () => {
    const result = await withFetcher({}, (f) =>
      Effect.all([f.fetch({ url: "http://br.test/" }), f.fetch({ url: "http://deflate.test/" })]).pipe(
        Effect.map((responses) => ({ texts: responses.map((r) => r.text().text), stats: f.stats() }))
      )
    )
    expect(result.texts).toEqual(["<p>Compressé en brotli</p>".repeat(50), "<p>deflate</p>".repeat(50)])
    expect(result.stats.bytes).toBeLessThan(200)
  })

  test("without a job proxy, HTTP_PROXY from the environment is used", async () => {
    const saved = process.env.HTTP_PROXY
    process.env.HTTP_PROXY = proxy
    try {
      const response = await withFetcher({ proxies: [] }, (f) => f.fetch({ url: "http://plain.test/from-env" }))
      expect(new TextDecoder().decode(response.body)).toBe("<h1>plain /from-env</h1>")
    } finally {
      if (saved === undefined) delete process.env.HTTP_PROXY
      else process.env.HTTP_PROXY = saved
    }
  })

  test("a list of proxies is used in turn", async () => {
    const seen: string[] = []
    const second = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch(req) {
        seen.push(new URL(req.url).pathname)
        return new URL(req.url).pathname === "/robots.txt" ? new Response("", { status: 404 }) : page("second")
      }
    })
    try {
      const before = hitsOf("plain.test").length
      const bodies = await withFetcher({ proxies: [proxy, `http://127.0.0.1:${second.port}`] }, (f) =>
        Effect.forEach([1, 2, 3, 4], (n) =>
          f.fetch({ url: `http://plain.test/rotate/${n}` }).pipe(Effect.map((r) => new TextDecoder().decode(r.body)))
        )
      )
      // robots.txt went to the first proxy, then pages alternate.
      expect(bodies).toEqual(["second", "<h1>plain /rotate/2</h1>", "second", "<h1>plain /rotate/4</h1>"])
      expect(hitsOf("plain.test").length - before).toBe(3)
      expect(seen).toEqual(["/rotate/1", "/rotate/3"])
    } finally {
      second.stop(true)
    }
  })

  test("robots.txt: fetched once per origin, disallowed paths skipped and counted, Crawl-delay spaces requests", async () => {
    const before = hitsOf("robots.test").length
    const result = await withFetcher({}, (f) =>
      Effect.gen(function* () {
        const skipped = yield* failureOf(f.fetch({ url: "http://robots.test/private/page" }))
        const pages = yield* Effect.all(
          [1, 2, 3].map((n) => f.fetch({ url: `http://robots.test/p${n}` })),
          { concurrency: 3 }
        )
        const rules = yield* f.robots("http://robots.test/")
        return { skipped, pages, stats: f.stats(), sitemaps: rules.sitemaps }
      })
    )
    expect(result.skipped).toMatchObject({ _tag: "FetchFailed", reason: "robots" })
    expect(result.pages.map((p) => p.status)).toEqual([200, 200, 200])
    expect(result.stats.robots_skips).toBe(1)
    expect(result.sitemaps).toEqual(["http://robots.test/sitemap.xml"])
    const mine = hitsOf("robots.test").slice(before)
    expect(mine.filter((h) => h.path === "/robots.txt")).toHaveLength(1)
    expect(mine.some((h) => h.path.startsWith("/private"))).toBe(false)
    const starts = mine.filter((h) => h.path.startsWith("/p")).map((h) => h.at)
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(180)
    expect(result.stats.requests).toBe(4)
  })

  test("429 with Retry-After: waits, retries and succeeds; every attempt is a counted request", async () => {
    const started = Date.now()
    const result = await withFetcher({}, (f) =>
      f.fetch({ url: "http://limited.test/x" }).pipe(Effect.map((r) => ({ r, stats: f.stats() })))
    )
    expect(result.r.status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900)
    expect(result.stats.retries).toBe(2)
    expect(result.stats.by_status).toMatchObject({ "429": 2, "200": 1, "404": 1 })
    expect(result.stats.requests).toBe(4)
  })

  test("Prometheus series by host class and status, without host names or URLs as labels", async () => {
    await withFetcher({}, (f) => f.fetch({ url: "http://plain.test/metrics-check" }))
    const text = await metricsRegistry.metrics()
    expect(text).toMatch(/http_requests_total\{host_class="robots",status="404"\} \d+/)
    expect(text).toMatch(/http_requests_total\{host_class="site",status="200"\} \d+/)
    expect(text).toContain("http_request_duration_seconds_bucket")
    expect(text).toContain("http_response_bytes_total")
    expect(text).not.toContain("plain.test")
  })

  test("a Retry-After beyond a minute gives the URL up at once instead of holding the run", async () => {
    const started = Date.now()
    const failure = await withFetcher({}, (f) => failureOf(f.fetch({ url: "http://forever.test/x" })))
    expect(failure).toMatchObject({ reason: "status", status: 429, retryable: false })
    expect(String(failure.detail)).toContain("asks to wait 86400 s")
    expect(Date.now() - started).toBeLessThan(2000)
  })

  test("5xx burst is retried; a permanent 500 fails after the retries, then opens the host's breaker", async () => {
    const ok = await withFetcher({}, (f) => f.fetch({ url: "http://burst.test/y" }))
    expect(ok.status).toBe(200)
    const down = await withFetcher({ retries: 2 }, (f) =>
      Effect.gen(function* () {
        const first = yield* failureOf(f.fetch({ url: "http://down.test/1" }))
        const second = yield* failureOf(f.fetch({ url: "http://down.test/2" }))
        const sent = hitsOf("down.test").filter((h) => h.path !== "/robots.txt").length
        const third = yield* failureOf(f.fetch({ url: "http://down.test/3" }))
        const sentAfter = hitsOf("down.test").filter((h) => h.path !== "/robots.txt").length
        return { first, second, third, sent, sentAfter }
      })
    )
    expect(down.first).toMatchObject({ reason: "status", status: 500 })
    // 3 attempts for the first URL, then the fifth failure in a row opens the breaker mid-way through the second.
    expect(down.sent).toBe(5)
    expect(down.second).toMatchObject({ reason: "circuit_open" })
    expect(down.third).toMatchObject({ reason: "circuit_open" })
    expect(down.sentAfter).toBe(down.sent)
  })

  test("redirects: followed hop by hop, loops and long chains refused", async () => {
    const result = await withFetcher({ maxRedirects: 5 }, (f) =>
      Effect.gen(function* () {
        const landed = yield* f.fetch({ url: "http://hops.test/0" })
        const loop = yield* failureOf(f.fetch({ url: "http://loop.test/a" }))
        return { landed, loop }
      })
    )
    expect(result.landed.finalUrl).toBe("http://hops.test/3")
    expect(result.landed.redirects).toEqual(["http://hops.test/0", "http://hops.test/1", "http://hops.test/2"])
    expect(result.loop).toMatchObject({ reason: "redirects" })
    expect(String(result.loop.detail)).toContain("loop")
    const tooMany = await withFetcher({ maxRedirects: 2 }, (f) => failureOf(f.fetch({ url: "http://hops.test/0" })))
    expect(tooMany).toMatchObject({ reason: "redirects" })
  })

  test("a gzip bomb, an endless body and a slow drip end bounded, as failures", async () => {
    const started = Date.now()
    const result = await withFetcher({ maxBodyBytes: 1024 * 1024, timeoutMs: 1500, retries: 0 }, (f) =>
      Effect.all(
        [
          failureOf(f.fetch({ url: "http://bomb.test/" })),
          failureOf(f.fetch({ url: "http://huge.test/" })),
          failureOf(f.fetch({ url: "http://drip.test/" }))
        ],
        { concurrency: 3 }
      )
    )
    expect(result.map((e) => e.reason)).toEqual(["too_large", "too_large", "timeout"])
    expect(Date.now() - started).toBeLessThan(5000)
  })

  test("content types outside `accept` are refused before their body is read", async () => {
    const failure = await withFetcher({}, (f) =>
      failureOf(f.fetch({ url: "http://pdf.test/doc", accept: ["text/html"] }))
    )
    expect(failure).toMatchObject({ reason: "content_type" })
  })

  test("the request budget is never exceeded: robots.txt and redirect hops count", async () => {
    const before = hitsOf("hops.test").length
    const failure = await withFetcher({}, (f) => failureOf(f.fetch({ url: "http://hops.test/0", cache: false })), {
      max_http_requests: 3
    })
    expect(failure).toMatchObject({ _tag: "BudgetExceeded", budget: "http_requests", limit: 3, used: 3 })
    expect(hitsOf("hops.test").length - before).toBe(3)
  })

  test("the byte budget is never exceeded", async () => {
    const outcome = await withFetcher(
      { maxBodyBytes: 64 * 1024 * 1024 },
      (f) =>
        Effect.gen(function* () {
          const error = yield* failureOf(f.fetch({ url: "http://huge.test/" }))
          return { error, stats: f.stats() }
        }),
      { max_http_bytes: 300_000 }
    )
    expect(outcome.error).toMatchObject({ _tag: "BudgetExceeded", budget: "http_bytes" })
    expect(outcome.stats.bytes).toBeLessThanOrEqual(300_000)
  })

  test("an interrupted request gives its permits back, whether it was sending or still waiting, and is no failure of its host", async () => {
    const started = performance.now()
    const after = await withFetcher({ concurrency: 1, perHostConcurrency: 1, adaptive: false }, (f) =>
      Effect.gen(function* () {
        // The only global permit and drip.test's only host permit, held by a body that never ends.
        const sending = yield* Effect.fork(f.fetch({ url: "http://drip.test/endless" }))
        yield* Effect.sleep(300)
        // Queued behind it for the global permit.
        const waiting = yield* Effect.fork(f.fetch({ url: "http://plain.test/queued" }))
        yield* Effect.sleep(50)
        yield* Fiber.interrupt(waiting)
        yield* Fiber.interrupt(sending)
        // A leaked permit would hold these until the 20 s whole-request timeout.
        const other = yield* f.fetch({ url: "http://plain.test/after" })
        const sameHost = yield* f.fetch({ url: "http://drip.test/robots.txt", ignoreRobots: true })
        return { statuses: [other.status, sameHost.status], stats: f.stats() }
      })
    )
    expect(after.statuses).toEqual([200, 404])
    // Giving up is ours, not the host's: no failure is recorded (nor counted towards its breaker).
    expect(after.stats.failures).toEqual({})
    expect(Object.keys(after.stats.by_status).sort()).toEqual(["200", "404"])
    expect(performance.now() - started).toBeLessThan(3000)
  })

  test("a robots.txt load given up (its request interrupted) is not taken for an unreachable robots.txt", async () => {
    const status = await withFetcher({ retries: 0 }, (f) =>
      Effect.gen(function* () {
        const first = yield* Effect.fork(f.fetch({ url: "http://slowrobots.test/a" }))
        yield* Effect.sleep(250)
        yield* Fiber.interrupt(first)
        // Loaded again: missing, so the page is allowed (an unreachable one would close the site).
        return (yield* f.fetch({ url: "http://slowrobots.test/b" })).status
      })
    )
    expect(status).toBe(200)
  })

  test("per-host concurrency is a ceiling", async () => {
    maxInFlight.delete("busy.test")
    await withFetcher({ perHostConcurrency: 2, concurrency: 16 }, (f) =>
      Effect.all(
        Array.from({ length: 12 }, (_, i) => f.fetch({ url: `http://busy.test/${i}` })),
        { concurrency: "unbounded" }
      )
    )
    expect(maxInFlight.get("busy.test")).toBe(2)
  })

  test("cache: headers kept; a redirected page answers its final URL too; without following, a permanent redirect comes back with its Location", async () => {
    const cacheFile = join(mkdtempSync(join(tmpdir(), "filon-cache-")), "http.sqlite")
    const count = () => hitsOf("hops.test").filter((h) => h.path !== "/robots.txt").length
    const first = await withFetcher({ cacheFile, cacheTtlMs: 60_000 }, (f) => f.fetch({ url: "http://hops.test/0" }))
    expect(first.finalUrl).toBe("http://hops.test/3")
    const before = count()
    const later = await withFetcher({ cacheFile, cacheTtlMs: 60_000 }, (f) =>
      Effect.all([
        f.fetch({ url: "http://hops.test/3" }),
        f.fetch({ url: "http://hops.test/1", followRedirects: false }),
        f.fetch({ url: "http://hops.test/0", followRedirects: false })
      ])
    )
    expect(count()).toBe(before)
    expect(later[0]).toMatchObject({ cache: "hit", status: 200, contentType: "text/html; charset=utf-8" })
    expect(later[1]).toMatchObject({ cache: "hit", status: 301, headers: { location: "http://hops.test/2" } })
    expect(later[2]).toMatchObject({ cache: "hit", status: 301, headers: { location: "http://hops.test/1" } })
  })

  test("cache: a fresh entry answers without a request; a stale one is revalidated with If-None-Match", async () => {
    const cacheFile = join(mkdtempSync(join(tmpdir(), "filon-cache-")), "http.sqlite")
    const count = () => hitsOf("etag.test").filter((h) => h.path === "/v").length
    const first = await withFetcher({ cacheFile, cacheTtlMs: 60_000 }, (f) => f.fetch({ url: "http://etag.test/v" }))
    expect(first.cache).toBe("miss")
    const second = await withFetcher({ cacheFile, cacheTtlMs: 60_000 }, (f) => f.fetch({ url: "http://etag.test/v" }))
    expect(second.cache).toBe("hit")
    expect(new TextDecoder().decode(second.body)).toBe("versioned")
    expect(count()).toBe(1)
    const third = await withFetcher({ cacheFile, cacheTtlMs: 0 }, (f) => f.fetch({ url: "http://etag.test/v" }))
    expect(third.cache).toBe("revalidated")
    expect(new TextDecoder().decode(third.body)).toBe("versioned")
    expect(count()).toBe(2)
    expect(hitsOf("etag.test").at(-1)?.headers.get("if-none-match")).toBe('"v1"')
  })
})
