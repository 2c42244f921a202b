import { afterAll, describe, expect, it } from "bun:test"
import { readFile, rm } from "node:fs/promises"
import { join } from "node:path"
import { generateStock } from "../../../bench/sirene/generate.ts"
import { collect as collectRecords } from "../../../plugins/sirene/DumpsCollect.ts"
import {
  establishment,
  establishmentsCsv,
  legalUnit,
  legalUnitsCsv,
  type Row,
  readJsonl,
  runSteps,
  sirenOf,
  siretOf,
  tempDir,
  writeInputs,
  zipOf
} from "./support.ts"

const dirs: string[] = []
const dir = async () => {
  const created = await tempDir()
  dirs.push(created)
  return created
}
afterAll(async () => {
  for (const created of dirs) await rm(created, { recursive: true, force: true })
})

/** Collects with the given rows and job filters; returns the kept records by SIRET. */
const collect = async (
  etabs: Row[],
  units: Row[],
  filters: Record<string, unknown> = {},
  extraLines: string[] = []
) => {
  const base = await dir()
  const inputs = await writeInputs(base, {
    "StockEtablissement_utf8.csv": establishmentsCsv(etabs, extraLines),
    "StockUniteLegale_utf8.csv": legalUnitsCsv(units)
  })
  const outDir = join(base, "out")
  const summary = await runSteps({ steps: ["dumps.collect"], inputs, outDir, job: { filters } })
  const records = await readJsonl(join(outDir, "state/records/dumps.collect.jsonl"))
  return { summary, records, kept: records.filter((record) => !record.reject_reason), outDir, inputs }
}

const A = sirenOf("40000001")
const B = sirenOf("40000002")
const C = sirenOf("40000003")

describe("dumps.collect filters", () => {
  it("keeps NAF codes by exact sub-class or prefix, on NAFRev2 rows only", async () => {
    const rows = [
      establishment(siretOf(A, "0001"), { activitePrincipaleEtablissement: "62.01Z" }),
      establishment(siretOf(A, "0002"), { activitePrincipaleEtablissement: "62.02A" }),
      establishment(siretOf(A, "0003"), { activitePrincipaleEtablissement: "63.11Z" }),
      // Same digits, older nomenclature: not NAF rev. 2, never kept by a NAF filter.
      establishment(siretOf(A, "0004"), {
        activitePrincipaleEtablissement: "62.02A",
        nomenclatureActivitePrincipaleEtablissement: "NAFRev1"
      })
    ]
    const units = [legalUnit(A)]
    const prefix = await collect(rows, units, { naf_include: ["62"] })
    expect(prefix.kept.map((r) => r.activitePrincipaleEtablissement)).toEqual(["62.01Z", "62.02A"])
    const exact = await collect(rows, units, { naf_include: ["62.02A", "63.11Z"] })
    expect(exact.kept.map((r) => r.activitePrincipaleEtablissement)).toEqual(["62.02A", "63.11Z"])
    const excluded = await collect(rows, units, { naf_include: ["62", "63"], naf_exclude: ["62.01"] })
    expect(excluded.kept.map((r) => r.activitePrincipaleEtablissement)).toEqual(["62.02A", "63.11Z"])
  })

  it("takes the department from the commune code: Corsica and overseas, and regions as their departments", async () => {
    const rows = [
      establishment(siretOf(A, "0001"), { codeCommuneEtablissement: "2A004", codePostalEtablissement: "20000" }),
      establishment(siretOf(A, "0002"), { codeCommuneEtablissement: "97105", codePostalEtablissement: "97100" }),
      establishment(siretOf(A, "0003"), { codeCommuneEtablissement: "92012", codePostalEtablissement: "92100" }),
      establishment(siretOf(A, "0004"), { codeCommuneEtablissement: "69123", codePostalEtablissement: "69001" })
    ]
    const units = [legalUnit(A)]
    const communes = async (filters: Record<string, unknown>) =>
      (await collect(rows, units, filters)).kept.map((r) => r.codeCommuneEtablissement)
    expect(await communes({ departments: ["2A", "971"] })).toEqual(["2A004", "97105"])
    expect(await communes({ regions: ["11"] })).toEqual(["92012"])
    expect(await communes({ regions: ["94"], departments: ["69"] })).toEqual(["2A004", "69123"])
  })

  it("keeps only active establishments of active legal units with active_only", async () => {
    const rows = [
      establishment(siretOf(A, "0001")),
      establishment(siretOf(A, "0002"), { etatAdministratifEtablissement: "F" }),
      establishment(siretOf(B, "0001"))
    ]
    const units = [legalUnit(A), legalUnit(B, { etatAdministratifUniteLegale: "C" })]
    const active = await collect(rows, units, { active_only: true })
    expect(active.kept.map((r) => r.siret)).toEqual([siretOf(A, "0001")])
    const all = await collect(rows, units, {})
    expect(all.kept).toHaveLength(3)
  })

  it("filters headcount bands and creation dates on the raw fields", async () => {
    const rows = [
      establishment(siretOf(A, "0001"), {
        trancheEffectifsEtablissement: "11",
        dateCreationEtablissement: "2010-01-01"
      }),
      establishment(siretOf(A, "0002"), {
        trancheEffectifsEtablissement: "21",
        dateCreationEtablissement: "2020-06-15"
      }),
      establishment(siretOf(A, "0003"), { trancheEffectifsEtablissement: "", dateCreationEtablissement: "2021-01-01" })
    ]
    const units = [legalUnit(A)]
    expect(
      (await collect(rows, units, { headcount: ["21", "11"] })).kept.map((r) => r.trancheEffectifsEtablissement)
    ).toEqual(["11", "21"])
    expect(
      (await collect(rows, units, { created_after: "2015-01-01" })).kept.map((r) => r.dateCreationEtablissement)
    ).toEqual(["2020-06-15", "2021-01-01"])
  })
})

