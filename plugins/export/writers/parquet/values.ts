/**
 * The values a Parquet column takes: each declared FieldType's converter checks a row's value and turns
 * it into what the column stores (a string, a bigint, a number, a boolean, epoch days, a list of
 * strings), or fails the write with ParquetValueInvalid naming the column and row.
 */
import * as EffectData from "effect/Data"
import { epochDayOf } from "../../../../core/CalendarDate.ts"
import type { FieldType } from "../../../../core/Step.ts"

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

// ---------------------------------------------------------------------------------------------------
// Values: each converter returns what its column buffer stores, or throws `invalid`.

export const invalid = Symbol("invalid")

const DAY_MS = 86_400_000
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const ZONE = /(Z|[+-]\d{2}:?\d{2})$/i
const INTEGER_TEXT = /^[+-]?\d+$/
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

export const asText = (value: unknown): string => {
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

/** The converter of a FieldType's values (object and object[] become compact JSON text). */
export const converterOf = (type: FieldType): ((value: unknown) => unknown) => {
  switch (type) {
    case "string":
      return asText
    case "object":
    case "object[]":
      return asJson
    case "string[]":
      return asStringList
    case "boolean":
      return asBoolean
    case "integer":
      return asInteger
    case "number":
      return asNumber
    case "date":
      return asDate
    case "datetime":
      return asDateTime
  }
}
