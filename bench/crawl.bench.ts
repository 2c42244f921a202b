/**
 * Crawl benchmark: Filon's `crawl.site` (the real CLI, a `[dumps.collect, crawl.site]` profile) against
 * Crawlee's CheerioCrawler under Node and a bare Bun fetch loop, on the same fixture web (one per site
 * count, same seed, 20-80 ms latency per response) in the same invocation. Each tool runs as a child
 * process; wall time is measured here, peak RSS is the child's VmHWM polled every ~50 ms, and requests
 * on the wire come from the fixture's own log (robots.txt, redirects and retries included), reset
 * before each run. Figures are medians of --runs runs; the order of the tools rotates from run to run.
 *
 * usage: bun run bench:crawl [--sites 500,2000] [--runs 3] [--seed 20261121] [--latency 20-80]
 *                            [--concurrency 50] [--tools filon,crawlee,bare] [--quick]
 * --quick: 100 sites, 1 run (a smoke check).
 */
import { existsSync } from "node:fs"
import { mkdir, rm, writeFile } from "node:fs/promises"
import { join, resolve } from "node:path"
import { type FixtureEntry, type FixtureProcess, startFixture } from "./crawl/fixture.ts"
import { type ChildRun, runChild } from "./crawl/measure.ts"

const ROOT = resolve(import.meta.dir, "..")
const WORK = join(ROOT, ".tmp", "bench", "crawl")
const CRAWLEE_DIR = join(ROOT, "bench", "crawlee")

