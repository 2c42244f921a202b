/**
 * crawl.site and headless.collect end to end, through the real CLI, the real HttpFetcher and the
 * fixture web (reached as a proxy): what gets crawled, what the hostile hosts end as, that budgets
 * and robots.txt hold by the fixture's own request log, resume after SIGKILL, and the browser fallback.
 */

import { Database } from "bun:sqlite"
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { type FixtureWeb, startFixtureWeb } from "../../../plugins/web/fixture/FixtureWeb.ts"
import { HOSTILE_HOSTS } from "../../../plugins/web/fixture/hostile.ts"
import type { GroundTruth } from "../../../plugins/web/fixture/sites.ts"
import { browserAvailability, clearBrowserAvailabilityCache } from "../../../plugins/web/headless/Chromium.ts"
import { repoRoot, runBuiltinCli, tempDirs } from "../../cli/support.ts"

const dirs = tempDirs("crawl")

/** `filon <argv>` in this process, with the built-in plugins. */
/** `filon <argv>` in this process, with the built-in plugins and a data folder of its own. */
const runCli = runBuiltinCli
let web: FixtureWeb
let base: string
const browser = await browserAvailability()

/** The company list: every fixture site, then every hostile host. */
const writeCompanies = (file: string, truth: ReadonlyArray<GroundTruth>, hostile: ReadonlyArray<string>) => {
  const lines = ["siret,name,website"]
  for (const site of truth) lines.push(`${site.siret},"${site.name}",${site.domain}`)
  hostile.forEach((host, i) => lines.push(`${String(99000000000000 + i)},Hostile ${i},http://${host}/`))
  writeFileSync(file, `${lines.join("\n")}\n`)
}

const writeJob = (dir: string, steps: ReadonlyArray<string>, proxy: string, extra = "") => {
  writeFileSync(join(dir, "profile.yaml"), `description: crawl test\nsteps: [${steps.join(", ")}]\n`)
  const job = join(dir, "job.yaml")
  writeFileSync(
    job,
    `niche: crawl_test
profile: ./profile.yaml
http: { proxy: "${proxy}", per_host_rps: 20, timeout_ms: 3000, first_byte_timeout_ms: 1500, retries: 3, concurrency: 32 }
${extra}`
  )
  return job
}

const sitesTable = (out: string) => {
  const db = new Database(join(out, "pages/crawl.sqlite"), { readonly: true })
  try {
    return {
      sites: db
        .query<{ site: string; status: string; pages: number }, []>("SELECT site, status, pages FROM sites")
        .all(),
      pages: db
        .query<{ site: string; kind: string; url: string; needs_browser: number }, []>(
          "SELECT site, kind, url, needs_browser FROM pages"
        )
        .all()
    }
  } finally {
    db.close()
  }
}

const records = (out: string, step: string) =>
  readFileSync(join(out, "state/records", `${step}.jsonl`), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>)

beforeAll(async () => {
  web = await startFixtureWeb({ seed: 11, sites: 30 })
  base = dirs.make("base")
  process.env.FILON_DATA_DIR = join(base, "data")
})
afterAll(async () => {
  await web.stop()
  dirs.cleanup()
})

