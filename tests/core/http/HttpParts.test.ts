import { describe, expect, test } from "bun:test"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { AdaptiveLimit } from "../../../core/http/AdaptiveLimit.ts"
import { decodeBody } from "../../../core/http/Charset.ts"
import { Gate } from "../../../core/http/Gate.ts"
import { HttpCache } from "../../../core/http/HttpCache.ts"
import { bypassesProxy, httpSettingsOf } from "../../../core/http/HttpSettings.ts"
import { productToken, rulesOf } from "../../../core/http/Robots.ts"

const latin1 = (text: string) => new Uint8Array([...text].map((c) => c.charCodeAt(0)))

describe("charset decoding", () => {
  test("header, meta, BOM, UTF-8 by default, and a wrong UTF-8 declaration falls back to windows-1252", () => {
    expect(decodeBody(latin1("Soci\u00e9t\u00e9"), "text/html; charset=ISO-8859-1")).toMatchObject({
      text: "Société",
      source: "header"
    })
    const meta = latin1('<meta charset="windows-1252"><p>Caf\u00e9 \u0080</p>')
    meta[meta.length - 5] = 0x80
    expect(decodeBody(meta, "text/html")).toMatchObject({ charset: "windows-1252", source: "meta" })
    expect(decodeBody(meta, "text/html").text).toContain("Café €")
    expect(decodeBody(new TextEncoder().encode("\ufeffÉté"), null)).toMatchObject({ text: "Été", source: "bom" })
    expect(decodeBody(new TextEncoder().encode("Été"), null)).toMatchObject({ text: "Été", source: "default" })
    expect(decodeBody(latin1("Soci\u00e9t\u00e9"), "text/html; charset=utf-8")).toMatchObject({
      text: "Société",
      charset: "windows-1252",
      source: "fallback"
    })
    expect(decodeBody(latin1("Soci\u00e9t\u00e9"), null)).toMatchObject({ text: "Société", source: "fallback" })
  })

  test("the header's charset wins over <meta>; an unknown header label leaves it to <meta>, and decoders are reused", () => {
    const meta = latin1('<meta charset="windows-1252"><p>Caf\u00e9</p>')
    expect(decodeBody(meta, "text/html; charset=iso-8859-15")).toMatchObject({
      charset: "iso-8859-15",
      source: "header"
    })
    expect(decodeBody(meta, "text/html; charset=x-no-such-charset")).toMatchObject({
      charset: "windows-1252",
      source: "meta",
      text: '<meta charset="windows-1252"><p>Café</p>'
    })
    // The same labels again (cached decoders, the unknown one included) give the same answers.
    expect(decodeBody(meta, "text/html; charset=x-no-such-charset")).toMatchObject({ source: "meta" })
    expect(decodeBody(latin1("\u00e9t\u00e9"), "text/html; charset=iso-8859-15").text).toBe("été")
  })
})

describe("HTTP cache", () => {
  test("fresh by the reader's TTL; entries older than ten TTLs (at least 30 days) are pruned", () => {
    const cache = new HttpCache(":memory:", 3600_000)
    const entry = (url: string, fetchedAt: number) => ({
      url,
      finalUrl: url,
      status: 200,
      headers: { "content-type": "text/html" },
      body: new TextEncoder().encode("x"),
      fetchedAt
    })
    const now = Date.now()
    cache.store(entry("http://a.fr/recent", now - 1000))
    cache.store(entry("http://a.fr/stale", now - 2 * 3600_000))
    cache.store(entry("http://a.fr/ancient", now - 40 * 24 * 3600_000))
    expect(cache.isFresh(cache.lookup("http://a.fr/recent")!, now)).toBe(true)
    expect(cache.isFresh(cache.lookup("http://a.fr/stale")!, now)).toBe(false)
    expect(cache.prune(now)).toBe(1)
    expect(cache.lookup("http://a.fr/ancient")).toBeUndefined()
    expect(cache.lookup("http://a.fr/stale")).toBeDefined()
    cache.close()
  })
})

describe("NO_PROXY", () => {
  test("names match themselves and their sub-domains; ports and * are understood", () => {
    const url = new URL("http://www.acme.fr/contact")
    expect(bypassesProxy(url, "acme.fr")).toBe(true)
    expect(bypassesProxy(url, ".acme.fr")).toBe(true)
    expect(bypassesProxy(url, "other.fr, localhost")).toBe(false)
    expect(bypassesProxy(url, "acme.fr:8080")).toBe(false)
    expect(bypassesProxy(url, "*")).toBe(true)
    expect(bypassesProxy(url, undefined)).toBe(false)
  })
})

