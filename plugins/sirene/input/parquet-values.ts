/**
 * Parquet values as the CSV stock writes them: dates as YYYY-MM-DD, booleans true/false, numbers as digits (DECIMAL
 * exactly, FLOAT at its shortest), empty and null as null.
 */
import type { ParquetParsers, SchemaElement } from "hyparquet"

const DAY = 86_400_000
/** Beyond this, Date cannot represent the instant (ECMAScript time range). */
const MAX_MILLIS = 8.64e15

/** Texts of days already seen: a stock holds some tens of thousands of distinct dates. */
const dates = new Map<number, string>()

/** Days since 1970-01-01 -> "YYYY-MM-DD". */
const dateText = (days: number): string => {
  let text = dates.get(days)
  if (text === undefined) {
    text = Math.abs(days * DAY) <= MAX_MILLIS ? new Date(days * DAY).toISOString().slice(0, 10) : String(days)
    if (dates.size >= 100_000) dates.clear()
    dates.set(days, text)
  }
  return text
}

/** Milliseconds since the epoch -> "YYYY-MM-DDTHH:MM:SS", with ".mmm" only when there are milliseconds. */
const timestampText = (millis: number): string => {
  if (!(Math.abs(millis) <= MAX_MILLIS)) return String(millis)
  const iso = new Date(millis).toISOString()
  return millis % 1000 === 0 ? iso.slice(0, 19) : iso.slice(0, 23)
}

const utf8 = new TextDecoder()

/** Short ASCII values (codes, SIRETs) decode faster by hand than through TextDecoder. */
const stringText = (bytes: Uint8Array | undefined): string | undefined => {
  if (bytes === undefined || bytes.length > 32) return bytes && utf8.decode(bytes)
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return utf8.decode(bytes)
  return String.fromCharCode.apply(null, bytes as unknown as number[])
}

/** hyparquet's hooks for text, dates and timestamps: straight to the CSV text, no Date object per value. */
export const parsers: Partial<ParquetParsers> = {
  stringFromBytes: stringText,
  dateFromDays: dateText,
  timestampFromMilliseconds: (millis: bigint) => timestampText(Number(millis)),
  timestampFromMicroseconds: (micros: bigint) => timestampText(Number(micros / 1000n)),
  timestampFromNanoseconds: (nanos: bigint) => timestampText(Number(nanos / 1_000_000n))
}

/** The shortest decimal text that reads back as the same 32-bit float (0.1f -> "0.1", not "0.10000000149011612"). */
const floatText = (value: number): string => {
  if (!Number.isFinite(value)) return String(value)
  for (let digits = 1; digits < 9; digits++) {
    const shortest = Number(value.toPrecision(digits))
    if (Math.fround(shortest) === value) return String(shortest)
  }
  return String(value)
}

/** A big-endian two's-complement integer (a DECIMAL stored as bytes). */
const bigEndianInteger = (bytes: Uint8Array): bigint => {
  let value = 0n
  for (const byte of bytes) value = (value << 8n) | BigInt(byte)
  return bytes.length > 0 && bytes[0]! >= 0x80 ? value - (1n << BigInt(bytes.length * 8)) : value
}

/** An unscaled DECIMAL -> its exact text with `scale` decimals ("12345", 2 -> "123.45"). */
const decimalText = (unscaled: bigint, scale: number): string => {
  if (scale <= 0) return (unscaled * 10n ** BigInt(-scale)).toString()
  const negative = unscaled < 0n
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, "0")
  return `${negative ? "-" : ""}${digits.slice(0, -scale)}.${digits.slice(-scale)}`
}

/** Any decoded value as CSV text; "" and null are both absent. */
const anyText = (value: unknown): string | null => {
  if (value === null || value === undefined) return null
  if (typeof value === "string") return value === "" ? null : value
  if (typeof value === "number" || typeof value === "bigint") return String(value)
  if (typeof value === "boolean") return value ? "true" : "false"
  if (value instanceof Date) return timestampText(value.getTime())
  if (value instanceof Uint8Array) return utf8.decode(value) || null
  return JSON.stringify(value, (_key, inner) => (typeof inner === "bigint" ? String(inner) : inner))
}

export type Format = (value: unknown) => string | null

export const isDecimal = (element: SchemaElement) =>
  element.converted_type === "DECIMAL" || element.logical_type?.type === "DECIMAL"

export const formatOf = (element: SchemaElement, decimalScale: number | undefined): Format => {
  if (decimalScale !== undefined) {
    return (value) => {
      if (typeof value === "number") return decimalText(BigInt(value), decimalScale)
      if (typeof value === "bigint") return decimalText(value, decimalScale)
      if (value instanceof Uint8Array) return decimalText(bigEndianInteger(value), decimalScale)
      return anyText(value)
    }
  }
  if (element.type === "BOOLEAN")
    return (value) => (value === null || value === undefined ? null : value ? "true" : "false")
  if (element.converted_type === "DATE" || element.logical_type?.type === "DATE") {
    // hyparquet converts DATE through `parsers`; a DATE given only as a logical type arrives as days.
    return (value) => (typeof value === "number" ? dateText(value) : anyText(value))
  }
  if (element.type === "FLOAT") return (value) => (typeof value === "number" ? floatText(value) : anyText(value))
  return anyText
}
