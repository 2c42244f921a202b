/**
 * `bun run demo`, offline, in two runs:
 * 1. the main job (`quick`) on the bundled sample (real public SIRENE rows in the official format
 *    plus a generated set) into out/demo/;
 * 2. the web path, the `standard` profile offline: the same companies, 40 of them given a website
 *    on the local fixture web (a loopback server reached as the HTTP proxy), crawled politely
 *    (robots.txt, per-host limits, cache); their emails, phones and social profiles extracted,
 *    consolidated and cleaned into out/demo/web/dataset_enriched.csv and out/demo/web/contacts/.
 *    The search and Places steps report themselves not available (no API keys).
 * Then where the datasets are, their KPIs and the crawl figures.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join, relative, resolve } from "node:path"
import * as Effect from "effect/Effect"
import YAML from "yaml"
import { parquetRowBatches } from "../plugins/sirene/input/parquet.ts"
import { startFixtureWeb } from "../plugins/web/fixture/FixtureWeb.ts"
import { processIo } from "./io.ts"
import { main } from "./main.ts"

const ROOT = resolve(import.meta.dir, "..")
const SAMPLE = join(ROOT, "plugins/sirene/sample")
/** FILON_DEMO_OUT moves the demo's run folders (tests use it); default out/demo in the project. */
const OUT = resolve(process.env.FILON_DEMO_OUT?.trim() || join(ROOT, "out/demo"))
const WEB_OUT = join(OUT, "web")
const WEBSITES = 40

// The fixture web's pages stay out of the user's shared HTTP cache (FILON_DATA_DIR): the demo keeps its own.
process.env.FILON_DATA_DIR ??= join(OUT, "data")

const io = processIo()
const where = (path: string) => relative(process.cwd(), path) || "."
const extra = process.argv.slice(2)

io.err("== 1/2 registry: quick on the bundled sample\n")
const code = await Effect.runPromise(
  main(io, ["run-profile", "--job", join(SAMPLE, "demo.job.yaml"), "--input", SAMPLE, "--out", OUT, ...extra])
)
if (code !== 0 && code !== 4) process.exit(code)
io.err(
  `\nDataset: ${where(OUT)}/dataset.csv and ${where(OUT)}/dataset.parquet (premium rows: ${where(OUT)}/dataset_premium.csv)`
)
io.err(
  `Data dictionary: ${where(OUT)}/data_dictionary.md · manifest: ${where(OUT)}/manifest.json · rejects: ${where(OUT)}/normalized/rejects.csv`
)

// The companies of the dataset, the first ones given a website on the fixture web.
const companies = await readDataset(join(OUT, "dataset.parquet"), WEBSITES)
const web = await startFixtureWeb({ seed: 2026, sites: companies.length, companies, latencyMs: { min: 5, max: 30 } })
let webCode = 1
try {
  mkdirSync(WEB_OUT, { recursive: true })
  const list = join(WEB_OUT, "companies.csv")
  writeFileSync(
    list,
    `siret,name,website\n${web.truth.map((site) => `${site.siret},"${site.name.replaceAll('"', '""')}",${site.domain}`).join("\n")}\n`
  )
  const job = YAML.parse(readFileSync(join(SAMPLE, "demo.job.yaml"), "utf8")) as Record<string, unknown>
  const webJob = join(WEB_OUT, "job.yaml")
  writeFileSync(
    webJob,
    YAML.stringify({
      ...job,
      niche: "demo_it_idf_web",
      // The `standard` profile, offline: the search and Places steps report themselves not available
      // (no API keys), the websites come from the company list, MX lookups are off (no DNS here).
      profile: "standard",
      http: { proxy: web.proxyUrl, per_host_rps: 5, concurrency: 32 }
    })
  )
  io.err(
    `\n== 2/2 web: ${companies.length} of those companies with a website on the local fixture web (${web.proxyUrl})\n`
  )
  webCode = await Effect.runPromise(
    main(io, [
      "run-profile",
      "--job",
      webJob,
      "--input",
      SAMPLE,
      "--input",
      list,
      "--out",
      WEB_OUT,
      "--set",
      "enrich.email.check_mx=false",
      ...extra
    ])
  )
  if (webCode === 0 || webCode === 4) {
    const crawl = JSON.parse(readFileSync(join(WEB_OUT, "reports/crawl_summary.json"), "utf8"))
    io.err(
      `\nCrawl: ${crawl.sites} sites, ${crawl.pages} pages kept (${crawl.http.requests} requests, ${crawl.http.cache_hits} cache hits, ${crawl.http.robots_skips} robots.txt skips) in ${where(WEB_OUT)}/pages/crawl.sqlite`
    )
    io.err(
      `Enriched dataset (emails, phones, LinkedIn, with provenance): ${where(WEB_OUT)}/dataset_enriched.csv · contacts: ${where(WEB_OUT)}/contacts/ · crawl report: ${where(WEB_OUT)}/reports/crawl_summary.json`
    )
  }
} finally {
  await web.stop()
}
process.exitCode = webCode

/** siret, name, postcode and city of the first `limit` rows of a dataset, read from its Parquet file. */
async function readDataset(
  file: string,
  limit: number
): Promise<Array<{ siret: string; name: string; postcode: string; city: string }>> {
  const companies: Array<{ siret: string; name: string; postcode: string; city: string }> = []
  for await (const batch of parquetRowBatches(file, ["siret", "name", "postcode", "city"])) {
    for (const row of batch) {
      if (companies.length === limit) return companies
      companies.push({
        siret: row.siret ?? "",
        name: row.name ?? "",
        postcode: row.postcode ?? "",
        city: row.city ?? ""
      })
    }
  }
  return companies
}