describe("crawl.site on the fixture web", () => {
  test("finds the contact and legal pages, obeys robots.txt, and every hostile host ends recorded and bounded", async () => {
    web.reset()
    const dir = dirs.make("full")
    const companies = join(dir, "companies.csv")
    writeCompanies(companies, web.truth, Object.values(HOSTILE_HOSTS))
    const job = writeJob(dir, ["dumps.collect", "crawl.site"], web.proxyUrl, "config: { crawl.site: { max_pages: 7 } }")
    const out = join(dir, "out")
    const started = Date.now()
    const result = await runCli(["run-profile", "--job", job, "--input", companies, "--out", out, "--json"], dir)
    expect(result.code).toBe(0)
    expect(Date.now() - started).toBeLessThan(45_000)
    const summary = JSON.parse(result.stdout)
    const { sites, pages } = sitesTable(out)
    const statusOf = (host: string) => sites.find((s) => s.site === `http://${host}`)?.status

    // Every request on the wire was counted against the budget: the fixture saw that many, give or take
    // requests abandoned (timeouts, resets) before the server logged them.
    const crawlSummary = JSON.parse(readFileSync(join(out, "reports/crawl_summary.json"), "utf8"))
    const abandoned = (crawlSummary.http.failures.timeout ?? 0) + (crawlSummary.http.failures.network ?? 0)
    expect(web.requestLog().length).toBeLessThanOrEqual(summary.budgets.http_requests.used)
    expect(web.requestLog().length).toBeGreaterThanOrEqual(summary.budgets.http_requests.used - abandoned)

    // Each ordinary site: every page kind the truth has (and robots.txt allows) was found.
    for (const site of web.truth) {
      expect(statusOf(site.domain)).toBe("ok")
      const found = new Set(pages.filter((p) => p.site === `http://${site.domain}`).map((p) => p.kind))
      const wanted = site.pages
        .filter((p) => p.kind !== "home" && !site.robotsDisallow.some((rule) => p.path.startsWith(rule)))
        .map((p) => p.kind)
      for (const kind of wanted)
        expect({ site: site.domain, kind, found: found.has(kind) }).toEqual({
          site: site.domain,
          kind,
          found: true
        })
    }
    // robots.txt: nothing disallowed was requested.
    for (const site of web.truth) {
      const asked = web.requestLog().filter((e) => e.host === site.domain)
      for (const rule of site.robotsDisallow) expect(asked.filter((e) => e.path.startsWith(rule))).toEqual([])
    }
    expect(statusOf(HOSTILE_HOSTS.robotsDisallowAll)).toBe("robots")
    expect(
      web
        .requestLog()
        .filter((e) => e.host === HOSTILE_HOSTS.robotsDisallowAll)
        .map((e) => e.path)
    ).toEqual(["/robots.txt"])
    // The hostile hosts, each ended and recorded.
    expect({
      slowDrip: statusOf(HOSTILE_HOSTS.slowDrip),
      neverAnswers: statusOf(HOSTILE_HOSTS.neverAnswers),
      redirectLoop: statusOf(HOSTILE_HOSTS.redirectLoop),
      redirectChain: statusOf(HOSTILE_HOSTS.redirectChain),
      hugeBody: statusOf(HOSTILE_HOSTS.hugeBody),
      gzipBomb: statusOf(HOSTILE_HOSTS.gzipBomb),
      reset: statusOf(HOSTILE_HOSTS.connectionReset),
      rateLimited: statusOf(HOSTILE_HOSTS.rateLimited),
      flaky503: statusOf(HOSTILE_HOSTS.flaky503),
      error500: statusOf(HOSTILE_HOSTS.error500),
      nonHtml: statusOf(HOSTILE_HOSTS.nonHtml),
      wrongCharset: statusOf(HOSTILE_HOSTS.wrongCharset),
      jsOnly: statusOf(HOSTILE_HOSTS.jsOnly)
    }).toEqual({
      slowDrip: "unreachable",
      neverAnswers: "unreachable",
      redirectLoop: "unreachable",
      redirectChain: "unreachable",
      hugeBody: "too_large",
      gzipBomb: "too_large",
      reset: "unreachable",
      rateLimited: "ok",
      flaky503: "ok",
      error500: "robots",
      nonHtml: "not_html",
      wrongCharset: "ok",
      jsOnly: "ok"
    })
    // JS-only pages are flagged for the browser.
    const jsOnly = web.truth.filter((t) => t.jsOnly).map((t) => `http://${t.domain}`)
    expect(jsOnly.length).toBeGreaterThan(0)
    for (const site of jsOnly) expect(pages.some((p) => p.site === site && p.needs_browser === 1)).toBe(true)
    // Every record carries its crawl status.
    const crawled = records(out, "crawl.site")
    expect(crawled).toHaveLength(web.truth.length + Object.keys(HOSTILE_HOSTS).length)
    expect(crawled.every((r) => typeof r.crawl_status === "string")).toBe(true)
  }, 60_000)

  test("the request budget is never exceeded (fixture log) and the run stops with exit 3", async () => {
    web.reset()
    const dir = dirs.make("budget")
    const companies = join(dir, "companies.csv")
    writeCompanies(companies, web.truth, [])
    const job = writeJob(
      dir,
      ["dumps.collect", "crawl.site"],
      web.proxyUrl,
      "budgets: { max_http_requests: 37 }\nconfig: { crawl.site: { sites_in_flight: 8 } }"
    )
    const result = await runCli(
      ["run-profile", "--job", job, "--input", companies, "--out", join(dir, "out"), "--json"],
      dir
    )
    expect(result.code).toBe(3)
    const summary = JSON.parse(result.stdout)
    expect(summary.budgets.http_requests).toMatchObject({ used: 37, limit: 37, exceeded: true })
    // Never more than the budget reached the server. Fewer only by requests abandoned on the way when
    // the run stopped: at most what can be in flight, 8 sites at 2 requests per host (35 used to be
    // asserted, and a loaded CI machine saw 33 reach the server).
    expect(web.requestLog().length).toBeLessThanOrEqual(37)
    expect(web.requestLog().length).toBeGreaterThanOrEqual(37 - 8 * 2)
  }, 60_000)
})