const option = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`)
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback)
}
const quick = process.argv.includes("--quick")
const sizes = option("sites", quick ? "100" : "500,2000")
  .split(",")
  .map(Number)
const runs = Number(option("runs", quick ? "1" : "3"))
const seed = Number(option("seed", "20261121"))
const latency = option("latency", "20-80")
const concurrency = Number(option("concurrency", "50"))
const TOOLS = ["filon", "crawlee", "bare"] as const
type Tool = (typeof TOOLS)[number]
const tools = option("tools", TOOLS.join(",")).split(",") as Tool[]
for (const tool of tools) if (!TOOLS.includes(tool)) throw new Error(`--tools: unknown tool ${tool}`)
const TARGET_SITES = 2000

const LABEL: Record<Tool, string> = { filon: "Filon crawl.site", crawlee: "Crawlee Cheerio", bare: "bare Bun loop" }

/** The latency-bound request rate: `concurrency` requests in flight, each waiting the mean fixture latency. */
const [latencyMin = 0, latencyMax = latencyMin] = latency.split("-").map(Number)
const meanLatencyS = (latencyMin + latencyMax) / 2 / 1000
const latencyBound = concurrency / meanLatencyS

interface Measure {
  readonly pages: number
  readonly requests: number
  readonly seconds: number
  readonly pagesPerS: number
  readonly requestsPerS: number
  readonly peakRssMb: number
  /** Requests on the wire by status (fixture log), and robots.txt fetches. */
  readonly wire: Record<string, number>
  /** Tool-specific figures (Filon's crawl summary `http`, Crawlee's counters…). */
  readonly detail: Record<string, unknown>
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

const wireOf = (log: ReadonlyArray<FixtureEntry>): Record<string, number> => {
  const wire: Record<string, number> = {}
  for (const entry of log) {
    wire[entry.status] = (wire[entry.status] ?? 0) + 1
    if (entry.path === "/robots.txt") wire.robots = (wire.robots ?? 0) + 1
  }
  return wire
}

const check = (run: ChildRun, what: string, okCodes: ReadonlyArray<number> = [0]) => {
  if (!okCodes.includes(run.code)) throw new Error(`${what} exited ${run.code}\n${run.stderr.slice(-3000)}`)
}

/** The last line of stdout that parses as a JSON object. */
const lastJsonLine = (stdout: string): Record<string, unknown> => {
  const lines = stdout.trim().split("\n").reverse()
  for (const line of lines) {
    if (!line.startsWith("{")) continue
    try {
      return JSON.parse(line) as Record<string, unknown>
    } catch {}
  }
  throw new Error(`no JSON line in:\n${stdout.slice(-2000)}`)
}

const ensureCrawlee = async () => {
  const installed = ["cheerio", "utils"].every((name) =>
    existsSync(join(CRAWLEE_DIR, "node_modules", "@crawlee", name))
  )
  if (installed) return
  console.error("installing Crawlee into bench/crawlee/node_modules (npm) …")
  const run = await runChild(["npm", "install", "--prefix", "bench/crawlee", "--no-audit", "--no-fund"], { cwd: ROOT })
  check(run, "npm install --prefix bench/crawlee")
}

interface SiteSet {
  readonly sites: number
  readonly fixture: FixtureProcess
  readonly truthFile: string
  readonly companiesFile: string
  readonly jobFile: string
}

const csvCell = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value)

const prepareSites = async (sites: number): Promise<SiteSet> => {
  const truthFile = join(WORK, `truth-${sites}.json`)
  const fixture = await startFixture({ root: ROOT, sites, seed, latency, truthFile })
  const companiesFile = join(WORK, `companies-${sites}.csv`)
  const rows = fixture.truth.map((site) => [site.siret, site.name, site.domain].map(csvCell).join(","))
  await writeFile(companiesFile, `siret,name,website\n${rows.join("\n")}\n`)
  const profileFile = join(WORK, "crawl-profile.yaml")
  await writeFile(profileFile, "description: bench:crawl, the crawl alone\nsteps: [dumps.collect, crawl.site]\n")
  const jobFile = join(WORK, `crawl-job-${sites}.yaml`)
  await writeFile(
    jobFile,
    [
      "niche: bench_crawl",
      `profile: ${profileFile}`,
      "http:",
      `  proxy: "${fixture.proxy}"`,
      `  concurrency: ${concurrency}`,
      "  per_host_concurrency: 2",
      "  per_host_rps: 10",
      "  respect_robots: true",
      "  cache_ttl_hours: 0",
      ""
    ].join("\n")
  )
  return { sites, fixture, truthFile, companiesFile, jobFile }
}

const filonRun = async (set: SiteSet, run: number) => {
  const out = join(WORK, `filon-out-${set.sites}`)
  const dataDir = join(WORK, `filon-data-${set.sites}-${run}`)
  await rm(out, { recursive: true, force: true })
  await rm(dataDir, { recursive: true, force: true })
  const child = await runChild(
    ["bun", "cli/main.ts", "run-profile", "--job", set.jobFile, "--input", set.companiesFile, "--out", out, "--json"],
    { cwd: ROOT, env: { FILON_DATA_DIR: dataDir } }
  )
  await rm(dataDir, { recursive: true, force: true })
  check(child, "filon run-profile", [0, 4])
  const summary = (await Bun.file(join(out, "reports", "crawl_summary.json")).json()) as {
    pages: number
    seconds: number
    requests_per_s: number
    pages_per_s: number
    http: Record<string, unknown> & { requests: number; latency_ms_total: number }
  }
  const { latency_ms_total, ...http } = summary.http
  const detail = {
    step_seconds: summary.seconds,
    step_pages_per_s: summary.pages_per_s,
    step_requests_per_s: summary.requests_per_s,
    mean_latency_ms: Math.round(latency_ms_total / Math.max(1, summary.http.requests)),
    ...http
  }
  return { child, pages: summary.pages, detail }
}

const crawleeRun = async (set: SiteSet, run: number) => {
  const storage = join(WORK, `crawlee-storage-${set.sites}-${run}`)
  await rm(storage, { recursive: true, force: true })
  const child = await runChild(
    [
      "node",
      "bench/crawlee/crawl.mjs",
      "--proxy",
      set.fixture.proxy,
      "--truth",
      set.truthFile,
      "--concurrency",
      String(concurrency)
    ],
    { cwd: ROOT, env: { CRAWLEE_STORAGE_DIR: storage } }
  )
  await rm(storage, { recursive: true, force: true })
  check(child, "node bench/crawlee/crawl.mjs")
  const result = lastJsonLine(child.stdout)
  return { child, pages: Number(result.pages), detail: result }
}

const bareRun = async (set: SiteSet) => {
  const child = await runChild(
    [
      "bun",
      "bench/crawl/bare.ts",
      "--proxy",
      set.fixture.proxy,
      "--truth",
      set.truthFile,
      "--concurrency",
      String(concurrency)
    ],
    { cwd: ROOT }
  )
  check(child, "bun bench/crawl/bare.ts")
  const result = lastJsonLine(child.stdout)
  return { child, pages: Number(result.pages), detail: result }
}

const measureTool = async (tool: Tool, set: SiteSet, run: number): Promise<Measure> => {
  await set.fixture.reset()
  const { child, pages, detail } =
    tool === "filon" ? await filonRun(set, run) : tool === "crawlee" ? await crawleeRun(set, run) : await bareRun(set)
  const log = await set.fixture.log()
  const requests = log.length
  return {
    pages,
    requests,
    seconds: child.seconds,
    pagesPerS: pages / child.seconds,
    requestsPerS: requests / child.seconds,
    peakRssMb: child.peakRssMb,
    wire: wireOf(log),
    detail
  }
}

interface Summary {
  readonly pages: number
  readonly requests: number
  readonly seconds: number
  readonly pages_per_s: number
  readonly requests_per_s: number
  readonly peak_rss_mb: number
}

const summarise = (measures: ReadonlyArray<Measure>): Summary => ({
  pages: median(measures.map((m) => m.pages)),
  requests: median(measures.map((m) => m.requests)),
  seconds: median(measures.map((m) => m.seconds)),
  pages_per_s: median(measures.map((m) => m.pagesPerS)),
  requests_per_s: median(measures.map((m) => m.requestsPerS)),
  peak_rss_mb: median(measures.map((m) => m.peakRssMb))
})

const fmt = (value: number, digits = 0) =>
  value.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits })

const table = (sites: number, rows: ReadonlyArray<[Tool, Summary]>) => {
  const header = ["tool", "sites", "pages", "requests", "wall s", "pages/s", "requests/s", "peak RSS MB", "% of limit"]
  const cells = rows.map(([tool, s]) => [
    LABEL[tool],
    fmt(sites),
    fmt(s.pages),
    fmt(s.requests),
    fmt(s.seconds, 2),
    fmt(s.pages_per_s, 1),
    fmt(s.requests_per_s, 1),
    fmt(s.peak_rss_mb),
    `${fmt((s.requests_per_s / latencyBound) * 100)} %`
  ])
  const widths = header.map((name, column) => Math.max(name.length, ...cells.map((row) => row[column]!.length)))
  const line = (row: ReadonlyArray<string>) =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ")
  return [line(header), ...cells.map(line)].map((text) => `  ${text}`).join("\n")
}

const runsLine = (tool: Tool, measures: ReadonlyArray<Measure>) =>
  `  ${LABEL[tool].padEnd(16)} runs: ${measures
    .map((m) => `${fmt(m.seconds, 2)} s ${fmt(m.pages)} p ${fmt(m.requests)} req ${fmt(m.peakRssMb)} MB`)
    .join(" | ")}`

const wireLine = (tool: Tool, measure: Measure) =>
  `  ${LABEL[tool].padEnd(16)} wire (last run): ${Object.entries(measure.wire)
    .map(([key, count]) => `${key}×${count}`)
    .join(" ")}`

await mkdir(WORK, { recursive: true })
if (tools.includes("crawlee")) await ensureCrawlee()

console.log(
  `bench:crawl: seed ${seed}, fixture latency ${latency} ms, ${concurrency} requests in flight, ${runs} run(s) per tool (medians; tool order rotates)`
)
console.log(
  `latency-bound limit = concurrency / mean fixture latency = ${concurrency} / ${meanLatencyS.toFixed(3)} s = ${fmt(latencyBound)} requests/s (mean latency = (min + max) / 2)`
)
const results: Array<{ sites: number; tools: Partial<Record<Tool, Summary & { runs: Measure[] }>> }> = []
for (const sites of sizes) {
  console.error(`${fmt(sites)} sites: generating the fixture web …`)
  const set = await prepareSites(sites)
  const measures = new Map<Tool, Measure[]>(tools.map((tool) => [tool, []]))
  try {
    for (let run = 0; run < runs; run++) {
      const order = [...tools.slice(run % tools.length), ...tools.slice(0, run % tools.length)]
      for (const tool of order) {
        console.error(`${fmt(sites)} sites, run ${run + 1}/${runs}: ${LABEL[tool]} …`)
        const measure = await measureTool(tool, set, run)
        measures.get(tool)!.push(measure)
        console.error(
          `  ${fmt(measure.seconds, 2)} s, ${fmt(measure.pages)} pages, ${fmt(measure.requests)} requests, ${fmt(measure.peakRssMb)} MB`
        )
      }
    }
  } finally {
    await set.fixture.stop()
  }
  const rows = tools.map((tool): [Tool, Summary] => [tool, summarise(measures.get(tool)!)])
  console.log(`\n${fmt(sites)} sites (median of ${runs}):`)
  console.log(table(sites, rows))
  for (const tool of tools) console.log(runsLine(tool, measures.get(tool)!))
  for (const tool of tools) console.log(wireLine(tool, measures.get(tool)!.at(-1)!))
  const filon = measures.get("filon")?.at(-1)
  if (filon) console.log(`  Filon crawl summary (last run): ${JSON.stringify(filon.detail)}`)
  const crawlee = measures.get("crawlee")?.at(-1)
  if (crawlee) console.log(`  Crawlee (last run): ${JSON.stringify(crawlee.detail)}`)
  results.push({
    sites,
    tools: Object.fromEntries(rows.map(([tool, summary]) => [tool, { ...summary, runs: measures.get(tool)! }]))
  })
}

// Targets, judged at 2,000 sites (or the largest size run when 2,000 was not).
const judged = results.find((result) => result.sites === TARGET_SITES) ?? results.at(-1)
if (judged) {
  const { filon, crawlee, bare } = judged.tools
  const note = judged.sites === TARGET_SITES ? "" : ` (2,000 not run: judged at ${fmt(judged.sites)} sites)`
  console.log(`\ntargets at ${fmt(judged.sites)} sites${note}:`)
  const verdict = (met: boolean) => (met ? "MET" : "NOT MET")
  if (filon && bare) {
    const ratio = filon.requests_per_s / bare.requests_per_s
    console.log(
      `  Filon requests/s ÷ bare loop requests/s = ${fmt(filon.requests_per_s, 1)} ÷ ${fmt(bare.requests_per_s, 1)} = ${ratio.toFixed(2)} (target ≥ 0.85): ${verdict(ratio >= 0.85)}`
    )
  }
  if (filon && crawlee) {
    const ratio = filon.pages_per_s / crawlee.pages_per_s
    console.log(
      `  Filon pages/s ÷ Crawlee pages/s = ${fmt(filon.pages_per_s, 1)} ÷ ${fmt(crawlee.pages_per_s, 1)} = ${ratio.toFixed(2)} (target ≥ 3): ${verdict(ratio >= 3)}`
    )
  }
  if (filon) {
    console.log(
      `  Filon peak RSS = ${fmt(filon.peak_rss_mb)} MB (target < 250 MB): ${verdict(filon.peak_rss_mb < 250)}`
    )
  }
}
console.log(
  JSON.stringify({
    seed,
    latency_ms: latency,
    concurrency,
    runs,
    latency_bound_requests_per_s: latencyBound,
    results: results.map(({ sites, tools: byTool }) => ({
      sites,
      tools: Object.fromEntries(
        Object.entries(byTool).map(([tool, summary]) => {
          const { runs: measured, ...medians } = summary!
          return [tool, { ...medians, runs: measured.map(({ detail: _detail, wire: _wire, ...figures }) => figures) }]
        })
      )
    }))
  })
)