describe("settings from the job", () => {
  test("job keys over the defaults; a proxy list rotates; cache under FILON_DATA_DIR; ttl 0 turns it off", () => {
    const settings = httpSettingsOf(
      { http: { proxy: ["http://p1:1", "http://p2:2"], per_host_rps: 0.5, cache_ttl_hours: 1 } },
      { FILON_DATA_DIR: "/tmp/d" }
    )
    expect(settings.proxies).toEqual(["http://p1:1", "http://p2:2"])
    expect(settings.perHostRps).toBe(0.5)
    expect(settings.cacheFile).toBe("/tmp/d/cache/http.sqlite")
    expect(httpSettingsOf({ http: { cache_ttl_hours: 0 } }, {}).cacheFile).toBeUndefined()
  })
})

describe("robots rules", () => {
  test("groups match the product token; 4xx allows all, 5xx and failures disallow all", () => {
    expect(productToken("FilonBot/0.1 (+https://x)")).toBe("FilonBot")
    const rules = rulesOf(
      "http://a.fr",
      { status: 200, text: "User-agent: FilonBot\nDisallow: /x\n\nUser-agent: *\nDisallow: /" },
      "FilonBot/0.1"
    )
    expect(rules.allows("http://a.fr/page")).toBe(true)
    expect(rules.allows("http://a.fr/x/1")).toBe(false)
    expect(rulesOf("http://a.fr", { status: 404, text: "" }, "FilonBot").allows("http://a.fr/")).toBe(true)
    expect(rulesOf("http://a.fr", { status: 503, text: "" }, "FilonBot").allows("http://a.fr/")).toBe(false)
    expect(rulesOf("http://a.fr", { failed: "reset" }, "FilonBot").allows("http://a.fr/")).toBe(false)
  })
})

describe("adaptive concurrency", () => {
  test("grows while healthy, up to the ceiling; cuts on errors; off means fixed", () => {
    const pool = new AdaptiveLimit({ max: 40, initial: 4 })
    // Slow start: the limit doubles with each healthy window (20 answers at least).
    for (let i = 0; i < 20; i++) pool.record("ok", 20)
    expect(pool.limit).toBe(8)
    for (let i = 0; i < 20; i++) pool.record("ok", 20)
    expect(pool.limit).toBe(16)
    for (let i = 0; i < 400; i++) pool.record("ok", 20)
    expect(pool.limit).toBe(40)
    expect(new AdaptiveLimit({ max: 40 }).limit).toBe(16)
    expect(new AdaptiveLimit({ max: 10 }).limit).toBe(10)
    const troubled = new AdaptiveLimit({ max: 40, initial: 40 })
    for (let i = 0; i < 40; i++) troubled.record(i % 4 === 0 ? "error" : "ok", 20)
    expect(troubled.limit).toBe(28)
    // After a cut, growth is additive.
    for (let i = 0; i < 28; i++) troubled.record("ok", 20)
    expect(troubled.limit).toBe(29)
    // Answers more than 3x as slow as the best window: back off.
    for (let i = 0; i < 29; i++) troubled.record("ok", 70)
    expect(troubled.limit).toBe(20)
    const memory = new AdaptiveLimit({ max: 10, initial: 10, memoryCeilingBytes: 1, readRss: () => 2 })
    for (let i = 0; i < 20; i++) memory.record("ok", 20)
    expect(memory.limit).toBe(7)
    expect(new AdaptiveLimit({ max: 10, adaptive: false }).limit).toBe(10)
    // At a low limit, windows are still 20 answers: one error among them is not 5% trouble.
    const low = new AdaptiveLimit({ max: 4, initial: 4 })
    for (let i = 0; i < 20; i++) low.record(i === 0 ? "timeout" : "ok", 20)
    expect(low.limit).toBe(4)
  })

  test("the gate never lets more than its limit through, and an interrupted waiter gives its turn back", async () => {
    const gate = new Gate(2)
    let inside = 0
    let most = 0
    const work = gate.with(
      Effect.gen(function* () {
        inside++
        most = Math.max(most, inside)
        yield* Effect.sleep(5)
        inside--
      })
    )
    await Effect.runPromise(
      Effect.all(
        Array.from({ length: 20 }, () => work),
        { concurrency: "unbounded" }
      )
    )
    expect(most).toBe(2)
    await Effect.runPromise(
      Effect.gen(function* () {
        const holder = yield* Effect.fork(gate.with(Effect.never))
        const holder2 = yield* Effect.fork(gate.with(Effect.never))
        yield* Effect.sleep(1)
        const waiter = yield* Effect.fork(gate.with(Effect.void))
        yield* Effect.sleep(1)
        expect(gate.waiting).toBe(1)
        yield* Fiber.interrupt(waiter)
        expect(gate.waiting).toBe(0)
        yield* Fiber.interrupt(holder)
        yield* Fiber.interrupt(holder2)
        expect(gate.active).toBe(0)
      })
    )
  })
})
