import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  type BrowserPool,
  BrowserPoolClosed,
  type FetchThrough,
  openBrowserPool,
  type ThroughRequest
} from "../../../plugins/web/headless/BrowserPool.ts"
import {
  browserAvailability,
  chromiumPath,
  clearBrowserAvailabilityCache,
  DEFAULT_CHROMIUM_PATH
} from "../../../plugins/web/headless/Chromium.ts"
import { needsBrowser, visibleText } from "../../../plugins/web/headless/needsBrowser.ts"

const executablePath = chromiumPath()
const availability = await browserAvailability(executablePath)
const hasChromium = availability.ok
if (!availability.ok) console.warn(`BrowserPool rendering tests skipped: ${availability.reason}`)
const browserTest = test.skipIf(!hasChromium)

const MARKER = "x-filon-through"
const html = (body: string, head = "") =>
  new Response(`<!doctype html><html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`, {
    headers: { "content-type": "text/html; charset=utf-8" }
  })

/** The fixture site, with a log of what reached it. */
const makeSite = () => {
  const seen: string[] = []
  const leaks: string[] = []
  const inflight = { now: 0, max: 0 }
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request, srv) {
      const path = new URL(request.url).pathname
      seen.push(path)
      // Everything must come through fetchThrough, which marks its requests; an unmarked one escaped the pool.
      if (request.headers.get(MARKER) !== "1") leaks.push(path)
      switch (path) {
        case "/js":
          return html(
            `<div id="root"></div><script>document.getElementById("root").innerHTML =
              "<p>Écrivez à " + ["contact", "example-js.fr"].join("@") + " ou appelez le 01 " + "23 45 67 89</p>"</script>`
          )
        case "/ext":
          return html(`<div id="app"></div><script src="/app.js"></script>`)
        case "/app.js":
          return new Response(
            `document.getElementById("app").textContent = "Written by app.js: " + ["info", "example-ext.fr"].join("@")`,
            { headers: { "content-type": "text/javascript" } }
          )
        case "/media":
          return html(
            `<h1>Media</h1><img src="/pic.png" alt="pic"><video src="/clip.mp4" autoplay muted></video>`,
            `<style>@font-face { font-family: Fixture; src: url("/font.woff2") format("woff2") }
              body { font-family: Fixture, sans-serif }</style>`
          )
        case "/pic.png":
        case "/font.woff2":
        case "/clip.mp4":
          return new Response("binary", { status: 200 })
        case "/never":
          return html(`<p>before the script</p><script src="/hang.js"></script><p>after</p>`)
        case "/hang.js":
          return new Promise<Response>(() => undefined)
        case "/moved":
          return new Response(null, { status: 302, headers: { location: "/moved-again" } })
        case "/moved-again":
          return new Response(null, { status: 301, headers: { location: `http://127.0.0.1:${srv.port}/js` } })
        case "/ext-moved":
          return html(`<div id="app"></div><script src="/old-app.js"></script>`)
        case "/old-app.js":
          return new Response(null, { status: 301, headers: { location: "/app.js" } })
        case "/gone":
          return html("<p>no such page</p>")
            .text()
            .then((body) => new Response(body, { status: 404 }))
        case "/ws":
          return html(`<p id="state">socket page</p><script>
            const socket = new WebSocket("ws://" + location.host + "/socket")
            socket.onclose = () => { document.getElementById("state").textContent = "socket closed" }
          </script>`)
        case "/socket":
          leaks.push("/socket (websocket)")
          return srv.upgrade(request) ? undefined : new Response("no", { status: 400 })
        default:
          if (path.startsWith("/slow/")) {
            inflight.now++
            inflight.max = Math.max(inflight.max, inflight.now)
            await Bun.sleep(150)
            inflight.now--
            return html(`<p>slow page ${path}</p>`)
          }
          return new Response("not found", { status: 404 })
      }
    },
    websocket: { message() {} }
  })
  return { server, seen, leaks, inflight, base: `http://127.0.0.1:${server.port}` }
}

/** fetchThrough over `fetch`, counting calls and documents in flight. */
const makeFetchThrough = () => {
  const calls: ThroughRequest[] = []
  const documents = { now: 0, max: 0 }
  const fetchThrough: FetchThrough = async (request) => {
    calls.push(request)
    const isDocument = request.resourceType === "document"
    if (isDocument) {
      documents.now++
      documents.max = Math.max(documents.max, documents.now)
    }
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers: { ...request.headers, [MARKER]: "1" },
        ...(request.body ? { body: request.body } : {}),
        redirect: "manual"
      })
      return {
        status: response.status,
        headers: Object.fromEntries(response.headers),
        body: new Uint8Array(await response.arrayBuffer())
      }
    } catch (error) {
      return { error: String(error) }
    } finally {
      if (isDocument) documents.now--
    }
  }
  return { fetchThrough, calls, documents }
}

