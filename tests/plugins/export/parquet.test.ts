import { afterAll, describe, expect, it } from "bun:test"
import { mkdtemp, readdir, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ParquetFile } from "parquet-wasm/node"
import { setMemoryBudget } from "../../../core/MemoryRelief.ts"
import {
  type ParquetColumn,
  ParquetValueInvalid,
  readParquet,
  writeParquet
} from "../../../plugins/export/writers/parquet.ts"
import { duckdb, sqlPath } from "./duckdb.ts"

const dir = await mkdtemp(join(tmpdir(), "filon-parquet-"))
afterAll(() => rm(dir, { recursive: true, force: true }))

const sha256 = async (path: string) => new Bun.CryptoHasher("sha256").update(await Bun.file(path).bytes()).digest("hex")

const rowGroups = async (path: string) => {
  const file = await ParquetFile.fromFile(Bun.file(path))
  try {
    return file
      .metadata()
      .rowGroups()
      .map((group) => group.numRows())
  } finally {
    file.free()
  }
}

/** One column of every FieldType. */
const everyType: ReadonlyArray<ParquetColumn> = [
  { name: "siret", type: "string", description: "Establishment identifier" },
  { name: "employees", type: "integer" },
  { name: "quality_score", type: "number" },
  { name: "is_head_office", type: "boolean" },
  { name: "created_on", type: "date" },
  { name: "fetched_at", type: "datetime" },
  { name: "emails", type: "string[]" },
  { name: "match_evidence", type: "object" },
  { name: "contacts", type: "object[]" }
]

const everyTypeRows = [
  {
    siret: "12345678900011",
    employees: 12,
    quality_score: 87.5,
    is_head_office: true,
    created_on: "2015-03-12",
    fetched_at: "2024-05-01T08:30:00.123Z",
    emails: ["contact@acme.fr", "jean.dupont@acme.fr"],
    match_evidence: { siren_on_legal_page: true, score: 0.9 },
    contacts: [{ kind: "email", value: "contact@acme.fr" }]
  },
  {
    siret: 'Société, "Générale"\nÎle',
    employees: 9_007_199_254_740_993n,
    quality_score: -0.1,
    is_head_office: false,
    created_on: "1900-01-01",
    fetched_at: "2024-05-01T10:30:00+02:00",
    emails: ["a;b", null, ""],
    match_evidence: {},
    contacts: []
  },
  {
    siret: null,
    employees: null,
    quality_score: null,
    is_head_office: null,
    created_on: null,
    fetched_at: null,
    emails: null,
    match_evidence: null,
    contacts: null
  },
  { siret: "", employees: -5, emails: [] }
]

/** n-th synthetic company row, cheap to recompute for checks. */
const company = (n: number) => ({
  siret: String(n).padStart(14, "0"),
  employees: n % 250,
  quality_score: (n % 1000) / 10,
  is_head_office: n % 3 === 0,
  created_on: `20${String(n % 24).padStart(2, "0")}-0${(n % 9) + 1}-1${n % 10}`,
  emails: n % 5 === 0 ? null : [`contact@ex${n}.fr`]
})
const companyColumns = everyType.filter((column) => column.name in company(1))

