/**
 * correlation.checks in a run on the fixture web: a company list in which every third company was
 * given another company's website. The sites' legal notices state their own SIRET, so the swapped
 * ones are rejected and give no contacts; the right ones are accepted.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import { main } from "../../../cli/main.ts"
import { builtinPlugins } from "../../../plugins/index.ts"
import { type FixtureWeb, startFixtureWeb } from "../../../plugins/web/fixture/FixtureWeb.ts"
import { captureIo, tempDirs } from "../../cli/support.ts"
import { parseCsv } from "../quick/support.ts"

const dirs = tempDirs("correlation")
let web: FixtureWeb
let rows: Array<Record<string, string | null>>
/** SIRET → the domain it was given, and whether that is its own site. */
const given = new Map<string, { domain: string; own: boolean; legalPage: boolean }>()

beforeAll(async () => {
  web = await startFixtureWeb({ seed: 23, sites: 30 })
  const dir = dirs.make()
  const lines = ["siret,name,website"]
  web.truth.forEach((site, index) => {
    const swapped = index % 3 === 0
    const target = swapped ? web.truth[(index + 1) % web.truth.length]! : site
    given.set(site.siret, {
      domain: target.domain,
      own: !swapped,
      legalPage: target.pages.some((page) => page.kind === "legal") && !target.jsOnly
    })
    lines.push(`${site.siret},"${site.name}",${target.domain}`)
  })
  writeFileSync(join(dir, "companies.csv"), `${lines.join("\n")}\n`)
  const steps = [
    "dumps.collect",
    "crawl.site",
    "parse.html",
    "correlation.checks",
    "enrich.email",
    "enrich.phone",
    "package.export"
  ]
  writeFileSync(
    join(dir, "profile.yaml"),
    `description: correlation test\nsteps: [${steps.join(", ")}]\nconfig:\n  enrich.email: { check_mx: false }\n`
  )
  writeFileSync(
    join(dir, "job.yaml"),
    `niche: correlation_test\nprofile: ./profile.yaml\nhttp: { proxy: "${web.proxyUrl}", per_host_rps: 20, concurrency: 32 }\n`
  )
  process.env.FILON_DATA_DIR = join(dir, "data")
  const io = { ...captureIo(dir), builtins: builtinPlugins }
  const out = join(dir, "out")
  const code = await Effect.runPromise(
    main(io, ["run-profile", "--job", "job.yaml", "--input", "companies.csv", "--out", out])
  )
  expect({ code, stderr: code === 0 || code === 4 ? "" : io.stderr.join("") }).toEqual({
    code: code === 4 ? 4 : 0,
    stderr: ""
  })
  const [header, ...body] = parseCsv(readFileSync(join(out, "dataset_enriched.csv"), "utf8"))
  rows = body.map((row) => Object.fromEntries(header!.map((name, index) => [name, row[index] ?? null])))
}, 120_000)

afterAll(async () => {
  await web?.stop()
  dirs.cleanup()
})

describe("correlation.checks in a run", () => {
  test("a site stating the company's SIRET is accepted; a site stating another company's is rejected", () => {
    let judged = 0
    for (const row of rows) {
      const site = given.get(row.siret!)!
      if (!site.legalPage) continue
      judged++
      expect({ siret: row.siret, status: row.match_status }).toEqual({
        siret: row.siret,
        status: site.own ? "accepted" : "rejected"
      })
      if (site.own) expect(row.match_evidence).toContain("siren +0.7")
      else expect(row.match_evidence).toContain("other_siren -0.6")
    }
    expect(judged).toBeGreaterThan(8)
  })

  test("a rejected site gives the company no emails or phones", () => {
    const rejected = rows.filter((row) => row.match_status === "rejected")
    expect(rejected.length).toBeGreaterThan(3)
    for (const row of rejected) {
      expect(row.emails).toBeNull()
      expect(row.phones).toBeNull()
    }
    const accepted = rows.filter((row) => row.match_status === "accepted")
    expect(accepted.filter((row) => row.phones !== null).length).toBeGreaterThan(accepted.length / 2)
  })
})

describe("a rejected website", () => {
  test("leaves `website` empty and is kept as `rejected_website`", () => {
    for (const row of rows.filter((candidate) => candidate.match_status === "rejected")) {
      expect(row.website).toBeNull()
      expect(row.rejected_website).toBe(given.get(row.siret!)!.domain)
    }
  })
})
