import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DuckDBInstance } from "@duckdb/node-api"
import {
  ESTABLISHMENT_COLUMNS,
  OFFICIAL_ESTABLISHMENT_HEADER,
  OFFICIAL_LEGAL_UNIT_HEADER
} from "../../../plugins/sirene/columns.ts"
import { columnIndexOf, compileFilter } from "../../../plugins/sirene/filters.ts"
import { InputUnreadable } from "../../../plugins/sirene/input/bytes.ts"
import {
  parquetColumnBatches,
  parquetInfo,
  parquetRowBatches,
  rowAsLine
} from "../../../plugins/sirene/input/parquet.ts"
import { recogniseHeader } from "../../../plugins/sirene/input/roles.ts"

type Text = string | null

/** A column of the test files: its SQL over `i` (0, 1, 2, ...) and the CSV text it must read back as. */
interface Column {
  readonly sql: string
  readonly text: (i: number) => Text
}

const pad = (value: number, width: number) => String(value).padStart(width, "0")

/** The CSV text of a UTC date built by calendar arithmetic (not the reader's code path): days past the month overflow. */
const calendar = (date: Date, withTime: boolean) => {
  const day = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}`
  const time = `${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}`
  return withTime ? `${day}T${time}` : day
}
const dayText = (year: number, month: number, day: number) => calendar(new Date(Date.UTC(year, month - 1, day)), false)
const timeText = (seconds: number) => calendar(new Date(Date.UTC(2024, 0, 1, 0, 0, seconds)), true)

const NAF = ["62.02A", "47.11B", "56.10A", "01.11Z"] as const
const STREETS = ["DE LA PAIX", "DU GÉNÉRAL DE GAULLE", 'DES "QUATRE", VENTS'] as const
const sqlText = (value: string) => `'${value.replaceAll("'", "''")}'`
const sqlPick = (values: ReadonlyArray<string>, modulo = "i") =>
  `[${values.map(sqlText).join(", ")}][(${modulo}) % ${values.length} + 1]`

const sirenOf = (i: number) => pad(i * 7, 9)
const nicOf = (i: number) => pad(i % 100_000, 5)

