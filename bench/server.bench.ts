/**
 * Server benchmark: `filon serve` as a child process, driven from this process over loopback.
 *
 * 1. Accept: N concurrent POST /runs of a small job (`quick` on the bundled sample). Every answer
 *    must be 202 or 429, and every 202's run must be in the history (GET /runs, paged); prints the
 *    accept latency p50/p99 of the 202s and of all answers. Run once with the default queue (100
 *    waiting: most requests are refused) and once with a queue large enough for all of them.
 * 2. Scrape: a crawl run (`dumps.collect` + `crawl.site` over the fixture web) triggered through
 *    the API while /metrics is scraped every 100 ms; prints the scrape latency p50/p99/max against
 *    the same scrapes on the idle server (the reference, same invocation).
 * Figures are medians over --runs runs.
 *
 * usage: bun run bench:server [--requests 1000] [--runs 3] [--sites 500] [--part accept,scrape] [--quick]
 * --quick: 200 requests, 100 sites, 1 run (a smoke check).
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import type { Subprocess } from "bun"
import { startFixture } from "./crawl/fixture.ts"

const ROOT = resolve(import.meta.dir, "..")
const WORK = join(ROOT, ".tmp", "bench", "server")
const option = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`)
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback)
}
const quick = process.argv.includes("--quick")
const requests = Number(option("requests", quick ? "200" : "1000"))
const runs = Number(option("runs", quick ? "1" : "3"))
const sites = Number(option("sites", quick ? "100" : "500"))
const parts = option("part", "accept,scrape").split(",")

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length === 0
    ? Number.NaN
    : sorted.length % 2
      ? sorted[middle]!
      : (sorted[middle - 1]! + sorted[middle]!) / 2
}
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}
const ms = (value: number) => `${value.toFixed(1)} ms`

interface Server {
  readonly url: string
  readonly child: Subprocess<"ignore", "ignore", "pipe">
  readonly stop: () => Promise<void>
}

/** `filon serve` on a free port; resolves when it prints its address. */
const serve = (dataDir: string, flags: ReadonlyArray<string> = []): Promise<Server> =>
  spawnServer(["bun", join(ROOT, "cli", "main.ts"), "serve", "--data-dir", dataDir, "--port", "0", ...flags])

/** A server process that prints `listening on <url>` on stderr once it listens. */
const spawnServer = async (command: ReadonlyArray<string>): Promise<Server> => {
  const child = Bun.spawn([...command], {
    cwd: ROOT,
    env: { ...process.env, FILON_API_TOKEN: "" },
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe"
  })
  const reader = child.stderr.getReader()
  let text = ""
  while (!/listening on (http:\/\/\S+)/.test(text)) {
    const { value, done } = await reader.read()
    if (done) throw new Error(`filon serve exited: ${text}`)
    text += new TextDecoder().decode(value)
  }
  reader.releaseLock()
  return {
    url: /listening on (http:\/\/\S+)/.exec(text)![1]!,
    child,
    stop: async () => {
      child.kill("SIGTERM")
      await child.exited
    }
  }
}

const freshDataDir = (name: string) => {
  const dir = join(WORK, name)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(join(dir, "jobs"), { recursive: true })
  return dir
}

// ---------------------------------------------------------------------------------------------------------------------
// 1. Accept

