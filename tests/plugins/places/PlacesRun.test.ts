/**
 * enrich.address and scraper.maps in runs through the real CLI, the plugin loaded from the job's
 * `plugins`, the Google stub on loopback: registry stock → normalize → places → dataset_enriched;
 * without a key the steps are not available and the run goes on; `required: true` refuses the run.
 */
import { afterAll, describe, expect, test } from "bun:test"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { runBuiltinCli, tempDirs } from "../../cli/support.ts"
import { parseCsv } from "../quick/support.ts"
import { establishment, establishmentsCsv, legalUnit, legalUnitsCsv, sirenOf, siretOf } from "../sirene/support.ts"
import { type PlacesStub, type StubPlace, startPlacesStub } from "./PlacesStub.ts"

const ENV = ["FILON_GOOGLE_PLACES_API_KEY", "FILON_GOOGLE_PLACES_BASE_URL", "FILON_DATA_DIR", "NO_PROXY"] as const
const saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]))
const dirs = tempDirs("places")
const stubs: PlacesStub[] = []
afterAll(async () => {
  for (const stub of stubs) await stub.stop()
  await dirs.cleanup()
  for (const name of ENV) {
    if (saved[name] === undefined) delete process.env[name]
    else process.env[name] = saved[name]
  }
})

const STEPS = ["dumps.collect", "normalize.standardize", "enrich.address", "scraper.maps", "package.export"]

const dupont = siretOf(sirenOf("10000001"))
const martin = siretOf(sirenOf("10000002"))
const carrefour = siretOf(sirenOf("10000003"))

const PLACES: StubPlace[] = [
  {
    id: "dupont-lyon",
    name: "Boulangerie Dupont",
    street: "4 Rue Mercière",
    postcode: "69002",
    city: "Lyon",
    rating: 3.1,
    reviews: 12
  },
  {
    id: "dupont-paris",
    name: "Boulangerie Dupont",
    street: "12 Rue de la Paix",
    postcode: "75002",
    city: "Paris",
    rating: 4.6,
    reviews: 312,
    phone: "+33 1 42 60 00 01",
    website: "https://boulangerie-dupont.fr/"
  },
  { id: "martin-lyon", name: "Garage Martin", street: "3 Quai Perrache", postcode: "69002", city: "Lyon" },
  ...["75002", "75011", "69003"].map((postcode) => ({
    id: `carrefour-${postcode}`,
    name: "Carrefour City",
    street: "1 Rue du Commerce",
    postcode,
    city: postcode.startsWith("75") ? "Paris" : "Lyon",
    rating: 3.9,
    reviews: 80,
    status: "CLOSED_TEMPORARILY" as const,
    phone: "+33 1 40 00 00 00"
  }))
]

const runCli = (dir: string, argv: ReadonlyArray<string>) => runBuiltinCli(argv, dir)

/** A run of STEPS on three companies; returns the exit code, stderr and the run folder. */
const runPlaces = async (options: { key?: string; config?: string } = {}) => {
  const stub = startPlacesStub(PLACES)
  stubs.push(stub)
  process.env.FILON_GOOGLE_PLACES_BASE_URL = stub.baseUrl
  process.env.NO_PROXY = [saved.NO_PROXY, "127.0.0.1"].filter((entry) => entry).join(",")
  if (options.key === undefined) delete process.env.FILON_GOOGLE_PLACES_API_KEY
  else process.env.FILON_GOOGLE_PLACES_API_KEY = options.key
  const dir = await dirs.make()
  writeFileSync(
    join(dir, "StockEtablissement.csv"),
    establishmentsCsv([
      establishment(dupont),
      establishment(martin, {
        codePostalEtablissement: "13001",
        libelleCommuneEtablissement: "MARSEILLE 1",
        codeCommuneEtablissement: "13201"
      }),
      establishment(carrefour, {
        codePostalEtablissement: "75011",
        libelleCommuneEtablissement: "PARIS 11",
        codeCommuneEtablissement: "75111"
      })
    ])
  )
  writeFileSync(
    join(dir, "StockUniteLegale.csv"),
    legalUnitsCsv([
      legalUnit(dupont.slice(0, 9), { denominationUniteLegale: "BOULANGERIE DUPONT" }),
      legalUnit(martin.slice(0, 9), { denominationUniteLegale: "GARAGE MARTIN" }),
      legalUnit(carrefour.slice(0, 9), { denominationUniteLegale: "CARREFOUR CITY" })
    ])
  )
  writeFileSync(
    join(dir, "profile.yaml"),
    `description: places test\nsteps: [${STEPS.join(", ")}]\n${options.config ?? ""}`
  )
  writeFileSync(join(dir, "job.yaml"), `niche: places_test\nprofile: ./profile.yaml\nhttp: { per_host_rps: 100 }\n`)
  const out = join(dir, "out")
  const run = await runCli(dir, [
    "run-profile",
    "--job",
    "job.yaml",
    "--input",
    "StockEtablissement.csv",
    "--input",
    "StockUniteLegale.csv",
    "--out",
    out
  ])
  return { ...run, out, stub }
}