describe("dumps.collect records", () => {
  it("joins the legal unit's fields onto each kept establishment", async () => {
    const { kept } = await collect(
      [establishment(siretOf(A, "0001"))],
      [legalUnit(A, { denominationUniteLegale: "ACME, CONSEIL" })]
    )
    expect(kept[0]).toMatchObject({
      siret: siretOf(A, "0001"),
      denominationUniteLegale: "ACME, CONSEIL",
      categorieJuridiqueUniteLegale: "5710"
    })
    expect(kept[0]!.source_line).toBe(2)
  })

  it("masks personal and address fields of non-diffusible units and never rebuilds them", async () => {
    const siret = siretOf(C, "0001")
    const { kept } = await collect(
      [
        establishment(siret, {
          statutDiffusionEtablissement: "P",
          enseigne1Etablissement: "CHEZ MARIE",
          libelleVoieEtablissement: "[ND]"
        })
      ],
      [
        legalUnit(C, {
          statutDiffusionUniteLegale: "P",
          categorieJuridiqueUniteLegale: "1000",
          nomUniteLegale: "DUPONT",
          prenom1UniteLegale: "MARIE",
          denominationUniteLegale: ""
        })
      ]
    )
    const record = kept[0]!
    expect(record.siret).toBe(siret)
    expect(record.activitePrincipaleEtablissement).toBe("62.02A")
    for (const field of [
      "enseigne1Etablissement",
      "libelleVoieEtablissement",
      "nomUniteLegale",
      "prenom1UniteLegale",
      "numeroVoieEtablissement"
    ]) {
      expect(record[field] ?? null).toBeNull()
    }
  })

  it("reads the published .zip as it streams", async () => {
    const base = await dir()
    const inputs = await writeInputs(base, {
      "StockEtablissement_utf8.zip": zipOf(
        "StockEtablissement_utf8.csv",
        Buffer.from(establishmentsCsv([establishment(siretOf(A, "0001"))]))
      ),
      "StockUniteLegale_utf8.zip": zipOf("StockUniteLegale_utf8.csv", Buffer.from(legalUnitsCsv([legalUnit(A)])))
    })
    await runSteps({ steps: ["dumps.collect"], inputs, outDir: join(base, "out") })
    const records = await readJsonl(join(base, "out/state/records/dumps.collect.jsonl"))
    expect(records.map((r) => r.siret)).toEqual([siretOf(A, "0001")])
  })
})