/** StockEtablissement as a SIRENE Parquet file may type it: codes as VARCHAR, dates, booleans, counts, decimals. */
const establishmentColumns: Record<string, Column> = {
  siren: { sql: "printf('%09d', i * 7)", text: sirenOf },
  nic: { sql: "printf('%05d', i % 100000)", text: nicOf },
  siret: { sql: "printf('%09d', i * 7) || printf('%05d', i % 100000)", text: (i) => sirenOf(i) + nicOf(i) },
  statutDiffusionEtablissement: {
    sql: "CASE WHEN i % 10 = 0 THEN 'P' ELSE 'O' END",
    text: (i) => (i % 10 === 0 ? "P" : "O")
  },
  dateCreationEtablissement: {
    sql: "CASE WHEN i % 7 = 0 THEN NULL ELSE DATE '1950-01-01' + (i * 5)::INTEGER END",
    text: (i) => (i % 7 === 0 ? null : dayText(1950, 1, 1 + i * 5))
  },
  trancheEffectifsEtablissement: {
    sql: "CASE i % 6 WHEN 0 THEN NULL WHEN 1 THEN 'NN' WHEN 2 THEN '00' WHEN 3 THEN '11' ELSE '12' END",
    text: (i) => [null, "NN", "00", "11", "12", "12"][i % 6]!
  },
  anneeEffectifsEtablissement: {
    sql: "CASE WHEN i % 4 >= 2 THEN (2020 + i % 3)::INTEGER ELSE NULL END",
    text: (i) => (i % 4 >= 2 ? String(2020 + (i % 3)) : null)
  },
  dateDernierTraitementEtablissement: {
    sql: "TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (i * 3671) SECOND",
    text: (i) => timeText(i * 3671)
  },
  etablissementSiege: {
    sql: "CASE WHEN i % 13 = 0 THEN NULL ELSE i % 3 = 0 END",
    text: (i) => (i % 13 === 0 ? null : i % 3 === 0 ? "true" : "false")
  },
  nombrePeriodesEtablissement: { sql: "(i % 9 + 1)::BIGINT", text: (i) => String((i % 9) + 1) },
  numeroVoieEtablissement: {
    sql: "CASE WHEN i % 5 = 0 THEN NULL ELSE (i % 300)::INTEGER END",
    text: (i) => (i % 5 === 0 ? null : String(i % 300))
  },
  libelleVoieEtablissement: { sql: sqlPick(STREETS), text: (i) => STREETS[i % 3]! },
  codePostalEtablissement: { sql: "printf('%05d', 1000 + i % 900)", text: (i) => pad(1000 + (i % 900), 5) },
  libelleCommuneEtablissement: { sql: "'SAINT-ÉTIENNE'", text: () => "SAINT-ÉTIENNE" },
  codeCommuneEtablissement: {
    sql: "CASE WHEN i % 50 = 0 THEN '2A004' ELSE printf('%05d', 75000 + i % 100) END",
    text: (i) => (i % 50 === 0 ? "2A004" : pad(75000 + (i % 100), 5))
  },
  coordonneeLambertAbscisseEtablissement: {
    sql: "CASE WHEN i % 6 = 0 THEN NULL ELSE 600000 + i * 0.5 END::DOUBLE",
    text: (i) => (i % 6 === 0 ? null : String(600000 + i * 0.5))
  },
  coordonneeLambertOrdonneeEtablissement: {
    sql: "((68000000 + i) / 10)::DECIMAL(9, 1)",
    text: (i) => `${6800000 + Math.floor(i / 10)}.${i % 10}`
  },
  dateDebut: { sql: "DATE '2000-01-01' + (i % 1000)::INTEGER", text: (i) => dayText(2000, 1, 1 + (i % 1000)) },
  etatAdministratifEtablissement: {
    sql: "CASE WHEN i % 5 = 0 THEN 'F' ELSE 'A' END",
    text: (i) => (i % 5 === 0 ? "F" : "A")
  },
  enseigne1Etablissement: {
    sql: "CASE WHEN i % 2 = 0 THEN '' ELSE '[ND]' END",
    text: (i) => (i % 2 === 0 ? null : "[ND]")
  },
  activitePrincipaleEtablissement: { sql: sqlPick(NAF), text: (i) => NAF[i % 4]! },
  nomenclatureActivitePrincipaleEtablissement: {
    sql: "CASE WHEN i % 20 = 0 THEN 'NAFRev1' ELSE 'NAFRev2' END",
    text: (i) => (i % 20 === 0 ? "NAFRev1" : "NAFRev2")
  },
  caractereEmployeurEtablissement: {
    sql: "CASE i % 3 WHEN 0 THEN 'O' WHEN 1 THEN 'N' ELSE NULL END",
    text: (i) => ["O", "N", null][i % 3]!
  },
  activitePrincipaleNAF25Etablissement: {
    sql: "CASE WHEN i % 2 = 0 THEN '62.20Y' ELSE NULL END",
    text: (i) => (i % 2 === 0 ? "62.20Y" : null)
  }
}

const unitSiren = (i: number) => pad(i * 14, 9)

/** StockUniteLegale, with its own mix of types. */
const legalUnitColumns: Record<string, Column> = {
  siren: { sql: "printf('%09d', i * 14)", text: unitSiren },
  statutDiffusionUniteLegale: {
    sql: "CASE WHEN i % 9 = 0 THEN 'P' ELSE 'O' END",
    text: (i) => (i % 9 === 0 ? "P" : "O")
  },
  unitePurgeeUniteLegale: {
    sql: "CASE WHEN i % 2 = 0 THEN NULL ELSE i % 3 = 0 END",
    text: (i) => (i % 2 === 0 ? null : i % 3 === 0 ? "true" : "false")
  },
  dateCreationUniteLegale: {
    sql: "CASE WHEN i % 11 = 0 THEN NULL ELSE DATE '1899-12-31' + (i * 11)::INTEGER END",
    text: (i) => (i % 11 === 0 ? null : dayText(1899, 12, 31 + i * 11))
  },
  anneeEffectifsUniteLegale: { sql: "(2019 + i % 5)::BIGINT", text: (i) => String(2019 + (i % 5)) },
  nombrePeriodesUniteLegale: {
    sql: "CASE WHEN i % 3 = 0 THEN NULL ELSE (i % 40)::INTEGER END",
    text: (i) => (i % 3 === 0 ? null : String(i % 40))
  },
  categorieEntreprise: { sql: sqlPick(["PME", "ETI", "GE"]), text: (i) => ["PME", "ETI", "GE"][i % 3]! },
  etatAdministratifUniteLegale: {
    sql: "CASE WHEN i % 4 = 0 THEN 'C' ELSE 'A' END",
    text: (i) => (i % 4 === 0 ? "C" : "A")
  },
  denominationUniteLegale: {
    sql: "CASE WHEN i % 5 = 0 THEN NULL ELSE 'SOCIÉTÉ ' || i END",
    text: (i) => (i % 5 === 0 ? null : `SOCIÉTÉ ${i}`)
  },
  categorieJuridiqueUniteLegale: { sql: "'5710'", text: () => "5710" },
  nicSiegeUniteLegale: { sql: "'00016'", text: () => "00016" }
}

