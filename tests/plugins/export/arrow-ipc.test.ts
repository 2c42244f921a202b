import { describe, expect, it } from "bun:test"
import { tableFromIPC, tableToIPC } from "apache-arrow"
import { Compression, Table as WasmTable, WriterPropertiesBuilder, writeParquet } from "parquet-wasm/node"
import { type ArrowColumn, FIELD_TYPE_KEY, RowGroupBuilder } from "../../../plugins/export/writers/arrow-columns.ts"

const columns: ReadonlyArray<ArrowColumn> = [
  { name: "siret", type: "string", description: "Establishment identifier" },
  { name: "employees", type: "integer" },
  { name: "quality_score", type: "number" },
  { name: "is_head_office", type: "boolean" },
  { name: "created_on", type: "date" },
  { name: "fetched_at", type: "datetime" },
  { name: "emails", type: "string[]", description: "Checked addresses" },
  { name: "contacts", type: "object[]" }
]

const rows = [
  {
    siret: "12345678900011",
    employees: 12,
    quality_score: 87.5,
    is_head_office: true,
    created_on: "2015-03-12",
    fetched_at: "2024-05-01T08:30:00.123Z",
    emails: ["contact@acme.fr", null, ""],
    contacts: [{ kind: "email" }]
  },
  {
    siret: 'Société "Générale" — Île 🚀',
    employees: 9_007_199_254_740_993n,
    quality_score: -0.1,
    is_head_office: false,
    created_on: "1900-01-01",
    fetched_at: "2024-05-01T10:30:00+02:00",
    emails: [],
    contacts: []
  },
  { siret: null, employees: null, quality_score: null, is_head_office: null, created_on: null, emails: null },
  { siret: "", employees: -5, is_head_office: true, emails: ["x"] }
]

const build = (input: ReadonlyArray<Record<string, unknown>>, cols: ReadonlyArray<ArrowColumn> = columns) => {
  const group = new RowGroupBuilder(cols)
  input.forEach((row, index) => group.append(row, index))
  return group.ipc()
}

/** Parquet bytes parquet-rs makes from an IPC stream, with the writer's fixed settings. */
const parquetOf = (ipc: Uint8Array) =>
  writeParquet(
    WasmTable.fromIPCStream(ipc),
    new WriterPropertiesBuilder().setCompression(Compression.ZSTD).setCreatedBy("test").build()
  )

describe("Arrow IPC from the column buffers", () => {
  it("declares every column nullable, with its Arrow type and its metadata in order", () => {
    const table = tableFromIPC(build(rows))
    expect(table.schema.fields.map((field) => [field.name, String(field.type), field.nullable])).toEqual([
      ["siret", "Utf8", true],
      ["employees", "Int64", true],
      ["quality_score", "Float64", true],
      ["is_head_office", "Bool", true],
      ["created_on", "Date32<DAY>", true],
      ["fetched_at", "Timestamp<MILLISECOND, UTC>", true],
      ["emails", "List<Utf8>", true],
      ["contacts", "Utf8", true]
    ])
    expect([...table.schema.fields[0]!.metadata]).toEqual([
      [FIELD_TYPE_KEY, "string"],
      ["description", "Establishment identifier"]
    ])
    expect([...table.schema.fields[1]!.metadata]).toEqual([[FIELD_TYPE_KEY, "integer"]])
    expect([...table.schema.fields[7]!.metadata]).toEqual([[FIELD_TYPE_KEY, "object[]"]])
    const item = table.schema.fields[6]!.type.children[0]!
    expect([item.name, String(item.type), item.nullable]).toEqual(["item", "Utf8", true])
  })

  it("carries every value and every null", () => {
    const table = tableFromIPC(build(rows))
    expect(table.numRows).toBe(4)
    const column = (name: string) => [...table.getChild(name)!]
    expect(column("siret")).toEqual(["12345678900011", 'Société "Générale" — Île 🚀', null, ""])
    expect(column("employees")).toEqual([12n, 9_007_199_254_740_993n, null, -5n])
    expect(column("quality_score")).toEqual([87.5, -0.1, null, null])
    expect(column("is_head_office")).toEqual([true, false, null, true])
    expect(column("created_on")).toEqual([Date.UTC(2015, 2, 12), Date.UTC(1900, 0, 1), null, null])
    expect(column("fetched_at")).toEqual([Date.UTC(2024, 4, 1, 8, 30, 0, 123), Date.UTC(2024, 4, 1, 8, 30), null, null])
    expect(column("emails").map((list) => (list === null ? null : [...list]))).toEqual([
      ["contact@acme.fr", null, ""],
      [],
      null,
      ["x"]
    ])
    expect(column("contacts")).toEqual(['[{"kind":"email"}]', "[]", null, null])
    expect(table.getChild("siret")!.nullCount).toBe(1)
    expect(table.getChild("quality_score")!.nullCount).toBe(2)
  })

  it("frames messages on 8 bytes and ends with the end-of-stream marker", () => {
    const ipc = build(rows)
    const view = new DataView(ipc.buffer, ipc.byteOffset, ipc.byteLength)
    // Schema message, then the record batch: each a marker, a metadata length that keeps 8-byte alignment.
    expect(view.getUint32(0, true)).toBe(0xffffffff)
    const schemaLength = view.getInt32(4, true)
    expect((8 + schemaLength) % 8).toBe(0)
    const batchAt = 8 + schemaLength
    expect(view.getUint32(batchAt, true)).toBe(0xffffffff)
    expect((8 + view.getInt32(batchAt + 4, true)) % 8).toBe(0)
    expect([...ipc.subarray(ipc.length - 8)]).toEqual([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])
    // One allocation of its own, which the writer transfers to the encoder without a copy.
    expect(ipc.byteOffset).toBe(0)
    expect(ipc.byteLength).toBe(ipc.buffer.byteLength)
  })

  it("writes an empty batch, and columns without nulls, as Arrow would", () => {
    const empty = tableFromIPC(build([]))
    expect(empty.numRows).toBe(0)
    expect(empty.schema.fields.length).toBe(columns.length)
    const full = tableFromIPC(build([rows[0]!, rows[0]!]))
    for (const field of full.schema.fields) expect(full.getChild(field.name)!.nullCount).toBe(0)
    expect([...full.getChild("is_head_office")!]).toEqual([true, true])
  })

  it("gives parquet-rs the same arrays as apache-arrow's own serialisation of them", () => {
    // Many rows, so that buffers grow past their first size and offsets run high.
    const many = Array.from({ length: 5_000 }, (_, n) => ({
      ...rows[n % rows.length]!,
      siret: n % 7 === 0 ? null : `${n} ${"é".repeat(n % 40)}`,
      emails: n % 3 === 0 ? null : [`a${n}@x.fr`, n % 2 ? null : "b"]
    }))
    for (const input of [rows, many, []]) {
      const ours = build(input)
      const theirs = tableToIPC(tableFromIPC(ours), "stream")
      expect(parquetOf(ours)).toEqual(parquetOf(theirs))
    }
  })
})
