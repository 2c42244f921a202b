/**
 * Rows to Arrow record batches, one row group at a time: each declared FieldType maps to an Arrow type,
 * values are checked and converted, and kept in growable typed arrays (reused from one row group to the
 * next) rather than Arrow JS builders: those took 6.2 s and 870 MB peak RSS just to buffer 200k rows of
 * 20 strings, where the whole write here takes about 1.4 s and 370 MB.
 */
import {
  Bool,
  type Data,
  type DataType,
  DateDay,
  Field,
  Float64,
  Int64,
  List,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  TimestampMillisecond,
  Utf8
} from "apache-arrow"
import * as EffectData from "effect/Data"
import { epochDayOf } from "../../../core/CalendarDate.ts"
import { fieldReader } from "../../../core/records/FieldAccess.ts"
import type { FieldType } from "../../../core/Step.ts"
import { encodeUtf8 } from "./valueEncoding.ts"

export interface ArrowColumn {
  readonly name: string
  readonly type: FieldType
  /** Kept as the Arrow field's `description` metadata. */
  readonly description?: string
}

/** A value that does not fit its column's declared type. */
export class ParquetValueInvalid extends EffectData.TaggedError("ParquetValueInvalid")<{
  readonly column: string
  readonly type: FieldType
  /** 0-based index of the row in the input. */
  readonly row: number
  readonly value: string
}> {
  override get message() {
    return `row ${this.row}: column ${this.column} (${this.type}) cannot hold ${this.value}`
  }
}

/** Field metadata key holding the declared FieldType, so readers can parse JSON columns back. */
export const FIELD_TYPE_KEY = "filon:type"

// integer -> Int64 rather than Int32: counts and identifiers (a SIREN fits 32 bits, a SIRET does not)
// stay exact without a per-column choice. object/object[] -> Utf8 holding compact JSON: Parquet has no
// schemaless type and JSON text reads everywhere (DuckDB: `json(col)`); FIELD_TYPE_KEY marks those columns.
const arrowType = (type: FieldType): DataType => {
  switch (type) {
    case "integer":
      return new Int64()
    case "number":
      return new Float64()
    case "boolean":
      return new Bool()
    case "date":
      return new DateDay()
    case "datetime":
      return new TimestampMillisecond("UTC")
    case "string[]":
      return new List(new Field("item", new Utf8(), true))
    default:
      return new Utf8()
  }
}

/** The Arrow schema of the columns: every field nullable, with its FieldType and description as metadata. */
export const arrowSchema = (columns: ReadonlyArray<ArrowColumn>): Schema =>
  new Schema(
    columns.map((column) => {
      const metadata = new Map<string, string>([[FIELD_TYPE_KEY, column.type]])
      if (column.description !== undefined) metadata.set("description", column.description)
      return new Field(column.name, arrowType(column.type), true, metadata)
    })
  )

// ---------------------------------------------------------------------------------------------------
// Values: each converter returns what its column buffer stores, or throws `invalid`.

const invalid = Symbol("invalid")

const DAY_MS = 86_400_000
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const ZONE = /(Z|[+-]\d{2}:?\d{2})$/i
const INTEGER_TEXT = /^[+-]?\d+$/
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

const asText = (value: unknown): string => {
  switch (typeof value) {
    case "string":
      return value
    case "number":
    case "bigint":
    case "boolean":
      return String(value)
    default:
      return value instanceof Date ? value.toISOString() : JSON.stringify(value)
  }
}

const asInteger = (value: unknown): bigint => {
  let n: bigint
  if (typeof value === "bigint") n = value
  else if (typeof value === "number" && Number.isInteger(value)) n = BigInt(value)
  else if (typeof value === "string" && INTEGER_TEXT.test(value)) n = BigInt(value)
  else throw invalid
  if (n < INT64_MIN || n > INT64_MAX) throw invalid
  return n
}

/** NaN and ±Infinity are stored as null, as the CSV writer leaves them empty. */
const asNumber = (value: unknown): number | null => {
  if (typeof value !== "number" && typeof value !== "bigint") throw invalid
  const n = Number(value)
  return Number.isFinite(n) ? n : null
}

const asBoolean = (value: unknown): boolean => {
  if (typeof value === "boolean") return value
  if (value === "true") return true
  if (value === "false") return false
  throw invalid
}

/** Days since 1970-01-01 of a "YYYY-MM-DD" string (or of a Date's UTC day). */
const asDate = (value: unknown): number => {
  if (value instanceof Date) {
    const ms = value.getTime()
    if (Number.isNaN(ms)) throw invalid
    return Math.floor(ms / DAY_MS)
  }
  const days = typeof value === "string" ? epochDayOf(value) : undefined
  if (days === undefined) throw invalid
  return days
}

