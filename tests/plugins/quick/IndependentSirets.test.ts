/**
 * The `quick` profile keeps exactly the establishments a plain, independent reading of the stock files
 * selects: each test reads the generated StockEtablissement / StockUniteLegale files line by line with
 * its own RFC 4180 parser, applies the job's filters and the check digits as CONTRACTS.md and SIRENE.md
 * state them, and compares the SIRETs with dataset.csv, and the unusable lines with rejects.csv.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import { readFile, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { generateStock, type MalformedRow } from "../../../bench/sirene/generate.ts"
import { runSteps } from "../sirene/support.ts"
import {
  departmentOf,
  establishmentMatches,
  type Filters,
  parseCsv,
  quickSteps,
  readCsvTable,
  readStock,
  type Stock,
  type StockLine,
  tempDir,
  validSiren,
  validSiret
} from "./support.ts"

const ETAB = "StockEtablissement_utf8.csv"
const UL = "StockUniteLegale_utf8.csv"

let base: string
let etab: Stock
let units: Stock
let malformed: ReadonlyArray<MalformedRow>
let planted: Set<string>
/** Legal-unit lines by SIREN (a malformed line counts when its SIREN can still be read). */
let unitBySiren: Map<string, StockLine>

const key = (file: string, line: number) => `${file}:${line}`
/** Planted-but-readable lines that passed the filters, over all scenarios (the check must not be vacuous). */
let readablePlantedChecked = 0

/**
 * Marks one active legal unit in `every` as ceased (state C) while its establishments stay open, so
 * the legal-unit half of `active_only` has something to drop. Other lines are copied byte for byte.
 */
