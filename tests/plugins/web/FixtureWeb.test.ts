/**
 * The fixture web through real `fetch(url, { proxy })`: deterministic sites and bytes, links and
 * ground truth that agree with the pages, charsets, robots.txt, hostile hosts, the request log,
 * the control host, and stop() with a request still pending.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import {
  CONTROL_HOST,
  type FixtureWeb,
  type LogEntry,
  startFixtureWeb
} from "../../../plugins/web/fixture/FixtureWeb.ts"
import { HOSTILE_HOSTS, HOSTILE_LIMITS, HOSTILE_TEXT } from "../../../plugins/web/fixture/hostile.ts"
import { escapeHtml } from "../../../plugins/web/fixture/render.ts"
import { type GroundTruth, generateSites, luhnValid, type SiteSpec } from "../../../plugins/web/fixture/sites.ts"

const SEED = 7
let web: FixtureWeb

beforeAll(async () => {
  web = await startFixtureWeb({ seed: SEED, sites: 40 })
})
afterAll(async () => {
  await web.stop()
})

const get = (url: string, init: RequestInit = {}) => fetch(url, { ...init, proxy: web.proxyUrl })

const bytesOf = async (url: string, init: RequestInit = {}) =>
  new Uint8Array(await (await get(url, init)).arrayBuffer())

const decode = (site: SiteSpec, bytes: Uint8Array): string =>
  new TextDecoder(site.charset === "utf-8" ? "utf-8" : "windows-1252").decode(bytes)

const siteWhere = (predicate: (site: SiteSpec) => boolean): SiteSpec => {
  const site = web.sites.find(predicate)
  if (site === undefined) throw new Error("no site with the wanted quirk")
  return site
}

const hrefs = (html: string, base: string): string[] =>
  [...html.matchAll(/href="([^"]+)"/g)].map((match) => new URL(match[1]!.replace(/&amp;/g, "&"), base).href)

describe("generated sites", () => {
  it("are the same for the same seed and differ for another seed", () => {
    const again = generateSites({ seed: SEED, count: 40 })
    expect(JSON.stringify(again)).toBe(JSON.stringify(web.sites))
    expect(JSON.stringify(generateSites({ seed: SEED + 1, count: 40 }))).not.toBe(JSON.stringify(web.sites))
  })

  it("have unique lowercase ascii domains and Luhn-valid SIREN/SIRET", () => {
    const domains = web.sites.map((site) => site.domain)
    expect(new Set(domains).size).toBe(domains.length)
    for (const site of web.sites) {
      expect(site.domain).toMatch(/^[a-z0-9-]+\.(fr|com)$/)
      expect(luhnValid(site.siren)).toBe(true)
      expect(luhnValid(site.siret)).toBe(true)
      expect(site.siret.startsWith(site.siren)).toBe(true)
      // Overseas departments have their own country codes (Réunion +262 262…).
      for (const phone of site.phones) expect(phone.e164).toMatch(/^\+(33[1-79]\d{8}|(262|590|594|596)\d{9})$/)
    }
  })

  it("use the given companies' SIRET and name, one site per company", () => {
    const companies = [
      { siret: "55208131766522", name: "Électricité de l’Ouest", city: "Nantes", postcode: "44000" },
      { siret: "40483304800022", name: "Boulangerie Martin & Fils" }
    ]
    const sites = generateSites({ seed: 3, count: 10, companies })
    expect(sites.map((site) => [site.siret, site.siren, site.name])).toEqual([
      ["55208131766522", "552081317", "Électricité de l’Ouest"],
      ["40483304800022", "404833048", "Boulangerie Martin & Fils"]
    ])
    expect(sites[0]!.domain).toMatch(/^electricite-de-l-ouest-0000\.(fr|com)$/)
    expect(sites[0]!.address.city).toBe("Nantes")
  })

  it("serve the same bytes for the same seed", async () => {
    const other = await startFixtureWeb({ seed: SEED, sites: 40 })
    try {
      for (const site of web.sites.slice(0, 5)) {
        for (const page of site.pages) {
          const url = `http://${site.domain}${page.path}`
          const mine = await bytesOf(url, { headers: { "accept-encoding": "identity" } })
          const theirs = new Uint8Array(
            await (
              await fetch(url, { proxy: other.proxyUrl, headers: { "accept-encoding": "identity" } })
            ).arrayBuffer()
          )
          expect(mine.length).toBeGreaterThan(4000)
          expect(Bun.hash(theirs)).toBe(Bun.hash(mine))
        }
      }
    } finally {
      await other.stop()
    }
  })
})

describe("site pages", () => {
  it("link the home page to its contact and legal pages", async () => {
    const site = siteWhere(
      (candidate) =>
        !candidate.jsOnly &&
        ["contact", "legal"].every((kind) =>
          candidate.pages.some((page) => page.kind === kind && page.placement !== "sitemap")
        )
    )
    const home = `http://${site.domain}${site.homePath}`
    const links = hrefs(decode(site, await bytesOf(home)), home)
    for (const kind of ["contact", "legal"] as const) {
      const page = site.pages.find((candidate) => candidate.kind === kind)!
      expect(links).toContain(`http://${site.domain}${page.linkPath}`)
      const response = await get(`http://${site.domain}${page.linkPath}`)
      expect(response.status).toBe(200)
      expect(new URL(response.url).pathname).toBe(page.path)
    }
  })

  it("link some pages through an old path that 301-redirects to the real one", async () => {
    const site = siteWhere(
      (candidate) =>
        !candidate.jsOnly && candidate.pages.some((page) => page.linkPath !== page.path && page.placement !== "sitemap")
    )
    const page = site.pages.find((candidate) => candidate.linkPath !== candidate.path)!
    const home = `http://${site.domain}${site.homePath}`
    expect(hrefs(decode(site, await bytesOf(home)), home)).toContain(`http://${site.domain}${page.linkPath}`)
    const moved = await get(`http://${site.domain}${page.linkPath}`, { redirect: "manual" })
    expect([moved.status, moved.headers.get("location")]).toEqual([301, page.path])
  })

  it("show every ground-truth email, phone and the SIRET on a static (non JS-only) site", async () => {
    // Sites that obfuscate their emails are read in FixtureTraps.test.ts.
    const plain = web.sites.filter((candidate) => !candidate.jsOnly && candidate.traps.obfuscation === undefined)
    for (const site of plain.slice(0, 12)) {
      const texts: string[] = []
      for (const page of site.pages) texts.push(decode(site, await bytesOf(`http://${site.domain}${page.path}`)))
      const all = texts.join("\n")
      for (const email of site.emails) expect(all).toContain(email)
      for (const phone of site.phones) expect(all).toContain(escapeHtml(phone.display).replaceAll("\u00a0", "&nbsp;"))
      if (site.pages.some((page) => page.kind === "legal")) expect(all.replace(/ /g, "")).toContain(site.siret)
    }
  })

  it("hide the emails of a JS-only site from a static fetch", async () => {
    const site = siteWhere((candidate) => candidate.jsOnly)
    const html = decode(site, await bytesOf(`http://${site.domain}${site.homePath}`))
    expect(html).toContain('<div id="root"></div>')
    for (const email of site.emails) expect(html).not.toContain(email)
  })

  it("encode windows-1252 sites in windows-1252, declared in the Content-Type header", async () => {
    const site = siteWhere((candidate) => candidate.charset === "windows-1252" && !candidate.jsOnly)
    const response = await get(`http://${site.domain}${site.homePath}`)
    expect(response.headers.get("content-type")).toBe("text/html; charset=windows-1252")
    const bytes = new Uint8Array(await response.arrayBuffer())
    expect(new TextDecoder("windows-1252").decode(bytes)).toContain(`<h1>${escapeHtml(site.name)}</h1>`)
    expect(new TextDecoder("windows-1252").decode(bytes)).toContain("Accueil")
  })

  it("declare ISO-8859-1 only in a meta tag", async () => {
    const site = siteWhere((candidate) => candidate.charsetDeclaration === "meta" && !candidate.jsOnly)
    const response = await get(`http://${site.domain}${site.homePath}`)
    expect(response.headers.get("content-type")).toBe("text/html")
    expect(await response.text()).toMatch(/<meta (charset="iso-8859-1"|http-equiv="Content-Type")/)
  })

  it("redirect / to /fr/ where the home page lives there", async () => {
    const site = siteWhere((candidate) => candidate.homePath === "/fr/")
    const response = await get(`http://${site.domain}/`, { redirect: "manual" })
    expect(response.status).toBe(301)
    expect(response.headers.get("location")).toBe("/fr/")
  })

  it("serve robots.txt with the disallowed page, and sitemap.xml", async () => {
    const site = siteWhere((candidate) => candidate.robots.disallow.some((path) => path !== "/wp-admin/"))
    const truth = web.truth.find((entry) => entry.domain === site.domain)!
    const robots = await (await get(`http://${site.domain}/robots.txt`)).text()
    for (const path of truth.robotsDisallow) expect(robots).toContain(`Disallow: ${path}\n`)
    const withSitemap = siteWhere((candidate) => candidate.pages.some((page) => page.placement === "sitemap"))
    expect(await (await get(`http://${withSitemap.domain}/robots.txt`)).text()).toContain(
      `Sitemap: http://${withSitemap.domain}/sitemap.xml`
    )
    const sitemap = await (await get(`http://${withSitemap.domain}/sitemap.xml`)).text()
    for (const page of withSitemap.pages)
      expect(sitemap).toContain(`<loc>http://${withSitemap.domain}${page.path}</loc>`)
  })

  it("gzip bodies of gzip sites when asked, and answer 404 for unknown paths", async () => {
    const site = siteWhere((candidate) => candidate.gzip)
    const url = `http://${site.domain}${site.homePath}`
    const raw = await get(url, { headers: { "accept-encoding": "gzip" }, decompress: false } as RequestInit)
    expect(raw.headers.get("content-encoding")).toBe("gzip")
    const compressed = new Uint8Array(await raw.arrayBuffer())
    const plain = await bytesOf(url, { headers: { "accept-encoding": "identity" } })
    expect(Bun.gunzipSync(compressed)).toEqual(plain)
    expect((await get(`http://${site.domain}/nope`)).status).toBe(404)
  })
})

describe("hostile hosts", () => {
  it("answer 429 with Retry-After twice per path, then 200", async () => {
    const url = `http://${HOSTILE_HOSTS.rateLimited}/page-429`
    const statuses: number[] = []
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await get(url)
      statuses.push(response.status)
      if (response.status === 429) expect(response.headers.get("retry-after")).toBe("1")
      await response.arrayBuffer()
    }
    expect(statuses).toEqual([429, 429, 200])
  })

  it("answer 503 three times per path, then 200", async () => {
    const statuses: number[] = []
    for (let attempt = 0; attempt < 4; attempt++)
      statuses.push((await get(`http://${HOSTILE_HOSTS.flaky503}/x`)).status)
    expect(statuses).toEqual([503, 503, 503, 200])
    expect((await get(`http://${HOSTILE_HOSTS.flaky503}/y`)).status).toBe(503)
    expect((await get(`http://${HOSTILE_HOSTS.error500}/`)).status).toBe(500)
  })

  it("redirect in a loop and along a 30-hop chain", async () => {
    const a = await get(`http://${HOSTILE_HOSTS.redirectLoop}/a`, { redirect: "manual" })
    const b = await get(`http://${HOSTILE_HOSTS.redirectLoop}/b`, { redirect: "manual" })
    expect([a.status, a.headers.get("location"), b.status, b.headers.get("location")]).toEqual([302, "/b", 302, "/a"])
    let url = `http://${HOSTILE_HOSTS.redirectChain}/`
    let hops = 0
    for (;;) {
      const response = await get(url, { redirect: "manual" })
      if (response.status < 300 || response.status >= 400) break
      hops++
      url = new URL(response.headers.get("location")!, url).href
    }
    expect(hops).toBe(HOSTILE_LIMITS.redirectChainHops)
  })

  it("serve windows-1252 bytes under a utf-8 header and with no charset", async () => {
    for (const host of [HOSTILE_HOSTS.wrongCharset, HOSTILE_HOSTS.missingCharset]) {
      const bytes = await bytesOf(`http://${host}/`)
      expect(new TextDecoder("windows-1252").decode(bytes)).toContain(HOSTILE_TEXT)
      expect(new TextDecoder("utf-8").decode(bytes)).not.toContain(HOSTILE_TEXT)
    }
  })

  it("cut the connection mid-body, send a gzip bomb, disallow everything, serve non-HTML", async () => {
    const reset = await get(`http://${HOSTILE_HOSTS.connectionReset}/`)
    expect(reset.status).toBe(200)
    await expect(reset.text()).rejects.toThrow()
    const bomb = await get(`http://${HOSTILE_HOSTS.gzipBomb}/`, {
      headers: { "accept-encoding": "gzip" },
      decompress: false
    } as RequestInit)
    expect(bomb.headers.get("content-encoding")).toBe("gzip")
    expect((await bomb.arrayBuffer()).byteLength).toBeLessThan(1_100_000)
    expect(await (await get(`http://${HOSTILE_HOSTS.robotsDisallowAll}/robots.txt`)).text()).toContain("Disallow: /\n")
    expect((await get(`http://${HOSTILE_HOSTS.nonHtml}/`)).headers.get("content-type")).toBe("application/pdf")
    expect((await get(`http://${HOSTILE_HOSTS.nonHtml}/logo.png`)).headers.get("content-type")).toBe("image/png")
  })

  it("answer 502 for an unknown host", async () => {
    const response = await get("http://no-such-company.example/")
    expect(response.status).toBe(502)
    expect(await response.text()).toContain("unknown host")
  })
})

describe("request log and control host", () => {
  it("counts exactly the requests made, per host and path", async () => {
    web.clearLog()
    const site = web.sites[1]!
    const urls = [
      `http://${site.domain}/`,
      `http://${site.domain}/`,
      `http://${site.domain}/robots.txt`,
      `http://${HOSTILE_HOSTS.redirectLoop}/a`,
      "http://unknown.example/x?y=1"
    ]
    await Promise.all(urls.map(async (url) => (await get(url, { redirect: "manual" })).arrayBuffer()))
    await (await get(`http://${CONTROL_HOST}/log`)).arrayBuffer()
    const log = web.requestLog()
    const count = (host: string, path: string) =>
      log.filter((entry) => entry.host === host && entry.path === path).length
    expect(log.length).toBe(urls.length)
    expect(count(site.domain, "/")).toBe(2)
    expect(count(site.domain, "/robots.txt")).toBe(1)
    expect(count(HOSTILE_HOSTS.redirectLoop, "/a")).toBe(1)
    expect(count("unknown.example", "/x?y=1")).toBe(1)
    const home = log.find((entry) => entry.host === site.domain && entry.path === "/")!
    expect(home.status).toBe(site.homePath === "/" ? 200 : 301)
    expect(home.bytes).toBeGreaterThan(0)
    expect(new Set(log.map((entry) => entry.seq)).size).toBe(log.length)
  })

  it("serves the log, clears it and serves the truth on fixture.control", async () => {
    web.clearLog()
    await (await get(`http://${web.sites[0]!.domain}/`)).arrayBuffer()
    const log = (await (await get(`http://${CONTROL_HOST}/log`)).json()) as LogEntry[]
    expect(log.map((entry) => entry.host)).toEqual([web.sites[0]!.domain])
    expect((await get(`http://${CONTROL_HOST}/log/clear`, { method: "POST" })).status).toBe(200)
    expect(web.requestLog()).toEqual([])
    const truth = (await (await get(`http://${CONTROL_HOST}/truth`)).json()) as GroundTruth[]
    expect(truth).toEqual(JSON.parse(JSON.stringify(web.truth)))
    expect(web.requestLog()).toEqual([])
  })
})

describe("stop", () => {
  it("ends while a request to the never-answering host is pending", async () => {
    const local = await startFixtureWeb({ seed: 1, sites: 2 })
    const pending = fetch(`http://${HOSTILE_HOSTS.neverAnswers}/`, { proxy: local.proxyUrl }).then(
      (response) => response.status,
      () => "failed"
    )
    for (let wait = 0; wait < 100 && local.requestLog().length === 0; wait++) await Bun.sleep(5)
    expect(local.requestLog().map((entry) => [entry.host, entry.status])).toEqual([[HOSTILE_HOSTS.neverAnswers, 0]])
    const started = performance.now()
    await local.stop()
    expect(performance.now() - started).toBeLessThan(1000)
    expect(await pending).toBe("failed")
  })
})