describe("resume after SIGKILL mid-crawl", () => {
  test("refetches nothing already fetched", async () => {
    const dir = dirs.make("kill")
    // The fixture in its own process, so its request log survives the crawler's death.
    const fixture = Bun.spawn(
      [
        "bun",
        join(repoRoot, "plugins/web/fixture/serve.ts"),
        "--sites",
        "40",
        "--seed",
        "5",
        "--latency",
        "20-60",
        "--truth",
        join(dir, "truth.json")
      ],
      { stdout: "pipe", stderr: "inherit" }
    )
    try {
      const reader = fixture.stdout.getReader()
      const first = new TextDecoder().decode((await reader.read()).value)
      const { proxy } = JSON.parse(first.split("\n")[0]!) as { proxy: string }
      const truth = JSON.parse(readFileSync(join(dir, "truth.json"), "utf8")) as GroundTruth[]
      const companies = join(dir, "companies.csv")
      writeCompanies(companies, truth, [])
      const job = writeJob(
        dir,
        ["dumps.collect", "crawl.site"],
        proxy,
        "config: { crawl.site: { sites_in_flight: 4 } }"
      )
      const out = join(dir, "out")
      const env = { ...process.env, FILON_DATA_DIR: join(dir, "data") }
      const run = Bun.spawn(
        ["bun", join(repoRoot, "cli/main.ts"), "run-profile", "--job", job, "--input", companies, "--out", out],
        {
          cwd: dir,
          env,
          stdout: "ignore",
          stderr: "ignore"
        }
      )
      const crawlDb = join(out, "pages/crawl.sqlite")
      const finishedCount = () => {
        if (!existsSync(crawlDb)) return 0
        const db = new Database(crawlDb, { readonly: true })
        try {
          return db.query<{ n: number }, []>("SELECT count(*) AS n FROM sites").get()?.n ?? 0
        } catch {
          return 0
        } finally {
          db.close()
        }
      }
      while (finishedCount() < 10) await Bun.sleep(20)
      run.kill("SIGKILL")
      await run.exited
      const finishedBeforeKill = (() => {
        const db = new Database(crawlDb, { readonly: true })
        try {
          return db
            .query<{ site: string }, []>("SELECT site FROM sites")
            .all()
            .map((row) => row.site)
        } finally {
          db.close()
        }
      })()
      // What the killed run had fetched and kept: its HTTP cache (responses are stored as they arrive).
      const cache = new Database(join(dir, "data/cache/http.sqlite"), { readonly: true })
      const kept = cache.query<{ url: string }, []>("SELECT url FROM responses_v2").all()
      cache.close()
      const fetchedBefore = new Set(
        kept.map(({ url }) => `${new URL(url).host}${new URL(url).pathname}${new URL(url).search}`)
      )

      const logOf = async () =>
        (await (await fetch("http://fixture.control/log", { proxy })).json()) as Array<{
          host: string
          path: string
          status: number
        }>
      const before = await logOf()
      expect(finishedCount()).toBeLessThan(40)

      const resumed = Bun.spawn(["bun", join(repoRoot, "cli/main.ts"), "resume", "--out", out, "--json"], {
        cwd: dir,
        env,
        stdout: "pipe",
        stderr: "pipe"
      })
      const [stdout, code] = await Promise.all([new Response(resumed.stdout).text(), resumed.exited])
      expect(code).toBe(0)
      expect(JSON.parse(stdout).status).toBe("succeeded")
      const after = (await logOf()).slice(before.length)
      expect(fetchedBefore.size).toBeGreaterThan(10)
      expect(after.filter((e) => fetchedBefore.has(`${e.host}${e.path}`))).toEqual([])
      // Sites finished before the kill get no request at all.
      const finishedHosts = new Set(finishedBeforeKill.map((site) => new URL(site).host))
      expect(after.filter((e) => finishedHosts.has(e.host))).toEqual([])
      expect(after.length).toBeGreaterThan(0)
      expect(finishedCount()).toBe(40)
    } finally {
      fixture.kill()
      await fixture.exited
    }
  }, 90_000)
})

