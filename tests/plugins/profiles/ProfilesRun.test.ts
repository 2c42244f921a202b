/**
 * The web profiles end to end on the fixture web, offline, through the real CLI: the bundled SIRENE
 * sample plus a company list giving 20 of its companies a fixture website. Search and Places steps
 * have no API key here: they report themselves not available and the run goes on.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import { main } from "../../../cli/main.ts"
import { builtinPlugins } from "../../../plugins/index.ts"
import { type FixtureWeb, startFixtureWeb } from "../../../plugins/web/fixture/FixtureWeb.ts"
import { captureIo, repoRoot, tempDirs } from "../../cli/support.ts"
import { parseCsv } from "../quick/support.ts"

const SAMPLE = join(repoRoot, "plugins/sirene/sample")
const dirs = tempDirs("profiles")
let web: FixtureWeb

/** The first `count` SIRETs of the sample that `quick` keeps, with their names. */
const sampleCompanies = async (count: number) => {
  const dir = dirs.make("quick")
  process.env.FILON_DATA_DIR = join(dir, "data")
  const io = { ...captureIo(dir), builtins: builtinPlugins }
  const code = await Effect.runPromise(
    main(io, ["run-profile", "--job", join(SAMPLE, "demo.job.yaml"), "--input", SAMPLE, "--out", join(dir, "out")])
  )
  expect([0, 4]).toContain(code)
  const [header, ...rows] = parseCsv(readFileSync(join(dir, "out", "dataset.csv"), "utf8"))
  const siret = header!.indexOf("siret")
  const name = header!.indexOf("name")
  return rows.slice(0, count).map((row) => ({ siret: row[siret]!, name: row[name] ?? "" }))
}

const runProfile = async (profile: string) => {
  const dir = dirs.make(profile)
  writeFileSync(
    join(dir, "companies.csv"),
    `siret,name,website\n${web.truth.map((site) => `${site.siret},"${site.name}",${site.domain}`).join("\n")}\n`
  )
  const job = readFileSync(join(SAMPLE, "demo.job.yaml"), "utf8").replace(/^profile:.*$/m, `profile: ${profile}`)
  writeFileSync(
    join(dir, "job.yaml"),
    `${job.replace(/^niche:.*$/m, `niche: try_${profile}`)}\nhttp: { proxy: "${web.proxyUrl}", per_host_rps: 20, concurrency: 32 }\n`
  )
  process.env.FILON_DATA_DIR = join(dir, "data")
  const io = { ...captureIo(dir), builtins: builtinPlugins }
  const out = join(dir, "out")
  const code = await Effect.runPromise(
    main(io, [
      "run-profile",
      "--job",
      "job.yaml",
      "--input",
      SAMPLE,
      "--input",
      "companies.csv",
      "--out",
      out,
      "--set",
      "enrich.email.check_mx=false"
    ])
  )
  const stderr = io.stderr.join("")
  expect({ code, stderr: code === 0 || code === 4 ? "" : stderr.slice(-3000) }).toEqual({
    code: code === 4 ? 4 : 0,
    stderr: ""
  })
  const log = readdirSync(join(out, "logs"))
    .map((file) => readFileSync(join(out, "logs", file), "utf8"))
    .join("")
  const [header, ...body] = parseCsv(readFileSync(join(out, "dataset_enriched.csv"), "utf8"))
  const rows = body.map((row) => Object.fromEntries(header!.map((name, index) => [name, row[index] ?? null])))
  return { out, rows, log }
}

beforeAll(async () => {
  const companies = await sampleCompanies(20)
  web = await startFixtureWeb({ seed: 2026, sites: companies.length, companies })
}, 120_000)

afterAll(async () => {
  await web?.stop()
  dirs.cleanup()
})

describe("web profiles end to end on the fixture web", () => {
  // standard_nocapital_v2 accepts a site only on SIREN evidence or nearly (min_match_score 0.8):
  // sites without a legal notice give no contacts there.
  const minWithPhone: Record<string, number> = { standard_nocapital_v2: 8 }
  for (const profile of ["standard_nocapital", "standard_nocapital_v2", "standard", "hybrid", "internal", "deep"]) {
    test(`${profile}: every company exported, contacts found, cleaned and written with provenance`, async () => {
      const { out, rows, log } = await runProfile(profile)
      const bySiret = new Map(rows.map((row) => [row.siret, row]))
      for (const truth of web.truth) expect(bySiret.has(truth.siret)).toBe(true)
      const withPhone = web.truth.filter((truth) => bySiret.get(truth.siret)?.phone?.startsWith("+"))
      expect(withPhone.length).toBeGreaterThanOrEqual(minWithPhone[profile] ?? 15)
      for (const truth of web.truth) {
        for (const phone of (bySiret.get(truth.siret)?.phones ?? "").split(";").filter(Boolean)) {
          expect(truth.phones).toContain(phone)
        }
      }
      expect(existsSync(join(out, "contacts", "contacts.parquet"))).toBe(true)
      const cleaned = !profile.startsWith("standard_nocapital")
      expect(existsSync(join(out, "contacts", "no_contact.csv"))).toBe(cleaned)
      // No API keys here: the search step says so in the run's log, and the run went on.
      if (!profile.startsWith("standard_nocapital")) expect(log).toContain("http.serp not available")
      if (profile === "standard_nocapital_v2") expect(existsSync(join(out, "metrics", "summary.json"))).toBe(true)
      // The job's KPI targets are measured on the profile's final records, and met.
      const kpis = log
        .split("\n")
        .filter((line) => line.includes('"kpi.result"'))
        .map((line) => JSON.parse(line) as { results: Array<{ name: string; met: boolean; value: number | null }> })
        .at(-1)!.results
      expect(kpis.map((kpi) => kpi.name).sort()).toEqual(
        ["min_fill_rates.address_line", "min_fill_rates.name", "max_duplicate_rate", "min_quality_score"].sort()
      )
      expect(kpis.filter((kpi) => !kpi.met)).toEqual([])
      // Only deep reads feeds and PDFs: the addresses only documents hold are found there and nowhere else.
      const withDocuments = web.truth.filter((truth) => truth.documentEmails.length > 0)
      expect(withDocuments.length).toBeGreaterThan(0)
      for (const truth of withDocuments) {
        const emails = (bySiret.get(truth.siret)?.emails ?? "").split(";")
        for (const email of truth.documentEmails) {
          expect({ siret: truth.siret, email, found: emails.includes(email) }).toEqual({
            siret: truth.siret,
            email,
            found: profile === "deep"
          })
        }
      }
    }, 120_000)
  }
})
