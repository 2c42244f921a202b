import { afterAll, describe, expect, it } from "bun:test"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ParquetFile } from "parquet-wasm/node"
import { ByteSink } from "../../../plugins/export/writers/parquet/ByteSink.ts"
import { bitWidth, encodeHybrid, encodeLevels } from "../../../plugins/export/writers/parquet/rle.ts"
import { CompactWriter } from "../../../plugins/export/writers/parquet/thrift.ts"
import { type ParquetColumn, readParquet, writeParquet } from "../../../plugins/export/writers/parquet.ts"
import { duckdb, sqlPath } from "./duckdb.ts"

const dir = await mkdtemp(join(tmpdir(), "filon-parquet-format-"))
afterAll(() => rm(dir, { recursive: true, force: true }))

/** The hybrid decoding, written from the format's description: what a reader does with our bytes. */
const decodeHybrid = (bytes: Uint8Array, count: number, width: number): Array<number> => {
  const values: Array<number> = []
  let at = 0
  const varint = () => {
    let value = 0
    let shift = 0
    for (;;) {
      const byte = bytes[at++]!
      value += (byte & 0x7f) * 2 ** shift
      if (byte < 0x80) return value
      shift += 7
    }
  }
  while (values.length < count) {
    const header = varint()
    if (header % 2 === 0) {
      let value = 0
      for (let b = 0; b < (width + 7) >> 3; b++) value += bytes[at++]! * 256 ** b
      for (let i = 0; i < header / 2; i++) values.push(value)
    } else {
      const total = (header >> 1) * 8
      for (let i = 0; i < total; i++) {
        let value = 0
        for (let bit = 0; bit < width; bit++) {
          const position = i * width + bit
          if (bytes[at + (position >> 3)]! & (1 << (position & 7))) value |= 1 << bit
        }
        values.push(value)
      }
      at += (total * width) / 8
    }
  }
  expect(at).toBe(bytes.length)
  return values.slice(0, count)
}

const seeded = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31
  return seed / 2 ** 31
}

describe("RLE / bit-packing hybrid", () => {
  const random = seeded(7)
  const cases: Record<string, Array<number>> = {
    empty: [],
    one: [1],
    "a run": Array(1000).fill(3),
    "runs of 7, 8 and 9": [...Array(7).fill(1), ...Array(8).fill(0), ...Array(9).fill(1), 0, 1],
    alternating: Array.from({ length: 1003 }, (_, i) => i % 2),
    "long mixed, past 63 groups": Array.from({ length: 5000 }, () => Math.floor(random() * 3)),
    "runs between noise": Array.from({ length: 3000 }, (_, i) =>
      Math.floor(i / 40) % 2 === 0 ? 1 : Math.floor(random() * 2)
    )
  }
  for (const [name, values] of Object.entries(cases))
    it(`round-trips ${name}`, () => {
      const width = bitWidth(Math.max(0, ...values))
      const sink = new ByteSink(4)
      encodeHybrid(sink, values, values.length, width)
      expect(decodeHybrid(sink.view(), values.length, width)).toEqual(values)
    })

  it("round-trips every width up to 20 bits, as dictionary indices use them", () => {
    for (let width = 1; width <= 20; width++) {
      const values = Array.from({ length: 777 }, () => Math.floor(random() * 2 ** width))
      const sink = new ByteSink()
      encodeHybrid(sink, values, values.length, bitWidth(2 ** width - 1))
      expect({ width, values: decodeHybrid(sink.view(), values.length, width) }).toEqual({ width, values })
    }
  })

  it("gives a run of a repeated value as one header and one value", () => {
    const sink = new ByteSink()
    encodeHybrid(sink, Array(300).fill(5), 300, 3)
    // 300 << 1 = 600 as a varint, then the value on one byte.
    expect([...sink.view()]).toEqual([0xd8, 0x04, 5])
  })

  it("prefixes data-page levels with their length, little-endian", () => {
    const sink = new ByteSink()
    encodeLevels(sink, [1, 1, 0, 1], 4, 1)
    const body = sink.view()
    expect(new DataView(body.buffer, body.byteOffset).getUint32(0, true)).toBe(body.length - 4)
    expect(decodeHybrid(body.subarray(4), 4, 1)).toEqual([1, 1, 0, 1])
  })

  it("uses at least one bit, and as many as the largest value needs", () => {
    expect([bitWidth(0), bitWidth(1), bitWidth(2), bitWidth(255), bitWidth(256)]).toEqual([1, 1, 2, 8, 9])
  })
})

describe("Thrift compact protocol", () => {
  it("writes short and long field headers, zigzag integers and binary as the protocol defines", () => {
    const bytes = new CompactWriter()
      .begin()
      .i32(1, 1)
      .i64(3, 300)
      .binary(4, "ab")
      .i32(20, -1)
      .bool(21, true)
      .end()
      .finish()
    expect([...bytes]).toEqual([0x15, 0x02, 0x26, 0xd8, 0x04, 0x18, 0x02, 0x61, 0x62, 0x05, 0x28, 0x01, 0x11, 0x00])
  })

  it("keeps each nested struct's field ids apart, and writes long lists with a size varint", () => {
    const writer = new CompactWriter().begin().struct(2).i32(1, 0).end().i32(3, 0)
    writer.strings(4, Array(16).fill("x"))
    const bytes = writer.end().finish()
    // struct at 2 (delta 2), its field 1 (delta 1), STOP, then field 3 (delta 1 from 2), then the list.
    expect([...bytes.subarray(0, 7)]).toEqual([0x2c, 0x15, 0x00, 0x00, 0x15, 0x00, 0x19])
    expect([...bytes.subarray(7, 9)]).toEqual([0xf8, 16])
  })
})