/**
 * Epoch milliseconds of an ISO 8601 date-time (finer digits are dropped). A time without a zone is read
 * as UTC, not as the machine's local time, so the file does not depend on where it is made.
 */
const asDateTime = (value: unknown): bigint => {
  let ms: number
  if (value instanceof Date) ms = value.getTime()
  else if (typeof value === "number" && Number.isInteger(value)) ms = value
  else if (typeof value === "string") {
    const text = value.trim()
    ms = Date.parse(DATE.test(text) || ZONE.test(text) ? text : `${text}Z`)
  } else throw invalid
  if (Number.isNaN(ms)) throw invalid
  return BigInt(ms)
}

/** A list's entries as text (null entries kept); a lone string is a one-entry list. */
const asStringList = (value: unknown): Array<string | null> => {
  if (typeof value === "string") return [value]
  if (!Array.isArray(value)) throw invalid
  return value.map((entry) => (entry === null || entry === undefined ? null : asText(entry)))
}

const asJson = (value: unknown): string => JSON.stringify(value)

// ---------------------------------------------------------------------------------------------------
// Column buffers: values of one row group, as Arrow lays them out.

interface ColumnBuffer {
  /** Appends a converted value; null for a missing one. */
  readonly push: (value: unknown) => void
  /** The buffered values as Arrow data; views this buffer's memory, valid until `reset`. */
  readonly data: () => Data
  readonly reset: () => void
}

const grow = <A extends Uint8Array | FixedArray>(array: A, needed: number): A => {
  if (needed <= array.length) return array
  const bigger = new (array.constructor as new (length: number) => A)(Math.max(needed, array.length * 2))
  bigger.set(array as never)
  return bigger
}

class Validity {
  bits = new Uint8Array(1024)
  length = 0
  nulls = 0
  push(valid: boolean) {
    const byte = this.length >> 3
    if (byte >= this.bits.length) this.bits = grow(this.bits, byte + 1)
    if (valid) this.bits[byte]! |= 1 << (this.length & 7)
    else this.nulls++
    this.length++
  }
  /** Arrow may omit the bitmap when nothing is null. */
  view(): Uint8Array | undefined {
    return this.nulls === 0 ? undefined : this.bits.subarray(0, (this.length + 7) >> 3)
  }
  reset() {
    this.bits.fill(0, 0, (this.length + 7) >> 3)
    this.length = 0
    this.nulls = 0
  }
}

class Utf8Buffer implements ColumnBuffer {
  readonly type = new Utf8()
  readonly validity = new Validity()
  offsets = new Int32Array(1024)
  bytes = Buffer.allocUnsafe(64 * 1024)
  size = 0
  readonly push = (value: unknown) => {
    if (value === null) this.validity.push(false)
    else {
      const text = value as string
      // At most 3 UTF-8 bytes per UTF-16 unit (a surrogate pair is 2 units for 4 bytes).
      if (this.size + text.length * 3 > this.bytes.length) {
        const bigger = Buffer.allocUnsafe(Math.max(this.size + text.length * 3, this.bytes.length * 2))
        this.bytes.copy(bigger, 0, 0, this.size)
        this.bytes = bigger
      }
      this.size += encodeUtf8(this.bytes, this.size, text)
      this.validity.push(true)
    }
    const length = this.validity.length
    this.offsets = grow(this.offsets, length + 1)
    this.offsets[length] = this.size
  }
  readonly data = () =>
    makeData({
      type: this.type,
      length: this.validity.length,
      nullCount: this.validity.nulls,
      nullBitmap: this.validity.view(),
      valueOffsets: this.offsets.subarray(0, this.validity.length + 1),
      data: this.bytes.subarray(0, this.size)
    })
  readonly reset = () => {
    this.validity.reset()
    this.size = 0
  }
}

class ListBuffer implements ColumnBuffer {
  readonly type = new List(new Field("item", new Utf8(), true))
  readonly validity = new Validity()
  readonly items = new Utf8Buffer()
  offsets = new Int32Array(1024)
  readonly push = (value: unknown) => {
    if (value === null) this.validity.push(false)
    else {
      for (const entry of value as Array<string | null>) this.items.push(entry)
      this.validity.push(true)
    }
    const length = this.validity.length
    this.offsets = grow(this.offsets, length + 1)
    this.offsets[length] = this.items.validity.length
  }
  readonly data = () =>
    makeData({
      type: this.type,
      length: this.validity.length,
      nullCount: this.validity.nulls,
      nullBitmap: this.validity.view(),
      valueOffsets: this.offsets.subarray(0, this.validity.length + 1),
      child: this.items.data()
    })
  readonly reset = () => {
    this.validity.reset()
    this.items.reset()
  }
}

