/**
 * api.collect end to end against the recherche-entreprises stub on loopback, through the Runner and
 * the real CLI with the real HttpFetcher: what is asked of the API (filters, paging, pace, User-Agent),
 * what comes back as records (re-filtered, masked), throttling, the 10,000-result ceiling, errors,
 * budgets, --sample, and a profile from the API to dataset.csv.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import { main } from "../../../../cli/main.ts"
import { builtinPlugins } from "../../../../plugins/index.ts"
import { captureIo } from "../../../cli/support.ts"
import { parseCsv } from "../../quick/support.ts"
import { readJsonl, runSteps, sirenOf, siretOf } from "../support.ts"
import { type ApiStub, type StubEstablishment, type StubOptions, type StubUnit, startApiStub } from "./ApiStub.ts"

const ENV = ["FILON_RECHERCHE_ENTREPRISES_BASE_URL", "FILON_DATA_DIR", "NO_PROXY"] as const
const saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]))
const dirs: string[] = []
const stubs: ApiStub[] = []

const dir = () => {
  const made = mkdtempSync(join(tmpdir(), "filon-api-collect-"))
  dirs.push(made)
  return made
}

beforeAll(() => {
  // The run's HTTP cache in a folder of its own, not the repository's data/.
  process.env.FILON_DATA_DIR = join(dir(), "data")
  // The stub is on loopback: reached directly whatever proxy the environment or the job names.
  process.env.NO_PROXY = [saved.NO_PROXY, "127.0.0.1"].filter((entry) => entry).join(",")
})
afterAll(async () => {
  for (const stub of stubs) await stub.stop()
  for (const made of dirs) rmSync(made, { recursive: true, force: true })
  for (const name of ENV) {
    if (saved[name] === undefined) delete process.env[name]
    else process.env[name] = saved[name]
  }
})

const stubOf = (units: ReadonlyArray<StubUnit>, options?: StubOptions) => {
  const stub = startApiStub(units, options)
  stubs.push(stub)
  process.env.FILON_RECHERCHE_ENTREPRISES_BASE_URL = stub.baseUrl
  return stub
}

const COMMUNES: Record<string, { commune: string; code_postal: string; libelle_commune: string }> = {
  "75": { commune: "75102", code_postal: "75002", libelle_commune: "PARIS 2" },
  "92": { commune: "92012", code_postal: "92100", libelle_commune: "BOULOGNE-BILLANCOURT" },
  "69": { commune: "69386", code_postal: "69006", libelle_commune: "LYON 6" },
  "13": { commune: "13201", code_postal: "13001", libelle_commune: "MARSEILLE 1" }
}

/** An establishment in a department, NAF 62.02A, band 11, created 2015, open and public unless told. */
const etab = (siret: string, department: string, values: Partial<StubEstablishment> = {}): StubEstablishment => ({
  siret,
  ...COMMUNES[department]!,
  activite_principale: "62.02A",
  tranche_effectif_salarie: "11",
  date_creation: "2015-01-01",
  numero_voie: "12",
  type_voie: "RUE",
  libelle_voie: "DE LA PAIX",
  ...values
})

/** `count` single-establishment companies in a department, SIRENs from `first` on. */
const companies = (first: number, count: number, department: string, values: Partial<StubUnit> = {}): StubUnit[] =>
  Array.from({ length: count }, (_, i) => {
    const siren = sirenOf(String(first + i).padStart(8, "0"))
    return {
      siren,
      nom_raison_sociale: `SOCIETE ${siren}`,
      activite_principale: "62.02A",
      tranche_effectif_salarie: "11",
      etablissements: [etab(siretOf(siren), department)],
      ...values
    }
  })

const sirets = (units: ReadonlyArray<StubUnit>) => units.flatMap((unit) => unit.etablissements.map((e) => e.siret))

/** Fast HTTP settings for the fetcher, so the step's own pace (7/s) is what the API sees. */
const HTTP = { per_host_rps: 50, per_host_concurrency: 4, retries: 2, timeout_ms: 5000 }