/** Every official column in order: those not described above are all-NULL VARCHAR. */
const layout = (header: ReadonlyArray<string>, columns: Record<string, Column>) =>
  header.map((name) => [name, columns[name] ?? { sql: "NULL::VARCHAR", text: () => null }] as const)

const establishmentLayout = layout(OFFICIAL_ESTABLISHMENT_HEADER, establishmentColumns)
const legalUnitLayout = layout(OFFICIAL_LEGAL_UNIT_HEADER, legalUnitColumns)

const expectedRow = (columns: ReadonlyArray<readonly [string, Column]>, i: number, only?: ReadonlyArray<string>) =>
  Object.fromEntries(
    columns.filter(([name]) => !only || only.includes(name)).map(([name, column]) => [name, column.text(i)])
  )

const dir = await mkdtemp(join(tmpdir(), "filon-parquet-input-"))
const establishments = join(dir, "StockEtablissement.parquet")
const legalUnits = join(dir, "StockUniteLegale.parquet")
const large = join(dir, "StockEtablissement-300k.parquet")
const ROWS = 8000
const UNITS = 3000
const LARGE_ROWS = 300_000

beforeAll(async () => {
  const instance = await DuckDBInstance.create(":memory:")
  const connection = await instance.connect()
  const write = (columns: ReadonlyArray<readonly [string, Column]>, rows: number, path: string, options: string) =>
    connection.run(
      `COPY (SELECT ${columns.map(([name, column]) => `${column.sql} AS "${name}"`).join(", ")} FROM range(${rows}) t(i) ORDER BY i) TO '${path}' (FORMAT parquet, ${options})`
    )
  try {
    await write(establishmentLayout, ROWS, establishments, "COMPRESSION zstd, ROW_GROUP_SIZE 2048")
    await write(legalUnitLayout, UNITS, legalUnits, "COMPRESSION snappy, ROW_GROUP_SIZE 2048")
    await write(establishmentLayout, LARGE_ROWS, large, "COMPRESSION zstd")
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}, 60_000)

afterAll(() => rm(dir, { recursive: true, force: true }))

const readAll = async (file: string, columns: ReadonlyArray<string>, options = {}) => {
  const batches: Array<Array<Record<string, Text>>> = []
  for await (const batch of parquetRowBatches(file, columns, options)) batches.push(batch)
  return batches
}

describe("parquetInfo", () => {
  it("gives the schema's column names, the row count and the row groups", async () => {
    const info = await parquetInfo(establishments)
    expect(info.columns).toEqual([...OFFICIAL_ESTABLISHMENT_HEADER])
    expect(info.rows).toBe(ROWS)
    // DuckDB cuts row groups at multiples of its 2,048-row vectors.
    expect(info.rowGroupRows).toEqual([2048, 2048, 2048, 1856])
    expect(info.rowGroups).toBe(4)
    const units = await parquetInfo(legalUnits)
    expect(units.columns).toEqual([...OFFICIAL_LEGAL_UNIT_HEADER])
    expect(units.rows).toBe(UNITS)
  })

  it("names the file when it is not Parquet", async () => {
    const csv = join(dir, "not-parquet.csv")
    await writeFile(csv, "siren,siret\n123456789,12345678900011\n")
    const error = await parquetInfo(csv).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(InputUnreadable)
    expect(String(error)).toContain("not-parquet.csv")
  })

  it("gives a header the collector recognises", async () => {
    const info = await parquetInfo(establishments)
    expect(recogniseHeader(establishments, info.columns.join(",")).role).toBe("establishments")
    const units = await parquetInfo(legalUnits)
    expect(recogniseHeader(legalUnits, units.columns.join(",")).role).toBe("legal_units")
  })
})

describe("parquetRowBatches", () => {
  it("reads every value back as the CSV stock's text (zstd; VARCHAR, DATE, TIMESTAMP, BOOLEAN, INTEGER, BIGINT, DOUBLE, DECIMAL, NULL)", async () => {
    const rows = (await readAll(establishments, OFFICIAL_ESTABLISHMENT_HEADER)).flat()
    expect(rows).toHaveLength(ROWS)
    for (let i = 0; i < ROWS; i++) {
      if (JSON.stringify(rows[i]) !== JSON.stringify(expectedRow(establishmentLayout, i))) {
        expect({ row: i, ...rows[i] }).toEqual({ row: i, ...expectedRow(establishmentLayout, i) })
      }
    }
    // Spot checks, spelled out.
    expect(rows[1]).toMatchObject({
      siren: "000000007",
      siret: "00000000700001",
      dateCreationEtablissement: "1950-01-06",
      trancheEffectifsEtablissement: "NN",
      anneeEffectifsEtablissement: null,
      etatAdministratifEtablissement: "A",
      dateDernierTraitementEtablissement: "2024-01-01T01:01:11",
      etablissementSiege: "false",
      nombrePeriodesEtablissement: "2",
      numeroVoieEtablissement: "1",
      libelleVoieEtablissement: "DU GÉNÉRAL DE GAULLE",
      coordonneeLambertAbscisseEtablissement: "600000.5",
      coordonneeLambertOrdonneeEtablissement: "6800000.1",
      enseigne1Etablissement: "[ND]",
      activitePrincipaleRegistreMetiersEtablissement: null
    })
    expect(rows[0]).toMatchObject({
      dateCreationEtablissement: null,
      etablissementSiege: null,
      enseigne1Etablissement: null
    })
    expect(rows[2]!.libelleVoieEtablissement).toBe('DES "QUATRE", VENTS')
  })

  it("reads a snappy legal-units file, for a lookup by SIREN", async () => {
    const wanted = new Set([unitSiren(0), unitSiren(5), unitSiren(1234), unitSiren(2999), "999999999"])
    const units = new Map<string, Record<string, Text>>()
    for await (const batch of parquetRowBatches(legalUnits, OFFICIAL_LEGAL_UNIT_HEADER)) {
      for (const row of batch) if (wanted.has(row.siren ?? "")) units.set(row.siren!, row)
    }
    expect([...units.keys()].sort()).toEqual([unitSiren(0), unitSiren(5), unitSiren(1234), unitSiren(2999)].sort())
    for (const i of [0, 5, 1234, 2999]) expect(units.get(unitSiren(i))).toEqual(expectedRow(legalUnitLayout, i))
    expect(units.get(unitSiren(1234))).toMatchObject({
      unitePurgeeUniteLegale: null,
      dateCreationUniteLegale: "1937-03-01",
      anneeEffectifsUniteLegale: "2023",
      nombrePeriodesUniteLegale: "34",
      denominationUniteLegale: "SOCIÉTÉ 1234"
    })
  })

  it("returns only the requested columns, in the order asked", async () => {
    const columns = ["siret", "codeCommuneEtablissement", "dateCreationEtablissement"]
    const rows = (await readAll(establishments, columns)).flat()
    expect(rows).toHaveLength(ROWS)
    for (const row of rows) expect(Object.keys(row)).toEqual(columns)
    expect(rows[7321]).toEqual(expectedRow(establishmentLayout, 7321, columns))
  })

  it("refuses a column the file lacks, naming it", async () => {
    const read = readAll(establishments, ["siret", "nomInexistant"])
    await expect(read).rejects.toBeInstanceOf(InputUnreadable)
    await expect(readAll(establishments, ["siret", "nomInexistant"])).rejects.toThrow("nomInexistant")
  })

  it("yields batches of at most one row group, in file order", async () => {
    const info = await parquetInfo(establishments)
    const batches = await readAll(establishments, ["siret"])
    expect(batches.map((batch) => batch.length)).toEqual([...info.rowGroupRows])
    expect(batches.flat().map((row) => row.siret)).toEqual(
      Array.from({ length: ROWS }, (_, i) => sirenOf(i) + nicOf(i))
    )
    // Smaller slices of each row group when asked, same rows.
    const sliced = await readAll(establishments, ["siret", "dateCreationEtablissement"], { maxBatchRows: 300 })
    for (const batch of sliced) expect(batch.length).toBeLessThanOrEqual(300)
    expect(sliced.flat()).toEqual(
      Array.from({ length: ROWS }, (_, i) =>
        expectedRow(establishmentLayout, i, ["siret", "dateCreationEtablissement"])
      )
    )
  })

  it("gives column batches with the first row of each", async () => {
    let next = 0
    for await (const batch of parquetColumnBatches(establishments, ["siren", "etablissementSiege"])) {
      expect(batch.firstRow).toBe(next)
      expect(batch.columns.get("siren")).toHaveLength(batch.rows)
      expect(batch.columns.get("etablissementSiege")![0]).toBe(establishmentColumns.etablissementSiege!.text(next))
      next += batch.rows
    }
    expect(next).toBe(ROWS)
  })

  it("reads a 300,000-row file end to end with bounded memory", async () => {
    const columns = [...ESTABLISHMENT_COLUMNS]
    Bun.gc(true)
    const before = process.memoryUsage().rss
    let rows = 0
    let last: Record<string, Text> | undefined
    for await (const batch of parquetRowBatches(large, columns)) {
      rows += batch.length
      last = batch[batch.length - 1]
    }
    // Let the finished generator's frames go before collecting: a collection right away may still see them.
    await Bun.sleep(100)
    Bun.gc(true)
    const growth = process.memoryUsage().rss - before
    expect(rows).toBe(LARGE_ROWS)
    expect(last).toEqual(expectedRow(establishmentLayout, LARGE_ROWS - 1, columns))
    expect(growth).toBeLessThan(100 * 1024 * 1024)
  }, 60_000)
})

describe("rowAsLine", () => {
  it("lets the collector's byte-level filter run on Parquet rows unchanged", async () => {
    const info = await parquetInfo(establishments)
    const header = recogniseHeader(establishments, info.columns.join(","))
    const filter = compileFilter(
      {
        naf_include: ["62", "56.10"],
        departments: ["75", "2A"],
        headcount: ["00", "11"],
        active_only: true,
        created_after: "1960-01-01"
      } as never,
      columnIndexOf(header),
      () => []
    )
    const line = rowAsLine(header, OFFICIAL_ESTABLISHMENT_HEADER)
    const kept: string[] = []
    for await (const batch of parquetRowBatches(establishments, OFFICIAL_ESTABLISHMENT_HEADER)) {
      for (const row of batch) {
        const { bytes, bounds } = line(row)
        if (filter.keep(bytes, bounds)) kept.push(row.siret!)
      }
    }
    const expected = Array.from({ length: ROWS }, (_, i) => expectedRow(establishmentLayout, i))
      .filter(
        (row) =>
          row.nomenclatureActivitePrincipaleEtablissement === "NAFRev2" &&
          (row.activitePrincipaleEtablissement!.startsWith("62") ||
            row.activitePrincipaleEtablissement!.startsWith("56.10")) &&
          row.etatAdministratifEtablissement === "A" &&
          ["75", "2A"].includes(row.codeCommuneEtablissement!.slice(0, 2)) &&
          ["00", "11"].includes(row.trancheEffectifsEtablissement ?? "") &&
          (row.dateCreationEtablissement ?? "") >= "1960-01-01"
      )
      .map((row) => row.siret!)
    expect(expected.length).toBeGreaterThan(100)
    expect(kept).toEqual(expected)
  })

  it("lays out non-ASCII text as UTF-8 bytes", () => {
    const line = rowAsLine(
      {
        columns: new Map([
          ["a", 0],
          ["b", 2]
        ]),
        count: 3
      },
      ["a", "b"]
    )
    const { bytes, bounds } = line({ a: "É1", b: null })
    expect(new TextDecoder().decode(bytes.subarray(bounds[0]!, bounds[1]!))).toBe("É1")
    expect(bounds[5]! - bounds[4]!).toBe(0)
    expect(bounds[3]! - bounds[2]!).toBe(0)
  })
})