const poolOptions = (fetchThrough: FetchThrough) => ({
  executablePath,
  contexts: 2,
  pagesPerContext: 20,
  pagesPerBrowser: 200,
  navigationTimeoutMs: 5_000,
  settleMs: 200,
  fetchThrough
})

describe("chromiumPath and browserAvailability", () => {
  const temp = mkdtempSync(join(tmpdir(), "filon-chromium-"))
  afterAll(() => rmSync(temp, { recursive: true, force: true }))

  test("FILON_CHROMIUM_PATH overrides the default path", () => {
    expect(chromiumPath({})).toBe(DEFAULT_CHROMIUM_PATH)
    expect(chromiumPath({ FILON_CHROMIUM_PATH: "  " })).toBe(DEFAULT_CHROMIUM_PATH)
    expect(chromiumPath({ FILON_CHROMIUM_PATH: "/opt/chromium/chrome" })).toBe("/opt/chromium/chrome")
  })

  test("a missing executable is not available, with a reason saying how to fix it", async () => {
    const result = await browserAvailability("/nonexistent/filon/chromium")
    expect(result).toEqual({
      ok: false,
      path: "/nonexistent/filon/chromium",
      reason: "no browser at /nonexistent/filon/chromium (set FILON_CHROMIUM_PATH or apt-get install chromium)"
    })
  })

  test("a file that is not executable, or whose --version fails, is not available", async () => {
    const plain = join(temp, "plain")
    writeFileSync(plain, "not a browser")
    chmodSync(plain, 0o644)
    const notExecutable = await browserAvailability(plain)
    expect(notExecutable.ok).toBe(false)
    if (!notExecutable.ok) expect(notExecutable.reason).toContain("not executable")

    const failing = join(temp, "failing")
    writeFileSync(failing, "#!/bin/sh\nexit 3\n")
    chmodSync(failing, 0o755)
    clearBrowserAvailabilityCache()
    const broken = await browserAvailability(failing)
    expect(broken.ok).toBe(false)
    if (!broken.ok) expect(broken.reason).toContain("--version exited with 3")
    expect(await browserAvailability(failing, { checkVersion: false })).toEqual({ ok: true, path: failing })
  })

  browserTest("the system Chromium is available and reports its version", async () => {
    const result = await browserAvailability(executablePath)
    expect(result.ok).toBe(true)
    if (result.ok) expect(result.version ?? "").toContain("Chromium")
  })

  test("a pool cannot open on a missing browser", async () => {
    const { fetchThrough } = makeFetchThrough()
    const opening = openBrowserPool({ ...poolOptions(fetchThrough), executablePath: "/nonexistent/filon/chromium" })
    await expect(opening).rejects.toThrow()
  })
})

describe("needsBrowser", () => {
  const prose =
    "La société Exemple SARL fabrique des pièces mécaniques de précision à Lyon depuis 1987. " +
    "Contactez notre équipe commerciale pour un devis : nous répondons sous 48 heures ouvrées. " +
    "Nos ateliers sont certifiés ISO 9001 et emploient quarante techniciens qualifiés."

  test("an empty SPA shell needs a browser", () => {
    const shell = `<html><head><title>App</title><script src="/main.js"></script></head>
      <body><div id="root"></div></body></html>`
    expect(needsBrowser(shell)).toMatchObject({ needed: true })
    expect(needsBrowser(shell).reason).toContain("#root")
    expect(needsBrowser(`<body><div id="__next"> </div><script src="/_next/x.js"></script></body>`).needed).toBe(true)
  })

  test("a noscript asking for JavaScript, or little text with scripts, needs a browser", () => {
    const noscript = `<body><noscript>Vous devez activer JavaScript pour utiliser ce site.</noscript>
      <div class="shell">Chargement…</div></body>`
    expect(needsBrowser(noscript)).toMatchObject({ needed: true })
    expect(needsBrowser(noscript).reason).toContain("noscript")
    expect(needsBrowser(`<body><p>Loading</p><script>render()</script></body>`).needed).toBe(true)
  })

  test("a normal content page does not, even with scripts; nor does a short page without scripts", () => {
    const page = `<html><head><script src="/analytics.js"></script><style>p { color: red }</style></head>
      <body><h1>Exemple SARL</h1><p>${prose}</p><script>track()</script></body></html>`
    expect(visibleText(page).length).toBeGreaterThan(200)
    expect(needsBrowser(page)).toMatchObject({ needed: false })
    expect(needsBrowser("<body><p>Mentions légales</p></body>")).toMatchObject({ needed: false })
  })

  test("stays fast on large pages", () => {
    const big = `<body>${`<div class="row"><span>${prose}</span><script>x()</script></div>`.repeat(5_000)}</body>`
    const started = performance.now()
    expect(needsBrowser(big).needed).toBe(false)
    expect(performance.now() - started).toBeLessThan(500)
  })
})