const collect = async (
  filters: Record<string, unknown>,
  options: { config?: Record<string, unknown>; job?: Record<string, unknown> } = {}
) => {
  const outDir = join(dir(), "out")
  const summary = await runSteps({
    steps: ["api.collect"],
    inputs: [],
    outDir,
    job: {
      filters,
      http: HTTP,
      ...(options.config ? { config: { "api.collect": options.config } } : {}),
      ...options.job
    }
  })
  const records = summary.status === "succeeded" ? await readJsonl(join(outDir, "state/records/api.collect.jsonl")) : []
  const report =
    summary.status === "succeeded"
      ? (JSON.parse(readFileSync(join(outDir, "reports/api_collect_summary.json"), "utf8")) as Record<string, unknown>)
      : {}
  return { summary, records, report, outDir }
}

const paramsOf = (stub: ApiStub) => stub.requests().map((request) => Object.fromEntries(request.params))

describe("api.collect", () => {
  it("pages through every result, 25 a page, and makes one record per establishment", async () => {
    const units = companies(41_000_000, 60, "75")
    const stub = stubOf(units)
    const { summary, records, report } = await collect({ naf_include: ["62.02A"], departments: ["75"] })
    expect(summary.status).toBe("succeeded")
    expect(paramsOf(stub).map((p) => [p.page, p.per_page])).toEqual([
      ["1", "25"],
      ["2", "25"],
      ["3", "25"]
    ])
    expect(records.map((record) => record.siret).sort()).toEqual(sirets(units).sort())
    expect(records[0]).toMatchObject({
      denominationUniteLegale: expect.stringMatching(/^SOCIETE /),
      activitePrincipaleEtablissement: "62.02A",
      nomenclatureActivitePrincipaleEtablissement: "NAFRev2",
      codeCommuneEtablissement: "75102",
      etatAdministratifEtablissement: "A",
      trancheEffectifsEtablissement: "11",
      statutDiffusionEtablissement: "O"
    })
    expect(report).toMatchObject({ queries: 1, pages: 3, results: 60, records: 60, http_requests: 3, not_fetched: 0 })
    // The descriptive User-Agent the API asks for.
    for (const request of stub.requests()) {
      expect(request.userAgent).toMatch(
        /^Filon\/\d+\.\d+\.\d+ \(\+https:\/\/github\.com\/filon-data\/filon; api\.collect\)$/
      )
    }
  })

  it("sends the job's filters as the API's parameters and checks them again on every record", async () => {
    const [kept] = companies(42_000_000, 1, "75")
    const siren = sirenOf("42000100")
    const mixed: StubUnit = {
      siren,
      nom_raison_sociale: "MIXTE",
      activite_principale: "62.02A",
      tranche_effectif_salarie: "11",
      etablissements: [
        etab(siretOf(siren, "0001"), "75"),
        etab(siretOf(siren, "0002"), "75", { activite_principale: "47.11Z" }), // another activity
        etab(siretOf(siren, "0003"), "75", { etat_administratif: "F" }), // closed
        etab(siretOf(siren, "0004"), "75", { date_creation: "2009-12-31" }), // too old
        etab(siretOf(siren, "0005"), "75", { tranche_effectif_salarie: "00" }), // another band
        etab(siretOf(siren, "0006"), "75", { activite_principale: "62.01Z" }), // excluded
        etab(siretOf(siren, "0007"), "13") // another department
      ]
    }
    const otherActivity = companies(42_000_200, 1, "75", { activite_principale: "70.22Z" })
    const stub = stubOf([kept!, mixed, ...otherActivity])
    const { records, report } = await collect(
      {
        naf_include: ["62.0"],
        naf_exclude: ["62.01Z"],
        departments: ["75"],
        regions: ["94"],
        headcount: ["11", "12"],
        active_only: true,
        created_after: "2010-01-01"
      },
      { config: { contact: "data@example.org" } }
    )
    const [first] = paramsOf(stub)
    expect(first).toMatchObject({
      activite_principale: "62.01Z,62.02A,62.02B,62.03Z,62.09Z",
      departement: "75,2A,2B",
      tranche_effectif_salarie: "11,12",
      etat_administratif: "A",
      per_page: "25",
      page: "1",
      limite_matching_etablissements: "100"
    })
    expect(stub.requests()[0]!.userAgent).toEndWith("; api.collect; contact: data@example.org)")
    expect(records.map((record) => record.siret).sort()).toEqual(
      [kept!.etablissements[0]!.siret, siretOf(siren, "0001")].sort()
    )
    expect(report).toMatchObject({ records: 2, filtered_out: 5 })
  })

  it("keeps values of a unit under diffusion status P null, through normalize.standardize", async () => {
    const [open, restricted] = companies(43_000_000, 2, "75")
    const units: StubUnit[] = [
      open!,
      {
        ...restricted!,
        statut_diffusion: "P",
        sigle: "SECRET",
        etablissements: [{ ...restricted!.etablissements[0]!, liste_enseignes: ["ENSEIGNE"], nom_commercial: "NOM" }]
      }
    ]
    stubOf(units)
    const outDir = join(dir(), "out")
    const summary = await runSteps({
      steps: ["api.collect", "normalize.standardize"],
      inputs: [],
      outDir,
      job: { filters: { departments: ["75"] }, http: HTTP }
    })
    expect(summary.status).toBe("succeeded")
    const raw = await readJsonl(join(outDir, "state/records/api.collect.jsonl"))
    const hidden = raw.find((record) => record.siren === restricted!.siren)!
    expect(JSON.stringify(hidden)).not.toMatch(/NON-DIFFUSIBLE|SECRET|ENSEIGNE|DE LA PAIX|SOCIETE/)
    expect(hidden).toMatchObject({ statutDiffusionUniteLegale: "P", codeCommuneEtablissement: "75102" })
    const normalized = await readJsonl(join(outDir, "state/records/normalize.standardize.jsonl"))
    const row = normalized.find((record) => record.siren === restricted!.siren)!
    expect(row).toMatchObject({ diffusion: "P", name: null, legal_name: null, naf: "62.02A", department: "75" })
    expect(String(row.address_line ?? "")).not.toContain("Paix")
    const shown = normalized.find((record) => record.siren === open!.siren)!
    expect(shown).toMatchObject({ diffusion: "O", name: `SOCIETE ${open!.siren}` })
    expect(shown.address_line).toBe("12 Rue de la Paix, 75002 Paris 2")
  })

  it("honours 429 with Retry-After and keeps to 7 requests a second", async () => {
    const units = companies(44_000_000, 200, "75")
    const stub = stubOf(units, { throttle: { request: 2, retryAfterSeconds: 1 } })
    const { summary, records, report } = await collect({ departments: ["75"] }, { config: { pages_in_flight: 4 } })
    expect(summary.status).toBe("succeeded")
    expect(records).toHaveLength(200)
    const requests = stub.requests()
    const throttled = requests.findIndex((request) => request.status === 429)
    expect(throttled).toBe(1)
    // The same page asked again no sooner than the server said.
    const again = requests.findIndex(
      (request, i) => i > throttled && request.params.get("page") === requests[throttled]!.params.get("page")
    )
    expect(requests[again]!.at - requests[throttled]!.at).toBeGreaterThanOrEqual(990)
    expect(requests.filter((request) => request.status === 200)).toHaveLength(8)
    expect(report.http_requests).toBe(9)
    // Any eight consecutive requests span at least a second (a little slack for timers).
    for (let i = 7; i < requests.length; i++) {
      expect(requests[i]!.at - requests[i - 7]!.at).toBeGreaterThanOrEqual(980)
    }
  })

  it("splits a query over the ceiling by region and department, and fetches every result", async () => {
    const paris = companies(45_000_000, 30, "75")
    const boulogne = companies(45_100_000, 25, "92")
    const lyon = companies(45_200_000, 25, "69")
    const stub = stubOf([...paris, ...boulogne, ...lyon])
    const { records, report } = await collect({ regions: ["11", "84"] }, { config: { max_results_per_query: 50 } })
    expect(records.map((record) => record.siret).sort()).toEqual(sirets([...paris, ...boulogne, ...lyon]).sort())
    const asked = paramsOf(stub)
    expect(asked[0]).toMatchObject({ region: "11,84", page: "1" })
    expect(asked.some((p) => p.region === "11")).toBe(true)
    expect(asked.some((p) => p.region === "84")).toBe(true)
    expect(asked.some((p) => p.departement === "75")).toBe(true)
    expect(asked.some((p) => p.departement === "92")).toBe(true)
    expect(report).toMatchObject({ records: 80, not_fetched: 0, queries_capped: 0 })
    expect(report.queries_split).toBe(2) // "11,84" into regions, then 11 into its departments
    // Never beyond what the ceiling allows.
    expect(Math.max(...asked.map((p) => Number(p.page)))).toBeLessThanOrEqual(2)
  })

  it("fetches an unsplittable query up to the ceiling and reports how many results were left out", async () => {
    const units = companies(46_000_000, 60, "75")
    const stub = stubOf(units)
    const outDir = join(dir(), "out")
    const summary = await runSteps({
      steps: ["api.collect"],
      inputs: [],
      outDir,
      job: {
        filters: { departments: ["75"], naf_include: ["62.02A"] },
        http: HTTP,
        config: { "api.collect": { max_results_per_query: 50 } }
      }
    })
    expect(summary.status).toBe("succeeded")
    expect(paramsOf(stub).map((p) => p.page)).toEqual(["1", "2"])
    const records = await readJsonl(join(outDir, "state/records/api.collect.jsonl"))
    expect(records).toHaveLength(50)
    const report = JSON.parse(readFileSync(join(outDir, "reports/api_collect_summary.json"), "utf8"))
    expect(report).toMatchObject({ queries_capped: 1, not_fetched: 10, not_fetched_at_least: false })
    expect(report.by_query[0]).toMatchObject({ outcome: "capped", total_results: 60, results: 50, not_fetched: 10 })
    const log = readFileSync(join(outDir, "logs", `${summary.run_id}.jsonl`), "utf8")
    expect(log).toContain("warning: activite_principale=62.02A departement=75: 60 results")
    expect(log).toContain("10 not fetched")
  })

  it("reports a query the API counts at its 10,000 ceiling as missing at least the rest", async () => {
    const units = companies(46_100_000, 10_050, "75")
    const stub = stubOf(units)
    const { records, report, outDir, summary } = await collect(
      { departments: ["75"] },
      { config: { max_results_per_query: 50 } }
    )
    expect(paramsOf(stub).map((p) => p.page)).toEqual(["1", "2"])
    expect(records).toHaveLength(50)
    expect(report).toMatchObject({ queries_capped: 1, not_fetched: 9_950, not_fetched_at_least: true })
    expect((report.by_query as Array<Record<string, unknown>>)[0]).toMatchObject({
      total_results: 10_000,
      not_fetched_at_least: true
    })
    const log = readFileSync(join(outDir, "logs", `${summary.run_id}.jsonl`), "utf8")
    expect(log).toContain("departement=75: at least 10000 results")
    expect(log).toContain("the API does not say how many beyond 10000")
  })

  it("reaches a loopback base URL directly when NO_PROXY names it, even with a job proxy", async () => {
    const units = companies(46_200_000, 3, "75")
    const stub = stubOf(units)
    // Nothing listens on port 9: a request sent through this proxy would fail.
    const { summary, records } = await collect(
      { departments: ["75"] },
      { job: { http: { ...HTTP, proxy: "http://127.0.0.1:9" } } }
    )
    expect(summary.status).toBe("succeeded")
    expect(records).toHaveLength(3)
    expect(stub.requests()).toHaveLength(1)
  })

  it("stops at --sample records and still writes its summary", async () => {
    const units = companies(47_000_000, 60, "75")
    const stub = stubOf(units)
    const out = join(dir(), "out")
    const result = await cli([
      "run-step",
      "--step",
      "api.collect",
      "--job",
      jobFile({ departments: ["75"] }),
      "--out",
      out,
      "--sample",
      "30",
      "--json"
    ])
    expect(result.code).toBe(0)
    expect(paramsOf(stub).map((p) => p.page)).toEqual(["1", "2"])
    expect(await readJsonl(join(out, "state/records/api.collect.jsonl"))).toHaveLength(30)
    const report = JSON.parse(readFileSync(join(out, "reports/api_collect_summary.json"), "utf8"))
    expect(report).toMatchObject({ records: 30, sample: 30 })
    expect(report.by_query[0].outcome).toBe("sample_reached")
  })
})