class BoolBuffer implements ColumnBuffer {
  readonly type = new Bool()
  readonly validity = new Validity()
  readonly values = new Validity() // the same bit packing, with `true` as a set bit
  readonly push = (value: unknown) => {
    this.validity.push(value !== null)
    this.values.push(value === true)
  }
  readonly data = () =>
    makeData({
      type: this.type,
      length: this.validity.length,
      nullCount: this.validity.nulls,
      nullBitmap: this.validity.view(),
      data: this.values.bits.subarray(0, (this.values.length + 7) >> 3)
    })
  readonly reset = () => {
    this.validity.reset()
    this.values.reset()
  }
}

type FixedType = Int64 | Float64 | DateDay | TimestampMillisecond
type FixedArray = BigInt64Array | Float64Array | Int32Array

/** Int64, Float64, Date32 and Timestamp(ms) values: one fixed-width slot per row, zero under a null. */
class FixedBuffer implements ColumnBuffer {
  readonly validity = new Validity()
  constructor(
    readonly type: FixedType,
    public values: FixedArray
  ) {}
  readonly push = (value: unknown) => {
    const index = this.validity.length
    this.values = grow(this.values, index + 1)
    // The converter gave a value of this array's kind (bigint for the 64-bit integer arrays).
    this.values[index] = (value ?? (this.values instanceof BigInt64Array ? 0n : 0)) as never
    this.validity.push(value !== null)
  }
  readonly data = () =>
    makeData({
      // makeData's overloads are per type; the props are alike for the four fixed-width types.
      type: this.type as Int64,
      length: this.validity.length,
      nullCount: this.validity.nulls,
      nullBitmap: this.validity.view(),
      data: this.values.subarray(0, this.validity.length) as BigInt64Array
    })
  readonly reset = () => this.validity.reset()
}

interface ColumnPlan {
  readonly convert: (value: unknown) => unknown
  readonly buffer: ColumnBuffer
}

const plan = (type: FieldType): ColumnPlan => {
  switch (type) {
    case "string":
      return { convert: asText, buffer: new Utf8Buffer() }
    case "object":
    case "object[]":
      return { convert: asJson, buffer: new Utf8Buffer() }
    case "string[]":
      return { convert: asStringList, buffer: new ListBuffer() }
    case "boolean":
      return { convert: asBoolean, buffer: new BoolBuffer() }
    case "integer":
      return { convert: asInteger, buffer: new FixedBuffer(new Int64(), new BigInt64Array(1024)) }
    case "number":
      return { convert: asNumber, buffer: new FixedBuffer(new Float64(), new Float64Array(1024)) }
    case "date":
      return { convert: asDate, buffer: new FixedBuffer(new DateDay(), new Int32Array(1024)) }
    case "datetime":
      return { convert: asDateTime, buffer: new FixedBuffer(new TimestampMillisecond("UTC"), new BigInt64Array(1024)) }
  }
}

/**
 * Collects rows into Arrow columns until `batch()` is taken. Memory: the typed arrays of one batch
 * (kept and reused afterwards), about the size of the batch's values in Arrow layout.
 */
export class RowGroupBuilder {
  readonly schema: Schema
  private readonly plans: ReadonlyArray<ColumnPlan>
  private readonly read: (row: Readonly<Record<string, unknown>>, values: Array<unknown>) => void
  private readonly values: Array<unknown>
  length = 0

  constructor(readonly columns: ReadonlyArray<ArrowColumn>) {
    this.schema = arrowSchema(columns)
    this.plans = columns.map((column) => plan(column.type))
    this.values = new Array(columns.length).fill(null)
    this.read = fieldReader(columns.map((column) => column.name))
  }

  /** Appends one row; `rowIndex` names the row in a ParquetValueInvalid. */
  append(row: Readonly<Record<string, unknown>>, rowIndex: number) {
    // The row's values in column order, read with constant keys (see `fieldReader`).
    const values = this.values
    this.read(row, values)
    for (let i = 0; i < this.plans.length; i++) {
      const { convert, buffer } = this.plans[i]!
      const value = values[i]
      if (value === null || value === undefined) {
        buffer.push(null)
        continue
      }
      let converted: unknown
      try {
        converted = convert(value)
      } catch (cause) {
        if (cause !== invalid) throw cause
        // Columns already appended for this row are dropped with the write, which fails as a whole.
        const column = this.columns[i]!
        const shown = typeof value === "string" ? JSON.stringify(value) : asText(value)
        throw new ParquetValueInvalid({ column: column.name, type: column.type, row: rowIndex, value: shown })
      }
      buffer.push(converted)
    }
    this.length++
  }

  /** The buffered rows as a record batch viewing the buffers: use it before the next `reset`. */
  batch(): RecordBatch {
    const children = this.plans.map((p) => p.buffer.data())
    const data = makeData({ type: new Struct(this.schema.fields), length: this.length, nullCount: 0, children })
    return new RecordBatch(this.schema, data)
  }

  reset() {
    for (const p of this.plans) p.buffer.reset()
    this.length = 0
  }
}