describe("BrowserPool rendering", () => {
  let site: ReturnType<typeof makeSite>
  let through: ReturnType<typeof makeFetchThrough>
  let pool: BrowserPool
  let launchMs = 0

  beforeAll(async () => {
    if (!hasChromium) return
    site = makeSite()
    through = makeFetchThrough()
    const started = performance.now()
    pool = await openBrowserPool(poolOptions(through.fetchThrough))
    launchMs = performance.now() - started
  })

  afterAll(async () => {
    if (!hasChromium) return
    await pool.close()
    site.server.stop(true)
  })

  browserTest("launches quickly", () => {
    expect(launchMs).toBeLessThan(10_000)
    expect(pool.stats().browser_launches).toBe(1)
  })

  browserTest("renders content written by an inline script", async () => {
    const result = await pool.render(`${site.base}/js`)
    expect(result.error).toBeUndefined()
    expect(result.status).toBe(200)
    expect(result.text).toContain("contact@example-js.fr")
    expect(result.text).toContain("01 23 45 67 89")
    expect(result.html).toContain("contact@example-js.fr")
    expect(result.url).toBe(`${site.base}/js`)
    expect(result.requests).toBe(1)
  })

  browserTest("fetches external scripts through fetchThrough", async () => {
    const result = await pool.render(`${site.base}/ext`)
    expect(result.error).toBeUndefined()
    expect(result.text).toContain("Written by app.js: info@example-ext.fr")
    expect(result.requests).toBe(2)
    const script = through.calls.find((call) => call.url === `${site.base}/app.js`)
    expect(script?.resourceType).toBe("script")
    expect(script?.method).toBe("GET")
  })

  browserTest("blocks images, fonts and media without fetching them", async () => {
    const callsBefore = through.calls.length
    const result = await pool.render(`${site.base}/media`)
    expect(result.error).toBeUndefined()
    expect(result.text).toContain("Media")
    expect(result.blocked).toBeGreaterThanOrEqual(3)
    expect(pool.stats().blocked).toBeGreaterThanOrEqual(3)
    const fetched = through.calls.slice(callsBefore).map((call) => new URL(call.url).pathname)
    expect(fetched).toEqual(["/media"])
    for (const path of ["/pic.png", "/font.woff2", "/clip.mp4"]) expect(site.seen).not.toContain(path)
  })

  browserTest("follows a redirect answered through fetchThrough and reports the final URL", async () => {
    const result = await pool.render(`${site.base}/moved`)
    expect(result.error).toBeUndefined()
    expect(result.url).toBe(`${site.base}/js`)
    expect(result.status).toBe(200)
    expect(result.text).toContain("contact@example-js.fr")
  })

  browserTest("follows redirects of subresources through fetchThrough", async () => {
    const result = await pool.render(`${site.base}/ext-moved`)
    expect(result.error).toBeUndefined()
    expect(result.text).toContain("Written by app.js: info@example-ext.fr")
    expect(result.requests).toBe(3)
  })

  browserTest("reports HTTP errors as statuses, not failures", async () => {
    const result = await pool.render(`${site.base}/gone`)
    expect(result.error).toBeUndefined()
    expect(result.status).toBe(404)
    expect(pool.stats().by_status["404"]).toBe(1)
  })

  browserTest("a page that never finishes loading gives a result with an error", async () => {
    const hanging = await openBrowserPool({ ...poolOptions(through.fetchThrough), navigationTimeoutMs: 1_000 })
    try {
      const started = performance.now()
      const result = await hanging.render(`${site.base}/never`)
      expect(performance.now() - started).toBeLessThan(4_000)
      expect(result.error).toContain("Timeout")
      expect(result.status).toBe(200)
      expect(result.text).toContain("before the script")
      expect(hanging.stats()).toMatchObject({ pages: 1, navigation_errors: 1, navigations_ok: 0 })
    } finally {
      await hanging.close()
    }
  })

  browserTest("an unreachable site gives a result with an error", async () => {
    const result = await pool.render("http://127.0.0.1:9/nothing-listens-here")
    expect(result.error).toBeDefined()
    expect(result.status).toBeNull()
  })

  browserTest("refuses URLs the browser would load by itself", async () => {
    for (const url of ["file:///etc/passwd", "chrome://version", "data:text/html,<p>hi</p>"]) {
      const result = await pool.render(url)
      expect(result.error).toContain("unsupported URL")
      expect(result.text).toBe("")
    }
  })

  browserTest("websockets never leave the browser", async () => {
    const result = await pool.render(`${site.base}/ws`)
    expect(result.error).toBeUndefined()
    await Bun.sleep(100)
    expect(site.seen).not.toContain("/socket")
  })

  browserTest("nothing reached the site except through fetchThrough", () => {
    expect(site.leaks).toEqual([])
    expect(site.seen.length).toBeGreaterThan(0)
  })
})

