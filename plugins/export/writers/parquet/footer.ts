/**
 * The Parquet footer: FileMetaData in the Thrift compact protocol (parquet.thrift), then its length
 * and the closing magic. The schema maps each FieldType to a physical type and its logical type (with
 * the legacy converted type, for older readers); a string[] column is the standard three-level LIST.
 */
import type { FieldType } from "../../../../core/Step.ts"
import { ARROW_SCHEMA_KEY, arrowSchemaValue, type ParquetColumn } from "./arrowSchema.ts"
import { type ChunkMetadata, CODEC_ZSTD, PhysicalType } from "./columnChunk.ts"
import { CompactType, CompactWriter } from "./thrift.ts"

export const MAGIC = new TextEncoder().encode("PAR1")

/**
 * Parsable as `<application> version <version> (build <build>)`, the form parquet-mr expects before it
 * trusts column statistics; fixed, so files do not change with anything but their rows.
 */
export const CREATED_BY = "filon version 2 (build filon-parquet)"

const Repetition = { Required: 0, Optional: 1, Repeated: 2 } as const
const ConvertedType = { Utf8: 0, List: 3, Date: 6, TimestampMillis: 9 } as const
// LogicalType union members.
const Logical = { String: 1, List: 3, Date: 6, Timestamp: 8 } as const

export interface RowGroupMetadata {
  readonly rows: number
  readonly chunks: ReadonlyArray<{ readonly offset: number; readonly metadata: ChunkMetadata }>
}

/** An empty struct as the value of a union member (the logical types carry no fields). */
const emptyMember = (out: CompactWriter, id: number) => out.struct(id).end()

const stringLeaf = (out: CompactWriter, name: string) => {
  out.begin().i32(1, PhysicalType.ByteArray).i32(3, Repetition.Optional).binary(4, name).i32(6, ConvertedType.Utf8)
  emptyMember(out.struct(10), Logical.String)
  out.end().end()
}

/** One column's schema elements (three for a list). */
const schemaElements = (out: CompactWriter, name: string, type: FieldType) => {
  switch (type) {
    case "string[]":
      out.begin().i32(3, Repetition.Optional).binary(4, name).i32(5, 1).i32(6, ConvertedType.List)
      emptyMember(out.struct(10), Logical.List)
      out.end().end()
      out.begin().i32(3, Repetition.Repeated).binary(4, "list").i32(5, 1).end()
      // "item", as Arrow names a list's entries: the ARROW:schema field and this element agree.
      return stringLeaf(out, "item")
    case "integer":
      return out.begin().i32(1, PhysicalType.Int64).i32(3, Repetition.Optional).binary(4, name).end()
    case "number":
      return out.begin().i32(1, PhysicalType.Double).i32(3, Repetition.Optional).binary(4, name).end()
    case "boolean":
      return out.begin().i32(1, PhysicalType.Boolean).i32(3, Repetition.Optional).binary(4, name).end()
    case "date":
      out.begin().i32(1, PhysicalType.Int32).i32(3, Repetition.Optional).binary(4, name).i32(6, ConvertedType.Date)
      emptyMember(out.struct(10), Logical.Date)
      return out.end().end()
    case "datetime":
      out
        .begin()
        .i32(1, PhysicalType.Int64)
        .i32(3, Repetition.Optional)
        .binary(4, name)
        .i32(6, ConvertedType.TimestampMillis)
      // TimestampType { isAdjustedToUTC: true, unit: MILLIS }
      out.struct(10).struct(Logical.Timestamp).bool(1, true)
      emptyMember(out.struct(2), 1)
      return out.end().end().end().end()
    default:
      return stringLeaf(out, name)
  }
}

const columnChunk = (out: CompactWriter, offset: number, chunk: ChunkMetadata) => {
  out.begin().i64(2, offset).struct(3)
  out.i32(1, chunk.physicalType).list(2, CompactType.I32, chunk.encodings.length)
  for (const encoding of chunk.encodings) out.element32(encoding)
  out
    .strings(3, chunk.path)
    .i32(4, CODEC_ZSTD)
    .i64(5, chunk.numValues)
    .i64(6, chunk.uncompressedBytes)
    .i64(7, chunk.compressedBytes)
    .i64(9, chunk.dataPageOffset)
  if (chunk.dictionaryPageOffset !== undefined) out.i64(11, chunk.dictionaryPageOffset)
  const statistics = chunk.statistics
  if (statistics !== undefined) {
    out.struct(12)
    if (statistics.nullCount !== undefined) out.i64(3, statistics.nullCount)
    if (statistics.max !== undefined) out.binary(5, statistics.max)
    if (statistics.min !== undefined) out.binary(6, statistics.min)
    out.end()
  }
  out.end().end()
}

/** The footer bytes: FileMetaData, its 4-byte length, "PAR1". */
export const footer = (
  columns: ReadonlyArray<ParquetColumn>,
  rowGroups: ReadonlyArray<RowGroupMetadata>
): Uint8Array => {
  const out = new CompactWriter().begin().i32(1, 1)
  let elements = 1
  for (const column of columns) elements += column.type === "string[]" ? 3 : 1
  out.list(2, CompactType.Struct, elements)
  out.begin().binary(4, "schema").i32(5, columns.length).end()
  for (const column of columns) schemaElements(out, column.name, column.type)
  let rows = 0
  for (const group of rowGroups) rows += group.rows
  out.i64(3, rows).list(4, CompactType.Struct, rowGroups.length)
  for (const group of rowGroups) {
    out.begin().list(1, CompactType.Struct, group.chunks.length)
    let uncompressed = 0
    let compressed = 0
    for (const { offset, metadata } of group.chunks) {
      columnChunk(out, offset, metadata)
      uncompressed += metadata.uncompressedBytes
      compressed += metadata.compressedBytes
    }
    out.i64(2, uncompressed).i64(3, group.rows)
    if (group.chunks.length > 0) out.i64(5, group.chunks[0]!.offset)
    out.i64(6, compressed).end()
  }
  out.list(5, CompactType.Struct, 1)
  out.begin().binary(1, ARROW_SCHEMA_KEY).binary(2, arrowSchemaValue(columns)).end()
  out.binary(6, CREATED_BY)
  // column_orders: TypeDefinedOrder for every leaf, so readers trust min_value/max_value.
  out.list(7, CompactType.Struct, columns.length)
  for (let i = 0; i < columns.length; i++) {
    out.begin()
    emptyMember(out, 1)
    out.end()
  }
  const metadata = out.end().finish()
  const bytes = new Uint8Array(metadata.length + 8)
  bytes.set(metadata, 0)
  new DataView(bytes.buffer).setUint32(metadata.length, metadata.length, true)
  bytes.set(MAGIC, metadata.length + 4)
  return bytes
}