describe("headless.collect", () => {
  test.skipIf(!browser.ok)(
    "renders JS-only pages through the HttpFetcher: their emails appear",
    async () => {
      web.reset()
      const dir = dirs.make("headless")
      const companies = join(dir, "companies.csv")
      const jsOnly = web.truth.filter((t) => t.jsOnly)
      writeCompanies(companies, jsOnly, [HOSTILE_HOSTS.jsOnly])
      const job = writeJob(dir, ["dumps.collect", "crawl.site", "headless.collect"], web.proxyUrl)
      const out = join(dir, "out")
      const result = await runCli(["run-profile", "--job", job, "--input", companies, "--out", out, "--json"], dir)
      expect(result.code).toBe(0)
      const db = new Database(join(out, "pages/headless.sqlite"), { readonly: true })
      const rendered = db.query<{ site: string; html: string }, []>("SELECT site, html FROM pages").all()
      db.close()
      let checked = 0
      for (const site of jsOnly) {
        const html = rendered
          .filter((p) => p.site === `http://${site.domain}`)
          .map((p) => p.html)
          .join("\n")
        // Emails are on the contact page; where robots.txt forbids it, the browser must not have seen it either.
        const contact = site.pages.find((p) => p.kind === "contact")?.path ?? "/"
        const allowed = !site.robotsDisallow.some((rule) => contact.startsWith(rule))
        for (const email of site.emails)
          expect({ email, found: html.includes(email) }).toEqual({ email, found: allowed })
        if (allowed) checked++
      }
      expect(checked).toBeGreaterThan(0)
      // Every request of the browser went through the fetcher: the run's request count is the fixture's.
      expect(JSON.parse(result.stdout).budgets.http_requests.used).toBe(web.requestLog().length)
      expect(records(out, "headless.collect").every((r) => typeof r.headless_pages === "number")).toBe(true)
    },
    90_000
  )

  test("without a browser the run goes on (not available), unless the job requires it", async () => {
    const saved = process.env.FILON_CHROMIUM_PATH
    process.env.FILON_CHROMIUM_PATH = "/nonexistent/chromium"
    clearBrowserAvailabilityCache()
    try {
      const dir = dirs.make("nobrowser")
      const companies = join(dir, "companies.csv")
      writeCompanies(companies, web.truth.slice(0, 3), [])
      const job = writeJob(dir, ["dumps.collect", "crawl.site", "headless.collect"], web.proxyUrl)
      const out = join(dir, "out")
      const result = await runCli(["run-profile", "--job", job, "--input", companies, "--out", out], dir)
      expect(result.code).toBe(0)
      const events = readFileSync(join(out, "logs", readdirSync(join(out, "logs"))[0]!), "utf8")
      expect(events).toContain("headless.collect not available (no browser at /nonexistent/chromium")
      expect(records(out, "headless.collect").map((r) => r.headless_pages)).toEqual([0, 0, 0])
      const explain = await runCli(["run-profile", "--job", job, "--explain"], dir)
      expect(explain.stdout + explain.stderr).toContain("not available")

      const required = writeJob(
        dir,
        ["dumps.collect", "crawl.site", "headless.collect"],
        web.proxyUrl,
        "config: { headless.collect: { required: true } }"
      )
      const refused = await runCli(
        ["run-profile", "--job", required, "--input", companies, "--out", join(dir, "out2")],
        dir
      )
      expect(refused.code).toBe(2)
      expect(refused.stderr).toContain("no browser at /nonexistent/chromium")
    } finally {
      if (saved === undefined) delete process.env.FILON_CHROMIUM_PATH
      else process.env.FILON_CHROMIUM_PATH = saved
      clearBrowserAvailabilityCache()
    }
  }, 60_000)
})