describe("dumps.collect inputs", () => {
  it("tells each file's role from its header, whatever its name, with trimmed header names", async () => {
    const base = await dir()
    const etab = establishmentsCsv([establishment(siretOf(A, "0001"))]).replace(
      "siren,nic,siret",
      " siren , nic ,siret"
    )
    const inputs = await writeInputs(base, { "a.csv": legalUnitsCsv([legalUnit(A)]), "b.csv": etab })
    await runSteps({ steps: ["dumps.collect"], inputs, outDir: join(base, "out") })
    expect((await readJsonl(join(base, "out/state/records/dumps.collect.jsonl"))).map((r) => r.siret)).toEqual([
      siretOf(A, "0001")
    ])
  })

  it("refuses a file whose header is not SIRENE nor a company list, naming it", async () => {
    const base = await dir()
    const inputs = await writeInputs(base, { "mystery.csv": "id,label\n1,x\n" })
    const summary = await runSteps({ steps: ["dumps.collect"], inputs, outDir: join(base, "out") })
    expect(summary.exit_code).toBe(2)
    expect(summary.error?.message).toContain("mystery.csv")
    expect(summary.error?.message).toContain('"siret" column')
  })

  it("names the required columns a stock file lacks", async () => {
    const base = await dir()
    const inputs = await writeInputs(base, { "etab.csv": "siren,siret,etatAdministratifEtablissement\n" })
    const summary = await runSteps({ steps: ["dumps.collect"], inputs, outDir: join(base, "out") })
    expect(summary.error?.message).toContain("etab.csv")
    expect(summary.error?.message).toContain("codeCommuneEtablissement")
    expect(summary.error?.message).toContain("activitePrincipaleEtablissement")
  })

  it("looks a company list's SIRETs up in the stock, and passes unknown ones on as they are", async () => {
    const base = await dir()
    const known = siretOf(A, "0001")
    const unknown = siretOf(B, "0009")
    const inputs = await writeInputs(base, {
      "list.csv": `siret,name,website\n${known},Acme,https://acme.example\n"${unknown}",Other Co,\n`,
      "etab.csv": establishmentsCsv([establishment(known), establishment(siretOf(A, "0002"))]),
      "ul.csv": legalUnitsCsv([legalUnit(A)])
    })
    await runSteps({ steps: ["dumps.collect"], inputs, outDir: join(base, "out") })
    const records = await readJsonl(join(base, "out/state/records/dumps.collect.jsonl"))
    expect(records.map((r) => r.siret)).toEqual([known, unknown].sort())
    const acme = records.find((r) => r.siret === known)!
    expect(acme).toMatchObject({
      website: "https://acme.example",
      input_name: "Acme",
      denominationUniteLegale: `SOCIETE ${A}`
    })
    expect(records.find((r) => r.siret === unknown)).toMatchObject({ input_name: "Other Co", website: null })
  })

  it("keeps the first row of a SIRET listed twice and rejects the repeat with its line", async () => {
    const base = await dir()
    const known = siretOf(A, "0001")
    const inputs = await writeInputs(base, {
      "list.csv": `siret,name,website\n${known},Acme,https://acme.example\n${known},Acme bis,https://other.example\n`,
      "etab.csv": establishmentsCsv([establishment(known)]),
      "ul.csv": legalUnitsCsv([legalUnit(A)])
    })
    const outDir = join(base, "out")
    await runSteps({ steps: ["dumps.collect", "normalize.standardize"], inputs, outDir })
    const rejects = (await readFile(join(outDir, "normalized/rejects.csv"), "utf8")).trim().split("\n").slice(1)
    expect(rejects.map((line) => line.split(",").slice(0, 3).join(","))).toEqual(["list.csv,3,duplicate_in_list"])
    const records = await readJsonl(join(outDir, "state/records/dumps.collect.jsonl"))
    expect(records.filter((r) => r.siret === known)).toHaveLength(1)
    expect(records.find((r) => r.siret === known)).toMatchObject({
      input_name: "Acme",
      website: "https://acme.example"
    })
  })
})

