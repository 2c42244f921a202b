/**
 * GDPR in exports: the job's suppression list (emails, domains, SIRENs) and diffusion P honoured by
 * every export file, read back (CSV and Parquet) from a real run through the CLI and the fixture
 * web: stock files + a company list with websites → crawl → enrich.* → enrich.contacts →
 * quality.dedupe → quality.clean_contacts → premium → package.export.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import * as Effect from "effect/Effect"
import { exportable } from "../../../plugins/export/columns.ts"
import { makeSuppression, parseSuppressionList, SuppressionListInvalid } from "../../../plugins/export/Suppression.ts"
import { readParquet } from "../../../plugins/export/writers/parquet.ts"
import { type FixtureWeb, startFixtureWeb } from "../../../plugins/web/fixture/FixtureWeb.ts"
import type { GroundTruth } from "../../../plugins/web/fixture/sites.ts"
import { runBuiltinCli, tempDirs } from "../../cli/support.ts"
import { parseCsv } from "../quick/support.ts"
import { establishment, establishmentsCsv, legalUnit, legalUnitsCsv } from "../sirene/support.ts"

const _ROOT = resolve(import.meta.dir, "..", "..", "..")
const dirs = tempDirs("suppression")
let web: FixtureWeb

/** `filon <argv>` in this process, with the built-in plugins and a data folder of its own. */
const runCli = runBuiltinCli

const STEPS = [
  "dumps.collect",
  "normalize.standardize",
  "quality.checks",
  "quality.score",
  "crawl.site",
  "parse.html",
  "enrich.email",
  "enrich.phone",
  "enrich.linkedin",
  "enrich.contacts",
  "quality.dedupe",
  "quality.clean_contacts",
  "finalize.premium_dataset",
  "package.export"
]

/** Writes the stock, the company list, the profile and the job; returns the folder. */
const prepare = async (sites: ReadonlyArray<GroundTruth>, options: { diffusionP: string; list: string | null }) => {
  const dir = await dirs.make()
  const stock = sites.map((site) =>
    establishment(site.siret, site.siret === options.diffusionP ? { statutDiffusionEtablissement: "P" } : {})
  )
  const units = [...new Set(sites.map((site) => site.siren))].map((siren) =>
    legalUnit(
      siren,
      sites.find((site) => site.siren === siren)?.siret === options.diffusionP
        ? { statutDiffusionUniteLegale: "P" }
        : {}
    )
  )
  writeFileSync(join(dir, "etab.csv"), establishmentsCsv(stock))
  writeFileSync(join(dir, "ul.csv"), legalUnitsCsv(units))
  writeFileSync(
    join(dir, "companies.csv"),
    `${["siret,website", ...sites.map((site) => `${site.siret},${site.domain}`)].join("\n")}\n`
  )
  writeFileSync(
    join(dir, "profile.yaml"),
    `description: suppression test\nsteps: [${STEPS.join(", ")}]\nconfig:\n  enrich.email: { check_mx: false }\n`
  )
  writeFileSync(
    join(dir, "job.yaml"),
    [
      "niche: suppression_test",
      "profile: ./profile.yaml",
      `http: { proxy: "${web.proxyUrl}", per_host_rps: 20, concurrency: 32 }`,
      "premium: { min_quality_score: 0 }",
      ...(options.list === null ? [] : [`suppression_list: "${options.list}"`]),
      ""
    ].join("\n")
  )
  return dir
}

const run = (dir: string) =>
  runCli(
    [
      "run-profile",
      "--job",
      "job.yaml",
      "--input",
      "etab.csv",
      "--input",
      "ul.csv",
      "--input",
      "companies.csv",
      "--out",
      "out"
    ],
    dir
  )

const table = (file: string) => {
  const [header, ...rows] = parseCsv(readFileSync(file, "utf8"))
  return rows.map((row) => Object.fromEntries(header!.map((name, index) => [name, row[index] ?? null])))
}

