/**
 * CSV dataset files: UTF-8 without a byte-order mark, comma-separated, RFC 4180 quoting, a header row
 * of the columns' names. Lines end with "\n" (not RFC 4180's CRLF): every reader we target (DuckDB,
 * pandas, spreadsheets, `csvkit`) accepts it, and line-oriented tools (`wc -l`, `diff`, `grep`) behave.
 */
import type { FieldType } from "../../../core/Step.ts"

export interface CsvColumn {
  readonly name: string
  readonly type: FieldType
}

export type Row = Readonly<Record<string, unknown>>
export type Rows = AsyncIterable<Row> | Iterable<Row>

/** Chunks are yielded once they hold about this many characters (~256 KB for mostly ASCII text). */
const CHUNK_CHARS = 256 * 1024
const NEEDS_QUOTES = /[",\r\n]/

/** Quotes a field when it holds a comma, a double quote, CR or LF (RFC 4180), doubling its quotes. */
export const csvEscape = (value: string): string =>
  NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value

/**
 * The shortest text that reads back as the same number (`String(n)`), except that integers are never
 * written in exponent notation (`1e+21` becomes `1000000000000000000000`). NaN and ±Infinity have no
 * CSV meaning and are written as an empty field, like null.
 */
export const formatNumber = (n: number): string => {
  if (!Number.isFinite(n)) return ""
  return Number.isInteger(n) && Math.abs(n) >= 1e21 ? BigInt(n).toString() : String(n)
}

const scalar = (value: unknown): string => {
  switch (typeof value) {
    case "string":
      return value
    case "number":
      return formatNumber(value)
    case "bigint":
      return value.toString()
    case "boolean":
      return value ? "true" : "false"
    case "undefined":
      return ""
    default:
      if (value === null) return ""
      if (value instanceof Date) return value.toISOString()
      return JSON.stringify(value)
  }
}

/**
 * The text of one field, before quoting. `string[]` entries are joined with ";"; an entry that itself
 * holds ";" is written as is, so such lists do not split back unambiguously (Parquet keeps them as
 * real lists). Objects are compact JSON.
 */
const text = (value: unknown, type: FieldType): string => {
  switch (type) {
    case "object":
    case "object[]":
      return JSON.stringify(value)
    case "string[]":
      return Array.isArray(value) ? value.map(scalar).join(";") : scalar(value)
    case "date":
      return value instanceof Date ? value.toISOString().slice(0, 10) : scalar(value)
    default:
      return scalar(value)
  }
}

/**
 * One field, quoted when needed. Null, undefined and non-finite numbers give an empty field; a present
 * but empty value (an empty string or list) gives `""`, so the two stay apart for readers that tell them
 * apart (PostgreSQL `COPY ... CSV`; DuckDB with `allow_quoted_nulls = false`).
 */
const field = (value: unknown, type: FieldType): string => {
  if (value === null || value === undefined || (typeof value === "number" && !Number.isFinite(value))) return ""
  const rendered = text(value, type)
  return rendered === "" ? '""' : csvEscape(rendered)
}

const line = (columns: ReadonlyArray<CsvColumn>, row: Row): string => {
  let out = ""
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i]!
    if (i > 0) out += ","
    out += field(row[column.name], column.type)
  }
  return `${out}\n`
}

/**
 * The CSV text of `rows`, header first, in chunks of about 256 KB. Columns are written in the given
 * order under the given names (the steps declare snake_case names); row fields not among the columns
 * are left out.
 */
export async function* csvChunks(columns: ReadonlyArray<CsvColumn>, rows: Rows): AsyncIterable<string> {
  let buffer = `${columns.map((column) => csvEscape(column.name)).join(",")}\n`
  // A synchronous source is read without an await per row, which is most of the cost otherwise.
  if (Symbol.iterator in rows) {
    for (const row of rows) {
      buffer += line(columns, row)
      if (buffer.length >= CHUNK_CHARS) {
        yield buffer
        buffer = ""
      }
    }
  } else {
    for await (const row of rows) {
      buffer += line(columns, row)
      if (buffer.length >= CHUNK_CHARS) {
        yield buffer
        buffer = ""
      }
    }
  }
  if (buffer.length > 0) yield buffer
}