describe("bad input lines", () => {
  it("sends each bad line to rejects.csv with its line and reason, and loses nothing else", async () => {
    const base = await dir()
    const good = [1, 2, 3, 4, 5].map((n) => establishment(siretOf(A, String(n).padStart(4, "0"))))
    const header = establishmentsCsv([]).trimEnd()
    const lines = good.map((row) => establishmentsCsv([row]).trimEnd().split("\n")[1]!)
    const badChecksum = establishmentsCsv([establishment(`${A}00018`)])
      .trimEnd()
      .split("\n")[1]!
    const strayQuote = lines[1]!.replace("DE LA PAIX", 'DE LA "PAIX')
    // One field short, NAF still there: a candidate of the NAF filter, so it is split and rejected.
    const shortRow = lines[2]!.split(",").toSpliced(30, 1).join(",")
    const text = `${[header, lines[0], strayQuote, lines[3], shortRow, badChecksum, lines[4]].join("\n")}\n`
    const bytes = Buffer.concat([
      Buffer.from(text),
      Buffer.from(`${lines[2]!.replace("PARIS 2", "PARIS \xff")}\n`, "latin1")
    ])
    const inputs = await writeInputs(base, { "etab.csv": bytes, "ul.csv": legalUnitsCsv([legalUnit(A)]) })
    const outDir = join(base, "out")
    const summary = await runSteps({
      steps: ["dumps.collect", "normalize.standardize"],
      inputs,
      outDir,
      job: { filters: { naf_include: ["62"] } }
    })
    expect(summary.status).toBe("succeeded")
    const rejects = (await readFile(join(outDir, "normalized/rejects.csv"), "utf8")).trim().split("\n").slice(1)
    const byLine = rejects.map((line) => line.split(",").slice(0, 3).join(",")).sort()
    expect(byLine).toEqual([
      "etab.csv,3,broken_quoting",
      "etab.csv,5,wrong_column_count",
      "etab.csv,6,invalid_siret",
      "etab.csv,8,invalid_utf8"
    ])
    // The lines after the stray quote were read as usual: three good rows made it through.
    const normalized = await readJsonl(join(outDir, "state/records/normalize.standardize.jsonl"))
    expect(normalized.map((r) => r.siret)).toEqual([good[0], good[3], good[4]].map((row) => row!.siret))
    const summaryFile = JSON.parse(await readFile(join(outDir, "reports/standardize_summary.json"), "utf8"))
    expect(summaryFile).toMatchObject({ lines_in: 7, lines_out: 3, rejected: 4 })
  })
})

describe("bad input lines without a NAF filter", () => {
  it("parses every line, so every malformed line is rejected", async () => {
    const base = await dir()
    const lines = establishmentsCsv([establishment(siretOf(A, "0001")), establishment(siretOf(A, "0002"))])
      .trimEnd()
      .split("\n")
    const noNaf = lines[2]!.split(",").slice(0, 20).join(",")
    const inputs = await writeInputs(base, {
      "etab.csv": `${[lines[0], lines[1], noNaf].join("\n")}\n`,
      "ul.csv": legalUnitsCsv([legalUnit(A)])
    })
    const outDir = join(base, "out")
    await runSteps({
      steps: ["dumps.collect", "normalize.standardize"],
      inputs,
      outDir,
      job: { filters: { departments: ["75"] } }
    })
    const rejects = (await readFile(join(outDir, "normalized/rejects.csv"), "utf8")).trim().split("\n").slice(1)
    expect(rejects.map((line) => line.split(",").slice(0, 3).join(","))).toEqual(["etab.csv,3,wrong_column_count"])
  })
})

