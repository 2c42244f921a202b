/**
 * Reading a whole Parquet file back into plain rows, for tests and checks, with parquet-wasm. Kept apart
 * from the writer so that a run that only writes Parquet never loads WebAssembly.
 */
import { type DataType, type List, Type, tableFromIPC, type Vector } from "apache-arrow"
import { readParquet as readParquetBytes } from "parquet-wasm/node"
import { FIELD_TYPE_KEY } from "./parquet/values.ts"

const plainDate = (ms: number) => new Date(ms).toISOString().slice(0, 10)

const plainValue = (value: unknown, type: DataType, fieldType: string | undefined): unknown => {
  if (value === null || value === undefined) return null
  switch (type.typeId) {
    case Type.Int:
      return typeof value === "bigint" && value >= Number.MIN_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER
        ? Number(value)
        : value
    case Type.Date:
      return plainDate(Number(value))
    case Type.Timestamp:
      return new Date(Number(value)).toISOString()
    case Type.List: {
      const child = (type as List).children[0]!.type
      return Array.from(value as Vector, (entry) => plainValue(entry, child, undefined))
    }
    case Type.Utf8:
    case Type.LargeUtf8:
      return fieldType === "object" || fieldType === "object[]" ? JSON.parse(value as string) : value
    default:
      return value
  }
}

/**
 * Reads a whole Parquet file into plain rows, for tests and checks (not for large files): Int64 as
 * number when safe (else bigint), Date32 as "YYYY-MM-DD", timestamps as ISO strings, lists as arrays,
 * and columns written as object/object[] parsed back from JSON.
 */
export const readParquet = async (path: string): Promise<Array<Record<string, unknown>>> => {
  const wasmTable = readParquetBytes(await Bun.file(path).bytes())
  const table = tableFromIPC(wasmTable.intoIPCStream())
  const fields = table.schema.fields
  const vectors = fields.map((_, i) => table.getChildAt(i)!)
  const rows: Array<Record<string, unknown>> = []
  for (let r = 0; r < table.numRows; r++) {
    const row: Record<string, unknown> = {}
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!
      row[field.name] = plainValue(vectors[i]!.get(r), field.type, field.metadata.get(FIELD_TYPE_KEY))
    }
    rows.push(row)
  }
  return rows
}