/** N concurrent POST /runs; each answer's status, latency and run id. */
const fire = async (url: string, body: string) => {
  const started = performance.now()
  const answers = await Promise.all(
    Array.from({ length: requests }, async () => {
      const begin = performance.now()
      const response = await fetch(`${url}/runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body
      })
      const answer = (await response.json()) as { run_id?: string }
      return { status: response.status, ms: performance.now() - begin, runId: answer.run_id }
    })
  )
  return { answers, seconds: (performance.now() - started) / 1000 }
}

/** The reference: the same burst against a bare Bun.serve that only parses the body. */
const bareRun = async () => {
  const server = await spawnServer(["bun", join(ROOT, "bench", "server", "bare.ts")])
  try {
    const { answers, seconds } = await fire(server.url, JSON.stringify({ job: "small", input: ["sample"] }))
    const latencies = answers.map((answer) => answer.ms)
    return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), seconds }
  } finally {
    await server.stop()
  }
}

interface AcceptRun {
  readonly accepted: number
  readonly refused: number
  readonly other: number
  readonly missing: number
  readonly p50Accepted: number
  readonly p99Accepted: number
  readonly p50All: number
  readonly p99All: number
  readonly seconds: number
}

const acceptRun = async (queueSize: number, run: number): Promise<AcceptRun> => {
  const dir = freshDataDir(`accept-${queueSize}-${run}`)
  cpSync(join(ROOT, "plugins/sirene/sample"), join(dir, "sample"), { recursive: true })
  writeFileSync(
    join(dir, "jobs", "small.yaml"),
    'niche: bench_server\nprofile: quick\nfilters:\n  naf_include: ["62"]\n'
  )
  const server = await serve(dir, ["--queue-size", String(queueSize), "--concurrency", "1"])
  try {
    const { answers, seconds } = await fire(server.url, JSON.stringify({ job: "small", input: ["sample"] }))
    const accepted = answers.filter((answer) => answer.status === 202)
    // None lost: every accepted run is in the history.
    const listed = new Set<string>()
    let cursor: string | null = null
    do {
      const page = (await (await fetch(`${server.url}/runs?limit=500${cursor ? `&after=${cursor}` : ""}`)).json()) as {
        runs: Array<{ run_id: string }>
        next: string | null
      }
      for (const entry of page.runs) listed.add(entry.run_id)
      cursor = page.next
    } while (cursor)
    return {
      accepted: accepted.length,
      refused: answers.filter((answer) => answer.status === 429).length,
      other: answers.filter((answer) => answer.status !== 202 && answer.status !== 429).length,
      missing: accepted.filter((answer) => !listed.has(answer.runId ?? "")).length,
      p50Accepted: percentile(
        accepted.map((answer) => answer.ms),
        50
      ),
      p99Accepted: percentile(
        accepted.map((answer) => answer.ms),
        99
      ),
      p50All: percentile(
        answers.map((answer) => answer.ms),
        50
      ),
      p99All: percentile(
        answers.map((answer) => answer.ms),
        99
      ),
      seconds
    }
  } finally {
    await server.stop()
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// 2. Scrape during a crawl

const scrapeRun = async (run: number) => {
  const dir = freshDataDir(`scrape-${run}`)
  const fixture = await startFixture({
    root: ROOT,
    sites,
    seed: 20261121,
    latency: "20-80",
    truthFile: join(dir, "truth.json")
  })
  const csv = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value)
  writeFileSync(
    join(dir, "companies.csv"),
    `siret,name,website\n${fixture.truth.map((site) => [site.siret, site.name, site.domain].map(csv).join(",")).join("\n")}\n`
  )
  mkdirSync(join(dir, "profiles"), { recursive: true })
  writeFileSync(
    join(dir, "profiles", "crawl.yaml"),
    "description: the crawl alone\nsteps: [dumps.collect, crawl.site]\n"
  )
  writeFileSync(
    join(dir, "jobs", "crawl.yaml"),
    [
      "niche: bench_server_crawl",
      "profile: ../profiles/crawl.yaml",
      "http:",
      `  proxy: "${fixture.proxy}"`,
      "  concurrency: 50",
      "  per_host_concurrency: 2",
      "  per_host_rps: 10",
      "  cache_ttl_hours: 0",
      ""
    ].join("\n")
  )
  const server = await serve(dir)
  const scrape = async () => {
    const begin = performance.now()
    const response = await fetch(`${server.url}/metrics`)
    await response.text()
    if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`)
    return performance.now() - begin
  }
  try {
    // The reference: the same scrapes, every 100 ms, while the server is idle.
    const idle: number[] = []
    for (let index = 0; index < 30; index++) {
      idle.push(await scrape())
      await Bun.sleep(100)
    }
    const accepted = (await (
      await fetch(`${server.url}/runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ job: "crawl", input: ["companies.csv"] })
      })
    ).json()) as { run_id: string }
    const busy: number[] = []
    const started = performance.now()
    let status = "queued"
    while (status === "queued" || status === "running") {
      const tick = performance.now()
      busy.push(await scrape())
      status = ((await (await fetch(`${server.url}/runs/${accepted.run_id}`)).json()) as { status: string }).status
      await Bun.sleep(Math.max(0, 100 - (performance.now() - tick)))
    }
    if (status !== "succeeded") throw new Error(`the crawl run ended ${status}`)
    return {
      scrapes: busy.length,
      crawlS: (performance.now() - started) / 1000,
      idleP50: percentile(idle, 50),
      idleP99: percentile(idle, 99),
      p50: percentile(busy, 50),
      p99: percentile(busy, 99),
      max: Math.max(...busy)
    }
  } finally {
    await server.stop()
    await fixture.stop()
  }
}

// ---------------------------------------------------------------------------------------------------------------------

mkdirSync(WORK, { recursive: true })
console.log(
  `bench:server: ${requests} concurrent POST /runs, ${runs} run(s); /metrics scraped during a ${sites}-site crawl`
)
if (parts.includes("accept")) {
  const bare = []
  for (let run = 0; run < runs; run++) bare.push(await bareRun())
  const bareP99 = median(bare.map((r) => r.p99))
  console.log(
    `\nreference, bare Bun.serve (parse the body, answer 202): p50 ${ms(median(bare.map((r) => r.p50)))}, p99 ${ms(bareP99)}; ${requests} requests answered in ${median(bare.map((r) => r.seconds)).toFixed(2)} s`
  )
  for (const queueSize of [100, requests * 2]) {
    const results: AcceptRun[] = []
    for (let run = 0; run < runs; run++) results.push(await acceptRun(queueSize, run))
    const lost = results.reduce((sum, result) => sum + result.missing + result.other, 0)
    const p99All = median(results.map((r) => r.p99All))
    console.log(
      [
        `\naccept, queue ${queueSize}: ${median(results.map((r) => r.accepted))} accepted (202), ${median(results.map((r) => r.refused))} refused (429), other answers ${results.reduce((s, r) => s + r.other, 0)}, accepted runs missing from the history ${results.reduce((s, r) => s + r.missing, 0)}`,
        `  202 latency p50 ${ms(median(results.map((r) => r.p50Accepted)))}, p99 ${ms(median(results.map((r) => r.p99Accepted)))}; all answers p50 ${ms(median(results.map((r) => r.p50All)))}, p99 ${ms(p99All)} (${(p99All / bareP99).toFixed(1)}x the bare server's p99); ${requests} requests answered in ${median(results.map((r) => r.seconds)).toFixed(2)} s`,
        `  target: every request answered 202 or 429, none lost: ${lost === 0 ? "MET" : "NOT MET"}`
      ].join("\n")
    )
  }
}
const scrapes = []
for (let run = 0; run < (parts.includes("scrape") ? runs : 0); run++) scrapes.push(await scrapeRun(run))
if (scrapes.length === 0) process.exit(0)
const p99 = median(scrapes.map((s) => s.p99))
console.log(
  [
    `\n/metrics every 100 ms during a ${sites}-site crawl (${median(scrapes.map((s) => s.crawlS)).toFixed(1)} s, ${median(scrapes.map((s) => s.scrapes))} scrapes):`,
    `  p50 ${ms(median(scrapes.map((s) => s.p50)))}, p99 ${ms(p99)}, max ${ms(median(scrapes.map((s) => s.max)))}; idle server p50 ${ms(median(scrapes.map((s) => s.idleP50)))}, p99 ${ms(median(scrapes.map((s) => s.idleP99)))} (busy/idle p99 ${(p99 / median(scrapes.map((s) => s.idleP99))).toFixed(1)}x)`,
    `  target: p99 under 50 ms: ${p99 < 50 ? "MET" : "NOT MET"}`
  ].join("\n")
)