describe("writeParquet", () => {
  it("reads back every column type, nulls included", async () => {
    const path = join(dir, "types.parquet")
    const written = await writeParquet(path, everyType, everyTypeRows)
    expect(written.rows).toBe(4)
    expect(written.bytes).toBe(Bun.file(path).size)
    expect(written.sha256).toBe(await sha256(path))
    const absent = Object.fromEntries(everyType.map((column) => [column.name, null]))
    expect(await readParquet(path)).toEqual([
      { ...everyTypeRows[0], fetched_at: "2024-05-01T08:30:00.123Z" },
      // Beyond 2^53 an int64 comes back as a bigint; an offset time comes back in UTC.
      { ...everyTypeRows[1], fetched_at: "2024-05-01T08:30:00.000Z" },
      absent,
      { ...absent, siret: "", employees: -5, emails: [] }
    ])
  })

  it("reads a date-time without a zone as UTC, whatever the machine's time zone", async () => {
    const path = join(dir, "zone.parquet")
    await writeParquet(path, [{ name: "at", type: "datetime" }], [{ at: "2024-01-15T12:00:00" }, { at: "2024-01-15" }])
    expect(await readParquet(path)).toEqual([{ at: "2024-01-15T12:00:00.000Z" }, { at: "2024-01-15T00:00:00.000Z" }])
  })

  it("is read by DuckDB with the declared types and row count", async () => {
    const path = join(dir, "types.parquet")
    await writeParquet(path, everyType, everyTypeRows)
    const types = await duckdb(`DESCRIBE SELECT * FROM read_parquet(${sqlPath(path)})`)
    expect(Object.fromEntries(types.map((row) => [row.column_name, row.column_type]))).toEqual({
      siret: "VARCHAR",
      employees: "BIGINT",
      quality_score: "DOUBLE",
      is_head_office: "BOOLEAN",
      created_on: "DATE",
      fetched_at: "TIMESTAMP WITH TIME ZONE",
      emails: "VARCHAR[]",
      match_evidence: "VARCHAR",
      contacts: "VARCHAR"
    })
    const [summary] = await duckdb(
      `SELECT count(*)::INTEGER AS n, max(created_on)::VARCHAR AS latest, max(len(emails))::INTEGER AS most_emails,
         max(json_extract(match_evidence, '$.score'))::DOUBLE AS score
       FROM read_parquet(${sqlPath(path)})`
    )
    expect(summary).toEqual({ n: 4, latest: "2015-03-12", most_emails: 3, score: 0.9 })
  })

  it("compresses with ZSTD and names a fixed writer", async () => {
    const path = join(dir, "types.parquet")
    await writeParquet(path, everyType, everyTypeRows)
    const codecs = await duckdb(`SELECT DISTINCT compression FROM parquet_metadata(${sqlPath(path)})`)
    expect(codecs).toEqual([{ compression: "ZSTD" }])
    const [file] = await duckdb(`SELECT created_by FROM parquet_file_metadata(${sqlPath(path)})`)
    expect(file).toEqual({ created_by: "filon version 2 (build filon-parquet)" })
  })

  it("writes 120k rows in row groups of the requested size and keeps every row", async () => {
    const path = join(dir, "large.parquet")
    async function* rows() {
      for (let n = 0; n < 120_000; n++) yield company(n)
    }
    const written = await writeParquet(path, companyColumns, rows(), { rowGroupRows: 50_000 })
    expect(written.rows).toBe(120_000)
    expect(await rowGroups(path)).toEqual([50_000, 50_000, 20_000])
    const back = await readParquet(path)
    expect(back.length).toBe(120_000)
    for (const n of [0, 1, 49_999, 50_000, 99_999, 100_000, 119_999]) expect(back[n]).toEqual(company(n))
    const [summary] = await duckdb(
      `SELECT count(*)::INTEGER AS n, count(DISTINCT siret)::INTEGER AS sirets, sum(employees)::BIGINT AS employees
       FROM read_parquet(${sqlPath(path)})`
    )
    const employees = Array.from({ length: 120_000 }, (_, n) => n % 250).reduce((a, b) => a + b, 0)
    expect(summary).toEqual({ n: 120_000, sirets: 120_000, employees: String(employees) })
  })

  it("writes 16,384-row groups by default, and 4,096-row groups when the run has a RAM budget", async () => {
    // The budget is process-wide: a run of another test file may have left one.
    setMemoryBudget(undefined)
    const rows = () => Array.from({ length: 20_000 }, (_, n) => company(n))
    const free = join(dir, "no-budget.parquet")
    await writeParquet(free, companyColumns, rows())
    expect(await rowGroups(free)).toEqual([16_384, 3_616])
    setMemoryBudget(300)
    try {
      const budgeted = join(dir, "budget.parquet")
      const written = await writeParquet(budgeted, companyColumns, rows())
      expect(await rowGroups(budgeted)).toEqual([4_096, 4_096, 4_096, 4_096, 3_616])
      expect(written.rows).toBe(20_000)
      expect(await readParquet(budgeted)).toEqual(await readParquet(free))
    } finally {
      setMemoryBudget(undefined)
    }
  })

  it("honours a smaller rowGroupRows", async () => {
    const path = join(dir, "groups.parquet")
    await writeParquet(
      path,
      companyColumns,
      Array.from({ length: 25 }, (_, n) => company(n)),
      { rowGroupRows: 10 }
    )
    expect(await rowGroups(path)).toEqual([10, 10, 5])
  })

  it("writes byte-identical files for the same rows", async () => {
    const rows = () => Array.from({ length: 3_000 }, (_, n) => ({ ...company(n), ...everyTypeRows[n % 4] }))
    const first = await writeParquet(join(dir, "one.parquet"), everyType, rows(), { rowGroupRows: 1_000 })
    const second = await writeParquet(join(dir, "two.parquet"), everyType, rows(), { rowGroupRows: 1_000 })
    expect(second).toEqual(first)
    expect(await Bun.file(join(dir, "two.parquet")).bytes()).toEqual(await Bun.file(join(dir, "one.parquet")).bytes())
  })

  it("reads back every value across data-page and row-group edges", async () => {
    // Pages are cut every PAGE_ROWS rows inside a row group: 2.5 pages per group here.
    const rows = Array.from({ length: 2 * 20_480 + 777 }, (_, n) => ({ ...company(n), ...everyTypeRows[n % 4] }))
    const path = join(dir, "pages.parquet")
    const written = await writeParquet(path, everyType, rows, { rowGroupRows: 20_480 })
    expect(await rowGroups(path)).toEqual([20_480, 20_480, 777])
    expect(written.rows).toBe(rows.length)
    const back = await readParquet(path)
    expect(back.length).toBe(rows.length)
    // The rows on either side of each edge, against the same rows written as one small page.
    const edges = [
      0,
      1,
      2,
      3,
      8_191,
      8_192,
      16_383,
      16_384,
      20_479,
      20_480,
      28_671,
      28_672,
      40_959,
      40_960,
      rows.length - 1
    ]
    const alone = join(dir, "pages-alone.parquet")
    await writeParquet(
      alone,
      everyType,
      edges.map((n) => rows[n]!)
    )
    const expected = await readParquet(alone)
    expect(edges.map((n) => back[n])).toEqual(expected)
    const [summary] = await duckdb(
      `SELECT count(*)::INTEGER AS n, count(emails)::INTEGER AS lists, sum(len(emails))::INTEGER AS entries
       FROM read_parquet(${sqlPath(path)})`
    )
    const lists = rows.filter((row) => Array.isArray(row.emails))
    expect(summary).toEqual({
      n: rows.length,
      lists: lists.length,
      entries: lists.reduce((total, row) => total + (row.emails as unknown[]).length, 0)
    })
  })

  it("keeps dictionary-encoding a column until its dictionary passes 1 MiB, then writes it PLAIN", async () => {
    // Each 400-character value repeats 5 times: a dictionary pays on the first page, and outgrows 1 MiB
    // of characters on the second, from which the chunk goes PLAIN. Unique values are PLAIN at once.
    const columns: ReadonlyArray<ParquetColumn> = [
      { name: "siret", type: "string" },
      { name: "notes", type: "string" },
      { name: "emails", type: "string[]" }
    ]
    const rows = () =>
      Array.from({ length: 30_000 }, (_, n) => ({
        siret: String(n).padStart(14, "0"),
        notes: `${Math.floor(n / 5)} `.repeat(100).slice(0, 400),
        emails: [`contact@${"x".repeat(n % 200)}${n}.fr`, `info@${n % 7}.fr`]
      }))
    const path = join(dir, "dictionary-limit.parquet")
    await writeParquet(path, columns, rows(), { rowGroupRows: 30_000 })
    const chunks = await duckdb(
      `SELECT path_in_schema AS column, encodings, dictionary_page_offset IS NOT NULL AS dictionary
       FROM parquet_metadata(${sqlPath(path)}) ORDER BY column_id`
    )
    expect(chunks).toEqual([
      { column: "siret", encodings: "PLAIN, RLE", dictionary: false },
      { column: "notes", encodings: "PLAIN, PLAIN_DICTIONARY, RLE", dictionary: true },
      { column: "emails, list, item", encodings: "PLAIN, RLE", dictionary: false }
    ])
    expect(await readParquet(path)).toEqual(rows())
    const [summary] = await duckdb(
      `SELECT count(DISTINCT notes)::INTEGER AS notes, count(DISTINCT emails[2])::INTEGER AS second
       FROM read_parquet(${sqlPath(path)})`
    )
    expect(summary).toEqual({ notes: 6_000, second: 7 })
  })

  it("writes an empty file that still carries the schema", async () => {
    const path = join(dir, "empty.parquet")
    const written = await writeParquet(path, everyType, [])
    expect(written.rows).toBe(0)
    expect(await readParquet(path)).toEqual([])
    const types = await duckdb(`DESCRIBE SELECT * FROM read_parquet(${sqlPath(path)})`)
    expect(types.map((row) => row.column_name)).toEqual(everyType.map((column) => column.name))
  })

  it("fails on a value its column cannot hold, naming column and row, and leaves no file behind", async () => {
    const sub = join(dir, "invalid")
    const rows = [company(0), company(1), { ...company(2), created_on: "2024-02-30" }]
    const error = await writeParquet(join(sub, "bad.parquet"), companyColumns, rows, { rowGroupRows: 1 }).catch(
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(ParquetValueInvalid)
    expect((error as ParquetValueInvalid).message).toBe('row 2: column created_on (date) cannot hold "2024-02-30"')
    expect(await readdir(sub)).toEqual([])
  })

  it("rejects integers that are not whole or do not fit in 64 bits", async () => {
    const path = join(dir, "int.parquet")
    const column: ReadonlyArray<ParquetColumn> = [{ name: "n", type: "integer" }]
    await expect(writeParquet(path, column, [{ n: 1.5 }])).rejects.toBeInstanceOf(ParquetValueInvalid)
    await expect(writeParquet(path, column, [{ n: 2n ** 63n }])).rejects.toBeInstanceOf(ParquetValueInvalid)
    await writeParquet(path, column, [{ n: "-42" }, { n: 2n ** 63n - 1n }])
    expect(await readParquet(path)).toEqual([{ n: -42 }, { n: 2n ** 63n - 1n }])
  })

  it("keeps the previous file when the source fails midway, and rethrows the source's error", async () => {
    const path = join(dir, "kept.parquet")
    await writeParquet(path, companyColumns, [company(7)])
    async function* failing() {
      for (let n = 0; n < 250; n++) yield company(n)
      throw new Error("upstream record file is corrupt")
    }
    await expect(writeParquet(path, companyColumns, failing(), { rowGroupRows: 100 })).rejects.toThrow(
      "upstream record file is corrupt"
    )
    expect(await readParquet(path)).toEqual([company(7)])
    expect((await readdir(dir)).filter((name) => name.includes(".filon-tmp-"))).toEqual([])
  })
  it("writes several files at once, each as it would be alone", async () => {
    const rows = (offset: number) => Array.from({ length: 2_500 }, (_, n) => company(n + offset))
    const alone: string[] = []
    for (const offset of [0, 10_000, 20_000]) {
      const written = await writeParquet(join(dir, `alone-${offset}.parquet`), companyColumns, rows(offset), {
        rowGroupRows: 600
      })
      alone.push(written.sha256)
    }
    const together = await Promise.all(
      [0, 10_000, 20_000].map((offset) =>
        writeParquet(join(dir, `together-${offset}.parquet`), companyColumns, rows(offset), { rowGroupRows: 600 })
      )
    )
    expect(together.map((written) => written.sha256)).toEqual(alone)
    expect(together.map((written) => written.rows)).toEqual([2_500, 2_500, 2_500])
    expect(await readParquet(join(dir, "together-20000.parquet"))).toEqual(rows(20_000))
  })

  it("stops reading rows when a write fails, and the next write goes through", async () => {
    let pulled = 0
    function* rows() {
      for (let n = 0; n < 100_000; n++) {
        pulled++
        yield n === 1_500 ? { ...company(n), created_on: "not a date" } : company(n)
      }
    }
    await expect(
      writeParquet(join(dir, "stopped.parquet"), companyColumns, rows(), { rowGroupRows: 500 })
    ).rejects.toBeInstanceOf(ParquetValueInvalid)
    // The failing row's group is the last one built: no row after it is read.
    expect(pulled).toBe(1_501)
    const written = await writeParquet(join(dir, "after.parquet"), companyColumns, [company(1)])
    expect(written.rows).toBe(1)
  })
})