const table = (file: string) => {
  const [header, ...rows] = parseCsv(readFileSync(file, "utf8"))
  return new Map(
    rows.map((row) => {
      const record = Object.fromEntries(header!.map((name, index) => [name, row[index] ?? null]))
      return [record.siret!, record]
    })
  )
}

describe("enrich.address and scraper.maps in a run", () => {
  test("match each company's place, then read its details as cross-checks", async () => {
    const run = await runPlaces({ key: "test-key" })
    expect({ code: run.code, stderr: run.code <= 4 && run.code !== 1 && run.code !== 2 ? "" : run.stderr }).toEqual({
      code: run.code === 4 ? 4 : 0,
      stderr: ""
    })
    const rows = table(join(run.out, "dataset_enriched.csv"))
    expect(rows.get(dupont)).toMatchObject({
      maps_place_id: "dupont-paris",
      maps_address: "12 Rue de la Paix, 75002 Paris, France",
      maps_rating: "4.6",
      maps_reviews: "312",
      maps_status: "open",
      maps_phone: "+33142600001",
      maps_website: "https://boulangerie-dupont.fr/"
    })
    expect(Number(rows.get(dupont)!.maps_match)).toBe(1)
    // Garage Martin in Marseille: the only Garage Martin is in Lyon, so none.
    expect(rows.get(martin)).toMatchObject({ maps_place_id: null, maps_rating: null })
    expect(rows.get(carrefour)).toMatchObject({
      maps_place_id: "carrefour-75011",
      maps_status: "closed_temporarily",
      maps_phone: "+33140000000"
    })
    // dataset.csv keeps the registry columns.
    expect(readFileSync(join(run.out, "dataset.csv"), "utf8")).not.toContain("maps_")
    // Three searches and two details (none for the company without a place).
    const calls = run.stub.requests().map((request) => `${request.method} ${request.path}`)
    expect(calls.filter((call) => call === "POST /v1/places:searchText")).toHaveLength(3)
    expect(calls.filter((call) => call.startsWith("GET /v1/places/"))).toHaveLength(2)
    const dictionary = readFileSync(join(run.out, "data_dictionary.md"), "utf8")
    expect(dictionary).toContain("maps_match")
    expect(dictionary).toContain("maps_status")
  }, 60_000)

  test("without a key the steps are not available, say why, and the run goes on", async () => {
    const run = await runPlaces()
    expect([0, 4]).toContain(run.code)
    expect(run.stub.requests()).toHaveLength(0)
    const rows = table(join(run.out, "dataset_enriched.csv"))
    expect(rows.get(dupont)).toMatchObject({ maps_place_id: null, maps_phone: null })
    const summary = JSON.parse(readFileSync(join(run.out, "reports", "enrich_address_summary.json"), "utf8"))
    expect(summary).toMatchObject({ available: false, reason: expect.stringContaining("FILON_GOOGLE_PLACES_API_KEY") })
  }, 60_000)

  test("without a key, required: true refuses the run before it starts", async () => {
    const run = await runPlaces({ config: "config:\n  scraper.maps: { required: true }\n" })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain("FILON_GOOGLE_PLACES_API_KEY")
    expect(run.stderr).toContain("required: true")
  }, 60_000)

  test("a refused key stops the run as bad usage, naming the variable", async () => {
    const run = await runPlaces({ key: "wrong-key" })
    expect(run.code).toBe(2)
    expect(run.stdout + run.stderr).toContain("FILON_GOOGLE_PLACES_API_KEY")
  }, 60_000)

  test("the internal profile's throttling settings are accepted", async () => {
    const run = await runPlaces({
      key: "test-key",
      config: "config:\n  scraper.maps: { requests_per_second: 0.5, concurrency: 1 }\n"
    })
    expect([0, 4]).toContain(run.code)
  }, 60_000)
})