describe("Parquet files from the writer", () => {
  const columns: ReadonlyArray<ParquetColumn> = [
    { name: "employees", type: "integer" },
    { name: "quality_score", type: "number" },
    { name: "created_on", type: "date" },
    { name: "active", type: "boolean" },
    { name: "name", type: "string" }
  ]
  const rows = Array.from({ length: 5_000 }, (_, n) => ({
    employees: n % 10 === 0 ? null : ((n * 37) % 1_000) - 200,
    quality_score: n % 11 === 0 ? null : ((n * 13) % 1000) / 10,
    created_on: n % 12 === 0 ? null : `20${String(n % 25).padStart(2, "0")}-01-0${(n % 9) + 1}`,
    active: n % 13 === 0 ? null : n % 2 === 0,
    name: n % 14 === 0 ? null : `Société ${n % 50}`
  }))

  it("declares per-chunk statistics readers can prune on: null counts, and min/max of non-string columns", async () => {
    const path = join(dir, "statistics.parquet")
    await writeParquet(path, columns, rows, { rowGroupRows: 2_000 })
    const stats = await duckdb(
      `SELECT row_group_id AS rg, path_in_schema AS column, stats_null_count AS nulls, stats_min_value AS min, stats_max_value AS max
       FROM parquet_metadata(${sqlPath(path)}) ORDER BY row_group_id, column_id`
    )
    const expected = [0, 1, 2].flatMap((group) => {
      const slice = rows.slice(group * 2_000, (group + 1) * 2_000)
      const of = <K extends keyof (typeof rows)[number]>(key: K) =>
        slice.map((row) => row[key]).filter((value): value is NonNullable<typeof value> => value !== null)
      const nulls = (key: keyof (typeof rows)[number]) => String(slice.length - of(key).length)
      const numbers = (key: "employees" | "quality_score") => of(key) as Array<number>
      const dates = of("created_on").sort()
      return [
        {
          rg: group,
          column: "employees",
          nulls: nulls("employees"),
          min: Math.min(...numbers("employees")),
          max: Math.max(...numbers("employees"))
        },
        {
          rg: group,
          column: "quality_score",
          nulls: nulls("quality_score"),
          min: Math.min(...numbers("quality_score")),
          max: Math.max(...numbers("quality_score"))
        },
        { rg: group, column: "created_on", nulls: nulls("created_on"), min: dates[0], max: dates.at(-1) },
        { rg: group, column: "active", nulls: nulls("active"), min: "false", max: "true" },
        { rg: group, column: "name", nulls: nulls("name"), min: null, max: null }
      ]
    })
    // Numbers compared as numbers: DuckDB prints a zero minimum as -0.0, the spec's rule for floating zero.
    const numeric = new Set(["employees", "quality_score"])
    const received: Array<Record<string, unknown>> = stats.map((row) => ({
      ...row,
      rg: Number(row.rg),
      ...(numeric.has(String(row.column)) ? { min: Number(row.min) + 0, max: Number(row.max) + 0 } : {})
    }))
    expect(received).toEqual(expected)
    // DuckDB prunes with them: a filter outside every group's range reads nothing and finds nothing.
    const [none] = await duckdb(
      `SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlPath(path)}) WHERE employees > 10000`
    )
    expect(none).toEqual({ n: 0 })
  })

  it("carries the Arrow schema: parquet-rs reads each column's declared type and description back", async () => {
    const path = join(dir, "arrow-schema.parquet")
    const described: ReadonlyArray<ParquetColumn> = [
      { name: "siret", type: "string", description: "Establishment identifier" },
      { name: "contacts", type: "object[]" },
      { name: "emails", type: "string[]" },
      { name: "fetched_at", type: "datetime" }
    ]
    await writeParquet(path, described, [
      { siret: "1", contacts: [{ kind: "email" }], emails: ["a@b.fr", null], fetched_at: "2024-05-01T08:30:00Z" }
    ])
    const file = await ParquetFile.fromFile(Bun.file(path))
    try {
      const metadata = file.metadata().fileMetadata().keyValueMetadata()
      expect([...metadata.keys()]).toEqual(["ARROW:schema"])
    } finally {
      file.free()
    }
    expect(await readParquet(path)).toEqual([
      { siret: "1", contacts: [{ kind: "email" }], emails: ["a@b.fr", null], fetched_at: "2024-05-01T08:30:00.000Z" }
    ])
  })

  it("writes all-null and all-equal columns, and a column chunk holding nothing but empty lists", async () => {
    const path = join(dir, "degenerate.parquet")
    const degenerate: ReadonlyArray<ParquetColumn> = [
      { name: "nothing", type: "string" },
      { name: "same", type: "string" },
      { name: "empty", type: "string[]" },
      { name: "zero", type: "integer" }
    ]
    const input = Array.from({ length: 10_000 }, () => ({ nothing: null, same: "Paris", empty: [], zero: 0 }))
    await writeParquet(path, degenerate, input)
    expect(await readParquet(path)).toEqual(input)
    const [summary] = await duckdb(
      `SELECT count(nothing)::INTEGER AS nothing, count(DISTINCT same)::INTEGER AS same, sum(len(empty))::INTEGER AS entries
       FROM read_parquet(${sqlPath(path)})`
    )
    expect(summary).toEqual({ nothing: 0, same: 1, entries: 0 })
  })
})