describe("BrowserPool bounds and recycling", () => {
  browserTest(
    "never renders more than `contexts` pages at once, recycles contexts and relaunches the browser",
    async () => {
      const site = makeSite()
      const through = makeFetchThrough()
      const pool = await openBrowserPool({
        ...poolOptions(through.fetchThrough),
        contexts: 2,
        pagesPerContext: 2,
        pagesPerBrowser: 4,
        settleMs: 50
      })
      try {
        const started = performance.now()
        const results = await Promise.all(Array.from({ length: 6 }, (_, i) => pool.render(`${site.base}/slow/${i}`)))
        const elapsed = performance.now() - started
        for (const [i, result] of results.entries()) {
          expect(result.error).toBeUndefined()
          expect(result.text).toContain(`slow page /slow/${i}`)
        }
        expect(through.documents.max).toBe(2)
        expect(site.inflight.max).toBe(2)
        expect(site.leaks).toEqual([])
        const stats = pool.stats()
        expect(stats).toMatchObject({ pages: 6, navigations_ok: 6, navigation_errors: 0, requests: 6 })
        expect(stats.by_status).toEqual({ "200": 6 })
        expect(stats.context_recycles).toBeGreaterThanOrEqual(2)
        expect(stats.browser_launches).toBeGreaterThanOrEqual(2)
        expect(stats.nav_ms_max).toBeGreaterThanOrEqual(150)
        expect(stats.nav_ms_total).toBeGreaterThanOrEqual(6 * 150)
        console.info(
          `BrowserPool timings: 6 renders in ${Math.round(elapsed)} ms, ` +
            `${Math.round(stats.nav_ms_total / stats.pages)} ms per page, ${stats.browser_launches} launches`
        )
      } finally {
        await pool.close()
        site.server.stop(true)
      }
    }
  )

  browserTest.skipIf(!existsSync("/proc/self/stat"))("relaunches the browser after it dies", async () => {
    const site = makeSite()
    const through = makeFetchThrough()
    const pool = await openBrowserPool({ ...poolOptions(through.fetchThrough), contexts: 1 })
    try {
      expect((await pool.render(`${site.base}/js`)).error).toBeUndefined()
      // Our own children running with the pool's dead proxy: the browser this pool launched.
      const browsers = readdirSync("/proc")
        .filter((entry) => /^\d+$/.test(entry))
        .filter((pid) => {
          try {
            const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
            const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
            return parent === process.pid && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("127.0.0.1:9")
          } catch {
            return false
          }
        })
      expect(browsers.length).toBe(1)
      process.kill(Number(browsers[0]), "SIGKILL")
      await Bun.sleep(300)
      const after = await pool.render(`${site.base}/js`)
      expect(after.error).toBeUndefined()
      expect(after.text).toContain("contact@example-js.fr")
      expect(pool.stats().browser_launches).toBe(2)
    } finally {
      await pool.close()
      site.server.stop(true)
    }
  })

  browserTest("close() is idempotent, rejects queued renders and later renders", async () => {
    const site = makeSite()
    const through = makeFetchThrough()
    const pool = await openBrowserPool({ ...poolOptions(through.fetchThrough), contexts: 1 })
    try {
      const first = pool.render(`${site.base}/slow/a`)
      const queued = pool.render(`${site.base}/slow/b`).then(
        () => "rendered",
        (error: unknown) => error
      )
      await Bun.sleep(50)
      await Promise.all([pool.close(), pool.close()])
      await pool.close()
      expect(await queued).toBeInstanceOf(BrowserPoolClosed)
      const inFlight = await first
      expect(inFlight.error).toBeDefined()
      await expect(pool.render(`${site.base}/js`)).rejects.toBeInstanceOf(BrowserPoolClosed)
    } finally {
      site.server.stop(true)
    }
  })
})