const ceaseSomeUnits = async (path: string, every: number) => {
  const text = await Bun.file(path).bytes()
  const out: Uint8Array[] = []
  const decoder = new TextDecoder("utf-8", { fatal: true })
  const encoder = new TextEncoder()
  let header: string[] = []
  let ceased = 0
  let start = 0
  while (start < text.length) {
    let end = text.indexOf(0x0a, start)
    if (end === -1) end = text.length
    const bytes = text.subarray(start, end + 1)
    start = end + 1
    let fields: string[] | undefined
    try {
      const records = parseCsv(decoder.decode(bytes.subarray(0, bytes.length - 1)))
      if (records.length === 1) fields = records[0]!.map((field) => field ?? "")
    } catch {
      fields = undefined
    }
    if (header.length === 0) header = fields ?? []
    const state = header.indexOf("etatAdministratifUniteLegale")
    if (fields && fields.length === header.length && fields[state] === "A" && Number(fields[0]) % every === 0) {
      fields[state] = "C"
      ceased++
      const line = fields.map((field) => (/[",\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field)).join(",")
      out.push(encoder.encode(`${line}\n`))
    } else out.push(bytes)
  }
  await writeFile(path, Buffer.concat(out))
  return ceased
}

beforeAll(async () => {
  base = await tempDir("sirets")
  // IT and grocery units over-represented in Île-de-France, Corse-du-Sud and Guadeloupe, so the
  // filters below keep a few thousand rows, among them some planted malformed lines.
  await generateStock({
    establishments: 30_000,
    seed: 20251121,
    dir: join(base, "in"),
    focus: {
      share: 0.3,
      naf: { "62.01Z": 3, "62.02A": 3, "47.11D": 2, "70.22Z": 1 },
      departments: ["75", "92", "93", "94", "2A", "971"]
    }
  })
  expect(await ceaseSomeUnits(join(base, "in", UL), 7)).toBeGreaterThan(1000)
  malformed = JSON.parse(await readFile(join(base, "in", "malformed.json"), "utf8")) as MalformedRow[]
  planted = new Set(malformed.map((row) => key(row.file, row.line)))
  etab = await readStock(join(base, "in", ETAB))
  units = await readStock(join(base, "in", UL))
  unitBySiren = new Map()
  for (const unit of units.lines) {
    const siren = unit.fields ? unit.fields[units.column("siren")]! : unit.lossy.slice(0, 9)
    unitBySiren.set(siren, unit)
  }
}, 60_000)

afterAll(async () => {
  await rm(base, { recursive: true, force: true })
})

describe("the test's own reading of the generated stock", () => {
  it("finds every planted malformed line, and nothing else, malformed or failing its check digit", () => {
    const found = new Set<string>()
    for (const line of etab.lines) {
      const siret = line.fields?.[etab.column("siret")]
      if (line.fields === null || !validSiret(siret!)) found.add(key(ETAB, line.line))
    }
    for (const line of units.lines) if (line.fields === null) found.add(key(UL, line.line))
    expect([...found].sort()).toEqual([...planted].sort())
    expect(malformed.length).toBeGreaterThan(30)
  })
})

interface Scenario {
  readonly name: string
  readonly filters: Filters
}

const SCENARIOS: ReadonlyArray<Scenario> = [
  {
    name: "NAF prefixes, a region plus departments, headcount bands, active only",
    filters: {
      naf_include: ["62", "47.11D"],
      regions: ["11"],
      departments: ["2A", "971"],
      headcount: ["00", "01", "02", "03", "11"],
      active_only: true
    }
  },
  {
    name: "NAF prefixes and departments, active only, any headcount",
    filters: {
      naf_include: ["62.0", "47.11D"],
      departments: ["75", "2A", "971"],
      active_only: true
    }
  },
  {
    // Closed units kept; "62" and "70.2" also prefix codes of older nomenclatures (NAP 62.11, NAFRev1 70.2C).
    name: "NAF prefixes with an exclusion, a creation date, closed establishments kept",
    filters: {
      naf_include: ["62", "70.2"],
      naf_exclude: ["62.02"],
      regions: ["11", "94"],
      created_after: "2005-01-01"
    }
  }
]

for (const scenario of SCENARIOS) {
  describe(`quick run filtered by ${scenario.name}`, () => {
    let dataset: Awaited<ReturnType<typeof readCsvTable>>
    let rejects: Awaited<ReturnType<typeof readCsvTable>>
    /** Well-formed establishment lines that pass the filters, with their legal unit line. */
    let matching: Array<{ line: StockLine; get: (name: string) => string; unit: StockLine | undefined }>
    let expected: string[]

    beforeAll(async () => {
      const out = join(base, `out-${SCENARIOS.indexOf(scenario)}`)
      await runSteps({
        steps: await quickSteps(),
        inputs: [join(base, "in", ETAB), join(base, "in", UL)],
        outDir: out,
        job: { niche: "independent_sirets", filters: scenario.filters }
      })
      dataset = await readCsvTable(join(out, "dataset.csv"))
      rejects = await readCsvTable(join(out, "normalized", "rejects.csv"))

      matching = []
      for (const line of etab.lines) {
        if (line.fields === null || planted.has(key(ETAB, line.line))) continue
        const fields = line.fields
        const get = (name: string) => fields[etab.column(name)]!
        if (!establishmentMatches(get, scenario.filters)) continue
        matching.push({ line, get, unit: unitBySiren.get(get("siren")) })
      }
      expected = matching
        .filter(({ get, unit }) => {
          if (!validSiret(get("siret")) || !validSiren(get("siren")) || !get("siret").startsWith(get("siren")))
            return false
          if (!unit || unit.fields === null || planted.has(key(UL, unit.line))) return false
          const state = unit.fields[units.column("etatAdministratifUniteLegale")]
          return !scenario.filters.active_only || state === "A"
        })
        .map(({ get }) => get("siret"))
        .sort()
    }, 60_000)

    it("keeps exactly the SIRETs an independent reading of the stock selects", () => {
      const sirets = dataset.rows.map((row) => row.siret ?? "")
      expect(sirets).toEqual([...sirets].sort())
      expect(sirets).toEqual(expected)
      expect(expected.length).toBeGreaterThan(500)
    })

    it("carries the NAF code, department, headcount band and state of each row's stock line", () => {
      const bySiret = new Map(matching.map((entry) => [entry.get("siret"), entry]))
      for (const row of dataset.rows) {
        const entry = bySiret.get(row.siret ?? "")!
        const unitState = entry.unit!.fields![units.column("etatAdministratifUniteLegale")]
        // Commune-level geography is kept for every row, partially diffusible ones included, when the
        // stock publishes it ("[ND]" when INSEE masked it).
        const published = (value: string | undefined) => (value && value !== "[ND]" ? value : null)
        const place = (row: Record<string, string | null | undefined>) => ({
          commune_code: row.commune_code,
          department: row.department
        })
        expect({
          siret: row.siret,
          siren: row.siren,
          naf: row.naf,
          headcount_band: row.headcount_band,
          is_active: row.is_active,
          ...place(row)
        }).toEqual({
          siret: entry.get("siret"),
          siren: entry.get("siren"),
          naf: entry.get("activitePrincipaleEtablissement"),
          headcount_band: entry.get("trancheEffectifsEtablissement") || null,
          is_active: String(entry.get("etatAdministratifEtablissement") === "A" && unitState !== "C"),
          ...place({
            commune_code: published(entry.get("codeCommuneEtablissement")),
            department: published(entry.get("codeCommuneEtablissement"))
              ? departmentOf(entry.get("codeCommuneEtablissement")) || null
              : null
          })
        })
      }
    })

    it("rejects only planted malformed lines, or establishments whose legal unit cannot be read", () => {
      expect(rejects.header).toEqual(["file", "line", "reason", "detail", "siret", "raw"])
      for (const reject of rejects.rows) {
        const where = key(reject.file ?? "", Number(reject.line))
        const reason = reject.reason ?? ""
        if (reason.startsWith("legal_unit_")) {
          // The unit's own line is named in the detail; an unreadable one is a planted line.
          expect(reason).toBe("legal_unit_unreadable")
          const unitLine = /at (StockUniteLegale_utf8\.csv):(\d+):/.exec(reject.detail ?? "")
          expect(unitLine).not.toBeNull()
          expect(planted.has(key(unitLine![1]!, Number(unitLine![2])))).toBe(true)
          expect(reject.file).toBe(ETAB)
        } else {
          expect({ where, planted: planted.has(where) }).toEqual({ where, planted: true })
        }
      }
    })

    it("accounts for every matching line: kept in dataset.csv or listed in rejects.csv", () => {
      const kept = new Set(dataset.rows.map((row) => row.siret))
      const rejected = new Map(rejects.rows.map((row) => [key(row.file ?? "", Number(row.line)), row.reason]))
      const lost: string[] = []
      let unitProblems = 0
      for (const { line, get, unit } of matching) {
        const where = key(ETAB, line.line)
        if (unit === undefined || unit.fields === null) {
          // Without a readable legal unit, the establishment cannot be shown nor silently dropped.
          unitProblems++
          if (!rejected.get(where)?.startsWith("legal_unit_")) lost.push(where)
          continue
        }
        const unitActive = unit.fields[units.column("etatAdministratifUniteLegale")] === "A"
        if (scenario.filters.active_only && !unitActive) continue
        if (!kept.has(get("siret")) && !rejected.has(where)) lost.push(where)
      }
      expect(lost).toEqual([])
      expect(kept.size + rejects.rows.length).toBeGreaterThanOrEqual(expected.length + unitProblems)
    })

    it("reports the planted lines whose fields can still be read and that pass the filters", () => {
      // Bytes that are not UTF-8, or a stray quote inside an unquoted field, leave every other field
      // readable: such a line, when it passes the filters, must show up in rejects.csv with its reason.
      const reasons = new Map(rejects.rows.map((row) => [key(row.file ?? "", Number(row.line)), row.reason]))
      const readable = etab.lines.filter(
        (line) => (line.problem === "invalid_utf8" || line.problem === "quoting") && line.lossy.split(",").length === 54
      )
      const reported = readable.flatMap((line) => {
        const fields = line.lossy.split(",")
        const get = (name: string) => fields[etab.column(name)] ?? ""
        if (!establishmentMatches(get, scenario.filters)) return []
        const unit = unitBySiren.get(get("siren"))?.fields
        if (scenario.filters.active_only && unit && unit[units.column("etatAdministratifUniteLegale")] !== "A")
          return []
        const want = line.problem === "invalid_utf8" ? "invalid_utf8" : "broken_quoting"
        return [{ line: line.line, reason: reasons.get(key(ETAB, line.line)) ?? "(not reported)", want }]
      })
      readablePlantedChecked += reported.length
      expect(reported.map(({ line, reason }) => ({ line, reason }))).toEqual(
        reported.map(({ line, want }) => ({ line, reason: want }))
      )
    })
  })
}

describe("across the scenarios", () => {
  it("met planted lines that are still readable and pass the filters", () => {
    expect(readablePlantedChecked).toBeGreaterThan(0)
  })
})
