/**
 * The Arrow IPC schema message of a file's columns, as FlatBuffers (Arrow's `Schema.fbs` and
 * `Message.fbs`, metadata version 5), framed as in an IPC stream: what a Parquet footer carries, base64,
 * under `ARROW:schema` (`arrowSchema.ts`). Only what the writer uses is covered: every field nullable, the
 * types of `ArrowType`, field metadata.
 */
import { Builder } from "flatbuffers"

/** The Arrow types of the written columns (see `arrowSchema.ts` for the FieldType each one holds). */
export type ArrowType = "utf8" | "int64" | "float64" | "bool" | "date32" | "timestamp_ms_utc" | "list_utf8"

export interface IpcField {
  readonly name: string
  readonly type: ArrowType
  /** Key-value metadata, written in this order. */
  readonly metadata: ReadonlyArray<readonly [string, string]>
}

// Enum values of Schema.fbs and Message.fbs.
const TYPE_INT = 2
const TYPE_FLOATING_POINT = 3
const TYPE_UTF8 = 5
const TYPE_BOOL = 6
const TYPE_DATE = 8
const TYPE_TIMESTAMP = 10
const TYPE_LIST = 12
const PRECISION_DOUBLE = 2
const DATE_UNIT_DAY = 0
const DATE_UNIT_DEFAULT = 1 // MILLISECOND
const TIME_UNIT_MILLISECOND = 1
const HEADER_SCHEMA = 1
const METADATA_V5 = 4

const padded = (length: number) => (length + 7) & ~7

/** Adds a vector of table offsets (written back to front, as FlatBuffers builds). */
const offsetVector = (builder: Builder, offsets: ReadonlyArray<number>): number => {
  builder.startVector(4, offsets.length, 4)
  for (let i = offsets.length - 1; i >= 0; i--) builder.addOffset(offsets[i]!)
  return builder.endVector()
}

/** The type table of a field; returns [union tag, offset]. */
const typeTable = (builder: Builder, type: ArrowType): [number, number] => {
  switch (type) {
    case "int64":
      builder.startObject(2)
      builder.addFieldInt32(0, 64, 0) // bitWidth
      builder.addFieldInt8(1, 1, 0) // is_signed
      return [TYPE_INT, builder.endObject()]
    case "float64":
      builder.startObject(1)
      builder.addFieldInt16(0, PRECISION_DOUBLE, 0)
      return [TYPE_FLOATING_POINT, builder.endObject()]
    case "bool":
      builder.startObject(0)
      return [TYPE_BOOL, builder.endObject()]
    case "date32":
      builder.startObject(1)
      builder.addFieldInt16(0, DATE_UNIT_DAY, DATE_UNIT_DEFAULT)
      return [TYPE_DATE, builder.endObject()]
    case "timestamp_ms_utc": {
      const timezone = builder.createString("UTC")
      builder.startObject(2)
      builder.addFieldInt16(0, TIME_UNIT_MILLISECOND, 0)
      builder.addFieldOffset(1, timezone, 0)
      return [TYPE_TIMESTAMP, builder.endObject()]
    }
    case "list_utf8":
      builder.startObject(0)
      return [TYPE_LIST, builder.endObject()]
    case "utf8":
      builder.startObject(0)
      return [TYPE_UTF8, builder.endObject()]
  }
}

const fieldTable = (builder: Builder, field: IpcField): number => {
  const name = builder.createString(field.name)
  // A list's one child: nullable Utf8 entries named "item", as Arrow names them by default.
  const children = offsetVector(
    builder,
    field.type === "list_utf8" ? [fieldTable(builder, { name: "item", type: "utf8", metadata: [] })] : []
  )
  const metadata =
    field.metadata.length === 0
      ? 0
      : offsetVector(
          builder,
          field.metadata.map(([key, value]) => {
            const keyOffset = builder.createString(key)
            const valueOffset = builder.createString(value)
            builder.startObject(2)
            builder.addFieldOffset(0, keyOffset, 0)
            builder.addFieldOffset(1, valueOffset, 0)
            return builder.endObject()
          })
        )
  const [typeTag, type] = typeTable(builder, field.type)
  builder.startObject(7)
  builder.addFieldOffset(0, name, 0)
  builder.addFieldInt8(1, 1, 0) // nullable
  builder.addFieldInt8(2, typeTag, 0)
  builder.addFieldOffset(3, type, 0)
  builder.addFieldOffset(5, children, 0)
  builder.addFieldOffset(6, metadata, 0)
  return builder.endObject()
}

/** A Message table around a header, finished; returns its bytes. */
const message = (builder: Builder, headerTag: number, header: number, bodyLength: number): Uint8Array => {
  builder.startObject(5)
  builder.addFieldInt16(0, METADATA_V5, 0)
  builder.addFieldInt8(1, headerTag, 0)
  builder.addFieldOffset(2, header, 0)
  builder.addFieldInt64(3, BigInt(bodyLength), 0n)
  builder.finish(builder.endObject())
  return builder.asUint8Array()
}

/**
 * Frames a message's metadata: continuation marker, its length, then the metadata padded so the body
 * after it starts on 8 bytes. Writes at `at` in `into`; returns the offset after the padded metadata.
 */
const frame = (into: Uint8Array, at: number, metadata: Uint8Array): number => {
  const length = padded(metadata.length)
  const view = new DataView(into.buffer, into.byteOffset)
  view.setUint32(at, 0xffffffff, true)
  view.setInt32(at + 4, length, true)
  into.set(metadata, at + 8)
  return at + 8 + length
}

const framedLength = (metadata: Uint8Array) => 8 + padded(metadata.length)

/** The framed schema message of these fields. */
export const schemaMessage = (fields: ReadonlyArray<IpcField>): Uint8Array => {
  const builder = new Builder(1024)
  const fieldOffsets = fields.map((field) => fieldTable(builder, field))
  const vector = offsetVector(builder, fieldOffsets)
  builder.startObject(4)
  builder.addFieldOffset(1, vector, 0)
  const metadata = message(builder, HEADER_SCHEMA, builder.endObject(), 0)
  const framed = new Uint8Array(framedLength(metadata))
  frame(framed, 0, metadata)
  return framed
}