/** Every export file the contracts name, read back as rows. */
const EXPORTS = [
  "dataset.csv",
  "dataset.parquet",
  "dataset_enriched.csv",
  "dataset_enriched.parquet",
  "dataset_premium.csv",
  "dataset_premium.parquet",
  "contacts/contacts.parquet",
  "contacts/contacts_clean.parquet",
  "contacts/no_contact.csv"
]
const rowsOf = async (file: string): Promise<Array<Record<string, unknown>>> =>
  file.endsWith(".csv") ? table(file) : readParquet(file)

let sites: GroundTruth[]
let out: string
let runDir: string
let suppressed: { siren: GroundTruth; email: string; domain: GroundTruth; diffusionP: GroundTruth }

beforeAll(async () => {
  web = await startFixtureWeb({ seed: 11, sites: 14 })
  sites = [...web.truth].sort((a, b) => (a.siret < b.siret ? -1 : 1))
  const withEmail = sites.filter((site) => site.emails.length > 0)
  const [sirenSite, emailSite, domainSite, pSite] = [withEmail[0]!, withEmail[1]!, withEmail[2]!, withEmail[3]!]
  suppressed = { siren: sirenSite, email: emailSite.emails[0]!, domain: domainSite, diffusionP: pSite }
  const dir = await prepare(sites, { diffusionP: pSite.siret, list: "./lists/optout.csv" })
  const { mkdirSync } = await import("node:fs")
  mkdirSync(join(dir, "lists"))
  writeFileSync(
    join(dir, "lists", "optout.csv"),
    `value,comment\n${sirenSite.siren},objected by mail\n${suppressed.email.toUpperCase()},form\n@${domainSite.domain},whole domain\n`
  )
  const result = await run(dir)
  expect({
    code: result.code,
    stderr: result.code === 0 || result.code === 4 ? "" : result.stderr + result.stdout
  }).toEqual({
    code: result.code === 4 ? 4 : 0,
    stderr: ""
  })
  out = join(dir, "out")
  runDir = dir
}, 180_000)

afterAll(async () => {
  await web?.stop()
  await dirs.cleanup()
})

describe("suppression list in every export file", () => {
  it("writes every export file", () => {
    for (const file of EXPORTS) expect(`${file}: ${existsSync(join(out, file))}`).toBe(`${file}: true`)
  })

  it("leaves a suppressed SIREN out of every file", async () => {
    for (const file of EXPORTS) {
      const rows = await rowsOf(join(out, file))
      expect(rows.filter((row) => String(row.siret).startsWith(suppressed.siren.siren)).map(() => file)).toEqual([])
    }
    const dataset = table(join(out, "dataset.csv"))
    expect(dataset.length).toBe(sites.length - 1)
  })

  it("never writes a suppressed email or anything on a suppressed domain, in any cell", async () => {
    for (const file of EXPORTS) {
      const text = JSON.stringify(await rowsOf(join(out, file))).toLowerCase()
      expect(`${file}: ${text.includes(suppressed.email.toLowerCase())}`).toBe(`${file}: false`)
      expect(`${file}: ${text.includes(suppressed.domain.domain.toLowerCase())}`).toBe(`${file}: false`)
    }
    // The same companies' other rows stay.
    const enriched = table(join(out, "dataset_enriched.csv"))
    expect(enriched.some((row) => row.siret === suppressed.domain.siret)).toBe(true)
  })
})