describe("Parquet stock files", () => {
  it("gives the same records as the CSV stock they were converted from", async () => {
    const { DuckDBInstance } = await import("@duckdb/node-api")
    const etabs = [
      establishment(siretOf(A, "0001")),
      establishment(siretOf(A, "0002"), { activitePrincipaleEtablissement: "70.10Z" }),
      establishment(siretOf(B, "0001"), { codeCommuneEtablissement: "2A004", codePostalEtablissement: "20000" }),
      establishment(siretOf(C, "0001"), { etatAdministratifEtablissement: "F" })
    ]
    const units = [legalUnit(A), legalUnit(B, { denominationUniteLegale: "CORSE, INFORMATIQUE" }), legalUnit(C)]
    const filters = { naf_include: ["62"], active_only: true }
    const csv = await collect(etabs, units, filters)
    const base = await dir()
    const duck = await (await DuckDBInstance.create(":memory:")).connect()
    for (const [csvFile, parquetFile] of [
      [csv.inputs[0]!, join(base, "StockEtablissement.parquet")],
      [csv.inputs[1]!, join(base, "StockUniteLegale.parquet")]
    ]) {
      await duck.run(
        `COPY (SELECT * FROM read_csv('${csvFile}', header = true, all_varchar = true)) TO '${parquetFile}' (FORMAT parquet, COMPRESSION zstd)`
      )
    }
    const outDir = join(base, "out")
    await runSteps({ steps: ["dumps.collect"], inputs: [base], outDir, job: { filters } })
    const fromParquet = await readJsonl(join(outDir, "state/records/dumps.collect.jsonl"))
    const strip = (records: Array<Record<string, unknown>>) => records.map(({ source_file: _file, ...rest }) => rest)
    expect(fromParquet.map((r) => r.siret)).toEqual([siretOf(A, "0001"), siretOf(B, "0001")])
    expect(strip(fromParquet)).toEqual(strip(csv.records))
  })
})

