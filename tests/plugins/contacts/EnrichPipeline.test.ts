/**
 * The extraction steps in a run, through the real CLI, crawl and fixture web: a company list with
 * websites → crawl.site → parse.html → enrich.email → enrich.phone → enrich.linkedin →
 * package.export gives dataset_enriched with the sites' own contacts (checked against the fixture's
 * ground truth), lists in one cell, provenance, and the registry columns alone in dataset.csv.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { type FixtureWeb, startFixtureWeb } from "../../../plugins/web/fixture/FixtureWeb.ts"
import { runBuiltinCli, tempDirs } from "../../cli/support.ts"
import { parseCsv } from "../quick/support.ts"

const dirs = tempDirs("enrich")
let web: FixtureWeb

/** `filon <argv>` in this process, with the built-in plugins and a data folder of its own. */
const runCli = runBuiltinCli

/** Runs the steps on every fixture site; returns the run folder. */
const runProfile = async (steps: ReadonlyArray<string>) => {
  const dir = await dirs.make()
  const lines = ["siret,name,website", ...web.truth.map((site) => `${site.siret},"${site.name}",${site.domain}`)]
  writeFileSync(join(dir, "companies.csv"), `${lines.join("\n")}\n`)
  writeFileSync(
    join(dir, "profile.yaml"),
    `description: extraction test\nsteps: [${steps.join(", ")}]\nconfig:\n  enrich.email: { check_mx: false }\n`
  )
  writeFileSync(
    join(dir, "job.yaml"),
    `niche: enrich_test\nprofile: ./profile.yaml\nhttp: { proxy: "${web.proxyUrl}", per_host_rps: 20, concurrency: 32 }\n`
  )
  const out = join(dir, "out")
  const run = await runCli(["run-profile", "--job", "job.yaml", "--input", "companies.csv", "--out", out], dir)
  expect({ code: run.code, stderr: run.code === 0 || run.code === 4 ? "" : run.stderr }).toEqual({
    code: run.code === 4 ? 4 : 0,
    stderr: ""
  })
  return out
}

const table = (file: string) => {
  const [header, ...rows] = parseCsv(readFileSync(file, "utf8"))
  return rows.map((row) => Object.fromEntries(header!.map((name, index) => [name, row[index] ?? null])))
}

const list = (cell: string | null | undefined) => (cell ? cell.split(";") : [])

const WITH_PARSE = [
  "dumps.collect",
  "crawl.site",
  "parse.html",
  "enrich.email",
  "enrich.phone",
  "enrich.linkedin",
  "package.export"
]
let out: string

beforeAll(async () => {
  web = await startFixtureWeb({ seed: 5, sites: 40 })
  out = await runProfile(WITH_PARSE)
}, 120_000)

afterAll(async () => {
  await web?.stop()
  await dirs.cleanup()
})

describe("extraction steps in a run", () => {
  test("dataset_enriched has one row per SIRET with the sites' own emails, phones and LinkedIn page", () => {
    const rows = table(join(out, "dataset_enriched.csv"))
    expect(rows.map((row) => row.siret)).toEqual(web.truth.map((site) => site.siret).sort())
    const bySiret = new Map(rows.map((row) => [row.siret, row]))
    let emailsRight = 0
    let phonesRight = 0
    for (const truth of web.truth) {
      const row = bySiret.get(truth.siret)!
      const reachable = truth.reachableStatic
      // Never another party's value, never a value the site does not show.
      for (const email of list(row.emails)) expect(truth.emails).toContain(email)
      for (const phone of list(row.phones)) expect(truth.phones).toContain(phone)
      if ([...list(row.emails)].sort().join() === [...reachable.emails].sort().join()) emailsRight++
      if ([...list(row.phones)].sort().join() === [...reachable.phones].sort().join()) phonesRight++
      // Exported in canonical form: https, without "www." or a trailing slash.
      if (truth.social.linkedin !== undefined && !truth.jsOnly) {
        expect(row.linkedin_url).toBe(truth.social.linkedin.replace("://www.", "://").replace(/\/$/, ""))
      }
    }
    expect(emailsRight / web.truth.length).toBeGreaterThanOrEqual(0.95)
    expect(phonesRight / web.truth.length).toBeGreaterThanOrEqual(0.95)
  })

  test("the legal identity the sites state: their SIRET, never the host's", () => {
    const rows = table(join(out, "dataset_enriched.csv"))
    const bySiret = new Map(rows.map((row) => [row.siret, row]))
    const withLegalPage = web.truth.filter((site) => site.pages.some((page) => page.kind === "legal") && !site.jsOnly)
    expect(withLegalPage.length).toBeGreaterThan(5)
    let found = 0
    for (const truth of withLegalPage) {
      const stated = list(bySiret.get(truth.siret)!.site_siret)
      for (const siret of stated) expect(siret).toBe(truth.siret)
      if (stated.includes(truth.siret)) found++
    }
    expect(found / withLegalPage.length).toBeGreaterThanOrEqual(0.8)
  })

  test("provenance: each email and phone carries the page URL, page part, confidence and fetch time", () => {
    const rows = table(join(out, "dataset_enriched.csv"))
    const row = rows.find((candidate) => candidate.email_details)!
    const details = JSON.parse(row.email_details!) as Array<Record<string, unknown>>
    expect(details[0]).toMatchObject({ value: list(row.emails)[0], kind: expect.stringMatching(/generic|nominative/) })
    expect(String(details[0]!.url)).toStartWith("http://")
    expect(typeof details[0]!.part).toBe("string")
    expect(details[0]!.confidence).toBeGreaterThan(0)
    expect(Date.parse(String(details[0]!.fetched_at))).toBeGreaterThan(0)
  })

  test("dataset.csv keeps the registry columns; the dictionary documents dataset_enriched and marks personal data", () => {
    const [registry] = parseCsv(readFileSync(join(out, "dataset.csv"), "utf8"))
    expect(registry).not.toContain("emails")
    expect(registry).not.toContain("crawl_status")
    const dictionary = readFileSync(join(out, "data_dictionary.md"), "utf8")
    expect(dictionary).toContain("dataset_enriched.csv")
    expect(dictionary).toMatch(/emails_nominative.*personal/i)
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"))
    expect(manifest.rows.dataset_enriched).toBe(web.truth.length)
    expect(manifest.files.map((file: { path: string }) => file.path)).toContain("dataset_enriched.parquet")
  })

  test("without parse.html the enrich steps read the pages themselves, with the same result", async () => {
    const alone = await runProfile(WITH_PARSE.filter((step) => step !== "parse.html"))
    const columns = ["siret", "email", "emails", "phone", "phones", "linkedin_url", "social_urls"]
    const pick = (rows: ReturnType<typeof table>) => rows.map((row) => columns.map((name) => row[name]))
    expect(pick(table(join(alone, "dataset_enriched.csv")))).toEqual(pick(table(join(out, "dataset_enriched.csv"))))
  }, 120_000)
})