describe("contacts files", () => {
  it("contacts.parquet has one row per contact value with siret and provenance", async () => {
    const rows = await readParquet(join(out, "contacts/contacts.parquet"))
    expect(Object.keys(rows[0]!)).toEqual([
      "siret",
      "siren",
      "type",
      "value",
      "kind",
      "personal",
      "source_step",
      "sources",
      "url",
      "part",
      "via",
      "confidence",
      "fetched_at",
      "mx",
      "disposable",
      "on_site_domain"
    ])
    const site = sites.find(
      (candidate) =>
        ![suppressed.siren, suppressed.domain, suppressed.diffusionP].includes(candidate) &&
        candidate.emails.length > 0 &&
        !candidate.emails.includes(suppressed.email)
    )!
    const emails = rows.filter((row) => row.siret === site.siret && row.type === "email")
    expect(emails.map((row) => row.value).sort()).toEqual([...site.emails].map((email) => email.toLowerCase()).sort())
    for (const row of emails) {
      expect(row.source_step).toBe("enrich.email")
      expect(String(row.url)).toContain(site.domain)
      expect(row.part).not.toBeNull()
      expect(row.fetched_at).not.toBeNull()
      expect(typeof row.confidence).toBe("number")
    }
  })

  it("keeps no personal value of a company whose diffusion is P", async () => {
    const registry = table(join(out, "dataset.csv")).find((row) => row.siret === suppressed.diffusionP.siret)
    expect(registry?.diffusion).toBe("P")
    for (const file of ["contacts/contacts.parquet", "contacts/contacts_clean.parquet"]) {
      const rows = await readParquet(join(out, file))
      expect(rows.filter((row) => row.siret === suppressed.diffusionP.siret && row.personal === true)).toEqual([])
    }
    const row = table(join(out, "dataset_enriched.csv")).find(
      (candidate) => candidate.siret === suppressed.diffusionP.siret
    )!
    for (const column of ["contacts", "contacts_clean", "contacts_rejected"]) {
      expect(JSON.parse(row[column] ?? "[]").filter((item: { personal?: boolean }) => item.personal)).toEqual([])
    }
  })

  it("no_contact.csv lists the companies left without email or phone, with the reason", () => {
    const rows = table(join(out, "contacts/no_contact.csv"))
    expect(readFileSync(join(out, "contacts/no_contact.csv"), "utf8").split("\n")[0]).toBe(
      "siret,siren,reason,rejected"
    )
    const enriched = table(join(out, "dataset_enriched.csv"))
    const expected = enriched
      .filter((row) => row.no_contact_reason !== null)
      .map((row) => [row.siret, row.no_contact_reason])
    expect(rows.map((row) => [row.siret, row.reason])).toEqual(expected)
    for (const row of rows) expect(["all_rejected", "site_rejected", "no_website", "none_found"]).toContain(row.reason!)
  })

  it("the data dictionary documents the contact files and marks their personal columns", () => {
    const dictionary = readFileSync(join(out, "data_dictionary.md"), "utf8")
    for (const file of ["contacts/contacts.parquet", "contacts/contacts_clean.parquet"]) {
      const start = dictionary.indexOf(`## \`${file}\``)
      expect(start).toBeGreaterThan(0)
      const section = dictionary.slice(start, dictionary.indexOf("\n## ", start + 1))
      expect(section.split("\n").find((line) => line.startsWith("| `value`"))).toContain("🔒 yes")
      expect(section.split("\n").find((line) => line.startsWith("| `siret`"))).not.toContain("🔒 yes")
    }
    const datasetSection = dictionary.slice(
      dictionary.indexOf("## `dataset.csv`"),
      dictionary.indexOf("## `dataset_enriched.csv`")
    )
    expect(datasetSection).not.toContain("contacts_clean")
  })
})