describe("review fixes", () => {
  const quoteAll = (csv: string) =>
    `${csv
      .trimEnd()
      .split("\n")
      .map((line) =>
        line
          .split(",")
          .map((field) => `"${field}"`)
          .join(",")
      )
      .join("\n")}\n`

  it("filters and joins files that quote every field", async () => {
    const base = await dir()
    const inputs = await writeInputs(base, {
      "etab.csv": quoteAll(
        establishmentsCsv([
          establishment(siretOf(A, "0001")),
          establishment(siretOf(B, "0001"), { activitePrincipaleEtablissement: "70.10Z" })
        ])
      ),
      "ul.csv": quoteAll(legalUnitsCsv([legalUnit(A), legalUnit(B)]))
    })
    await runSteps({
      steps: ["dumps.collect"],
      inputs,
      outDir: join(base, "out"),
      job: { filters: { naf_include: ["62"] } }
    })
    const records = await readJsonl(join(base, "out/state/records/dumps.collect.jsonl"))
    expect(records.map((r) => [r.siret, r.reject_reason ?? null, r.denominationUniteLegale])).toEqual([
      [siretOf(A, "0001"), null, `SOCIETE ${A}`]
    ])
  })

  it("skips blank CRLF lines instead of rejecting them", async () => {
    const base = await dir()
    const crlf = `${establishmentsCsv([establishment(siretOf(A, "0001"))]).replaceAll("\n", "\r\n")}\r\n`
    const inputs = await writeInputs(base, { "etab.csv": crlf, "ul.csv": legalUnitsCsv([legalUnit(A)]) })
    await runSteps({ steps: ["dumps.collect"], inputs, outDir: join(base, "out") })
    const records = await readJsonl(join(base, "out/state/records/dumps.collect.jsonl"))
    expect(records.map((r) => r.reject_reason ?? "kept")).toEqual(["kept"])
  })

  it("reads a company list stored as Parquet", async () => {
    const { DuckDBInstance } = await import("@duckdb/node-api")
    const base = await dir()
    const listed = siretOf(A, "0001")
    const [csvList] = await writeInputs(base, { "list.csv": `siret,name\n${listed},Acme\n` })
    const duck = await (await DuckDBInstance.create(":memory:")).connect()
    const parquetList = join(base, "list.parquet")
    await duck.run(
      `COPY (SELECT * FROM read_csv('${csvList}', header = true, all_varchar = true)) TO '${parquetList}' (FORMAT parquet)`
    )
    await rm(csvList!)
    await writeInputs(base, {
      "etab.csv": establishmentsCsv([establishment(listed)]),
      "ul.csv": legalUnitsCsv([legalUnit(A)])
    })
    await runSteps({ steps: ["dumps.collect"], inputs: [base], outDir: join(base, "out") })
    const records = await readJsonl(join(base, "out/state/records/dumps.collect.jsonl"))
    expect(records.map((r) => [r.siret, r.input_name])).toEqual([[listed, "Acme"]])
  })

  it("checks filters set from the command line like the job's own", async () => {
    const base = await dir()
    const inputs = await writeInputs(base, { "etab.csv": establishmentsCsv([]), "ul.csv": legalUnitsCsv([]) })
    await expect(
      runSteps({
        steps: ["dumps.collect"],
        inputs,
        outDir: join(base, "out"),
        set: ["dumps.collect.filters.naf_incude=[62]"]
      })
    ).rejects.toThrow("naf_incude")
  })

  it("never names a partially diffusible row from a company list, nor shows its rejected line", async () => {
    const base = await dir()
    const hidden = siretOf(C, "0001")
    const broken = `${
      establishmentsCsv([
        establishment(siretOf(C, "0002"), {
          statutDiffusionEtablissement: "P",
          enseigne1Etablissement: "JEAN DUPONT PLOMBERIE"
        })
      ])
        .trimEnd()
        .split("\n")[1]
    },extra`
    const inputs = await writeInputs(base, {
      "list.csv": `siret,name\n${hidden},Jean Dupont\n`,
      "etab.csv": establishmentsCsv([establishment(hidden, { statutDiffusionEtablissement: "P" })], [broken]),
      "ul.csv": legalUnitsCsv([
        legalUnit(C, {
          statutDiffusionUniteLegale: "P",
          categorieJuridiqueUniteLegale: "1000",
          nomUniteLegale: "DUPONT",
          denominationUniteLegale: ""
        })
      ])
    })
    const outDir = join(base, "out")
    await runSteps({
      steps: ["dumps.collect", "normalize.standardize"],
      inputs,
      outDir,
      job: { filters: { naf_include: ["62"] } }
    })
    const [row] = await readJsonl(join(outDir, "state/records/normalize.standardize.jsonl"))
    expect(row).toMatchObject({ siret: hidden, diffusion: "P", name: null })
    const rejects = await readFile(join(outDir, "normalized/rejects.csv"), "utf8")
    expect(rejects).not.toContain("DUPONT")
    expect(rejects).toContain("not shown: partially diffusible unit")
  })

  it("makes unusable inputs a usage error (exit 2), not a failed step", async () => {
    const base = await dir()
    const inputs = await writeInputs(base, { "mystery.csv": "a,b\n1,2\n" })
    const summary = await runSteps({ steps: ["dumps.collect"], inputs, outDir: join(base, "out") })
    expect(summary.exit_code).toBe(2)
  })
})

describe("dumps.collect parallel_scan", () => {
  it("gives the same records, rejects and line numbers as the single-thread scan", async () => {
    const base = await dir()
    await generateStock({ establishments: 20_000, seed: 7, dir: base })
    const filters = { naf_include: ["62", "70.22Z"], active_only: true }
    const all = async (parallelScan: boolean) => {
      const logs: string[] = []
      const result = await collectRecords([base], filters, undefined, (message) => logs.push(message), {
        parallelScan,
        // Small generated files: force the two-halves path.
        parallelThreshold: 0
      })
      return { records: [...result.records], lines: result.lines, logs }
    }
    const single = await all(false)
    const parallel = await all(true)
    expect(single.records.length).toBeGreaterThan(100)
    expect(single.records.some((record) => record.reject_reason !== undefined)).toBe(true)
    expect(parallel.records).toEqual(single.records)
    expect(parallel.lines).toBe(single.lines)
    expect(parallel.logs).toEqual(single.logs)
  })
})