// ---------------------------------------------------------------------------------------------------------------------
// Through the CLI

const cli = async (argv: ReadonlyArray<string>) => {
  const io = { ...captureIo(dir()), builtins: builtinPlugins }
  const code = await Effect.runPromise(main(io, argv))
  return { code, stdout: io.stdout.join(""), stderr: io.stderr.join("") }
}

const PROFILE_STEPS = ["api.collect", "normalize.standardize", "quality.checks", "quality.score", "package.export"]

const jobFile = (filters: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
  const folder = dir()
  writeFileSync(join(folder, "profile.yaml"), `description: API to dataset\nsteps: [${PROFILE_STEPS.join(", ")}]\n`)
  const file = join(folder, "job.yaml")
  writeFileSync(file, JSON.stringify({ niche: "api_test", profile: "./profile.yaml", filters, http: HTTP, ...extra }))
  return file
}

describe("api.collect through the CLI", () => {
  it("runs a profile from the API to dataset.csv with the right SIRETs", async () => {
    const paris = companies(48_000_000, 30, "75")
    const lyon = companies(48_100_000, 5, "69")
    const closed = companies(48_200_000, 3, "75", { etat_administratif: "C" })
    stubOf([...paris, ...lyon, ...closed])
    const out = join(dir(), "out")
    const result = await cli([
      "run-profile",
      "--job",
      jobFile({ departments: ["75"], active_only: true }),
      "--out",
      out,
      "--json"
    ])
    expect(result.stderr).not.toContain("error")
    expect(result.code).toBe(0)
    const [header, ...rows] = parseCsv(readFileSync(join(out, "dataset.csv"), "utf8"))
    const siretColumn = header!.indexOf("siret")
    expect(rows.map((row) => row[siretColumn])).toEqual(sirets(paris).sort())
    const nameColumn = header!.indexOf("name")
    expect(rows.every((row) => (row[nameColumn] ?? "").startsWith("SOCIETE "))).toBe(true)
    const summary = JSON.parse(result.stdout)
    expect(summary.steps.map((step: { name: string; status: string }) => [step.name, step.status])).toEqual(
      PROFILE_STEPS.map((name) => [name, "done"])
    )
  })

  it("fails the step with the API's own message and the query when the API refuses it", async () => {
    stubOf(companies(49_000_000, 3, "75"), {
      refuse: (params) => (params.get("departement") === "13" ? "Département inconnu pour ce filtre." : undefined)
    })
    const out = join(dir(), "out")
    const result = await cli(["run-profile", "--job", jobFile({ departments: ["13"] }), "--out", out])
    expect(result.code).toBe(1)
    // The run's report (stdout without --json) names the step, the query and the API's words.
    expect(result.stdout).toContain(
      "step api.collect failed: recherche-entreprises: the API refused the query [departement=13] (HTTP 400): Département inconnu pour ce filtre."
    )
  })

  it("stops with exit 3 when the request budget is spent", async () => {
    const stub = stubOf(companies(49_100_000, 60, "75"))
    const out = join(dir(), "out")
    const result = await cli([
      "run-profile",
      "--job",
      jobFile({ departments: ["75"] }, { budgets: { max_http_requests: 2 } }),
      "--out",
      out
    ])
    expect(result.code).toBe(3)
    expect(stub.requests()).toHaveLength(2)
  })
})