describe("suppression list file", () => {
  it("reads one value per line, or the `value` column of a CSV", async () => {
    const plain = await Effect.runPromise(
      parseSuppressionList(
        "# objections\n123 456 789\n98765432100019\nJean@Acme.fr\nhttps://www.other.fr/x\n\n",
        "a.csv"
      )
    )
    expect([...plain.sirens]).toEqual(["123456789", "987654321"])
    expect([...plain.emails]).toEqual(["jean@acme.fr"])
    expect([...plain.domains]).toEqual(["other.fr"])
    const csv = await Effect.runPromise(parseSuppressionList("date,value\n2026-01-01,@acme.fr\n", "b.csv"))
    expect([...csv.domains]).toEqual(["acme.fr"])
    expect(csv.matchesText("https://shop.acme.fr/contact")).toBe(true)
    expect(csv.matchesText("notacme.fr")).toBe(false)
  })

  it("refuses a value it cannot classify, naming the file and line", async () => {
    const error = await Effect.runPromise(Effect.flip(parseSuppressionList("value\nacme\n", "optout.csv")))
    expect(error).toBeInstanceOf(SuppressionListInvalid)
    expect(error.message).toBe(
      'suppression list optout.csv, line 2: "acme" is neither a SIREN, a SIRET, an email address nor a domain'
    )
  })

  it("scrubs cells and drops personal list items of a diffusion P company", () => {
    const suppression = makeSuppression({ emails: ["a@x.fr"] })
    const record = {
      siret: "1",
      diffusion: "P",
      email: "a@x.fr",
      emails: ["a@x.fr", "b@x.fr"],
      contacts: [
        { value: "j.d@x.fr", personal: true },
        { value: "b@x.fr", personal: false }
      ],
      email_details: [{ value: "j.d@x.fr", kind: "nominative" }],
      linkedin_url: "https://www.linkedin.com/in/jean-dupont",
      social_urls: ["https://www.linkedin.com/in/jean-dupont", "https://www.linkedin.com/company/x"]
    }
    expect(exportable(record, suppression)).toEqual({
      siret: "1",
      diffusion: "P",
      email: null,
      emails: ["b@x.fr"],
      contacts: [{ value: "b@x.fr", personal: false }],
      email_details: null,
      // Profiles and numbers of a company with diffusion P are left out altogether (often a sole
      // trader: even its company page and its phones identify the person).
      linkedin_url: null,
      social_urls: null
    })
  })

  it("diffusion P: phones, Places address and phone, and match evidence are left out too", () => {
    const record = {
      siret: "2",
      diffusion: "P",
      phone: "+33612345678",
      phones: ["+33612345678"],
      phone_details: [{ value: "+33612345678", type: "mobile" }],
      maps_phone: "+33612345678",
      maps_address: "3 rue du Four, 69001 Lyon",
      match_evidence: ['name +0.3: "Jean Dupont" matches the site\'s name'],
      email: "contact@x.fr",
      quality_score: 80
    }
    expect(exportable(record, makeSuppression({}))).toEqual({
      siret: "2",
      diffusion: "P",
      phone: null,
      phones: null,
      phone_details: null,
      maps_phone: null,
      maps_address: null,
      match_evidence: null,
      email: "contact@x.fr",
      quality_score: 80
    })
  })

  it("a suppressed website domain: nothing taken from its pages stays, whatever domain it is on", () => {
    const record = {
      siret: "3",
      website: "https://www.acme.fr/",
      email: "acme.contact@gmail.com",
      emails: ["acme.contact@gmail.com"],
      phone: "+33478000001",
      linkedin_url: "https://www.linkedin.com/company/acme",
      maps_rating: 4.5
    }
    expect(exportable(record, makeSuppression({ domains: ["acme.fr"] }))).toEqual({
      siret: "3",
      website: null,
      email: null,
      emails: null,
      phone: null,
      linkedin_url: null,
      maps_rating: 4.5
    })
  })

  it("stops the run with exit 2 and names the file when the list cannot be read", async () => {
    const dir = await prepare(sites.slice(0, 2), { diffusionP: "", list: "./missing.csv" })
    writeFileSync(
      join(dir, "profile.yaml"),
      "description: t\nsteps: [dumps.collect, normalize.standardize, package.export]\n"
    )
    const result = await run(dir)
    expect(result.code).toBe(2)
    expect(result.stdout + result.stderr).toContain(
      `suppression list ${join(dir, "missing.csv")}: cannot be read (ENOENT)`
    )
  }, 60_000)
})

describe("editing the suppression list", () => {
  it("re-runs the exports on resume: a SIREN added to the same file leaves every dataset", async () => {
    const added = sites.find(
      (site) =>
        ![suppressed.siren, suppressed.domain, suppressed.diffusionP].some((other) => other.siren === site.siren)
    )!
    expect(table(join(out, "dataset.csv")).some((row) => row.siret === added.siret)).toBe(true)
    const list = join(runDir, "lists", "optout.csv")
    writeFileSync(list, `${readFileSync(list, "utf8")}${added.siren},objected later\n`)
    const resumed = await runCli(["resume", "--out", "out"], runDir)
    expect([0, 4]).toContain(resumed.code)
    for (const file of ["dataset.csv", "dataset_enriched.csv", "dataset_premium.csv"]) {
      expect(table(join(out, file)).filter((row) => row.siret === added.siret)).toEqual([])
    }
  }, 180_000)
})
