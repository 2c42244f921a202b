/**
 * The synthetic SIRENE stock, one chunk at a time: a chunk is a fixed number of establishments with
 * their legal units, drawn from its own random streams (seed, chunk index) within its own SIREN
 * range, and encoded to UTF-8 CSV bytes in memory. Chunks are independent, so they can be built on
 * several threads and concatenated in order; the bytes do not depend on how many threads ran.
 * See generate.ts for the files, the options and the command line.
 */
import { OFFICIAL_ESTABLISHMENT_HEADER, OFFICIAL_LEGAL_UNIT_HEADER } from "../../plugins/sirene/columns.ts"
import { type Commune, loadGeo } from "./geo.ts"
import { Alias, Rng, Weighted } from "./rng.ts"
import {
  ACTIVITY_WORDS,
  ADDRESS_COMPLEMENTS,
  ASSOCIATION_NAF,
  ASSOCIATION_PREFIXES,
  BRAND_WORDS,
  FEMALE_FIRST_NAMES,
  FOREIGN_COUNTRIES,
  GENERIC_WORDS,
  LEGAL_CATEGORIES,
  LEGAL_SUFFIXES,
  MALE_FIRST_NAMES,
  NAF_REV1,
  NAF_REV2,
  NAME_PARTS,
  NAP,
  naf25Of,
  QUOTED_NAMES,
  SCI_NAF,
  STRAY_QUOTE_WORDS,
  STREET_NAMES,
  STREET_TYPES,
  SURNAMES
} from "./vocab.ts"

// ---------------------------------------------------------------------------------------------------------------------
// Layout

/** The published headers, from the product's own column declarations (one list, not two). */
export const ETABLISSEMENT_HEADER = OFFICIAL_ESTABLISHMENT_HEADER
export const UNITE_LEGALE_HEADER = OFFICIAL_LEGAL_UNIT_HEADER

export const ETABLISSEMENT_FILE = "StockEtablissement_utf8.csv"
export const UNITE_LEGALE_FILE = "StockUniteLegale_utf8.csv"
export const MALFORMED_FILE = "malformed.json"

/** Column positions (0-based) used below. */
const E = Object.fromEntries(ETABLISSEMENT_HEADER.map((name, index) => [name, index])) as Record<
  (typeof ETABLISSEMENT_HEADER)[number],
  number
>
const U = Object.fromEntries(UNITE_LEGALE_HEADER.map((name, index) => [name, index])) as Record<
  (typeof UNITE_LEGALE_HEADER)[number],
  number
>

// ---------------------------------------------------------------------------------------------------------------------
// API

export type MalformedKind = "stray_quote" | "column_count" | "invalid_utf8" | "invalid_siret_checksum"

export interface MalformedRow {
  /** File name inside `dir` (ETABLISSEMENT_FILE or UNITE_LEGALE_FILE). */
  readonly file: string
  /** 1-based line number; the header is line 1. */
  readonly line: number
  readonly kind: MalformedKind
}

/** Over-represents some activities in some departments (the demo sample uses it for IT in Île-de-France). */
export interface FocusOptions {
  /** Share of legal units drawn from the focus (0-1). */
  readonly share: number
  /** NAF rév. 2 codes of focus units (from the generator's list, vocab.ts), with relative weights. */
  readonly naf: Readonly<Record<string, number>>
  /** Departments of focus units ("75", "92", ...). */
  readonly departments: ReadonlyArray<string>
}

/** One chunk of the stock: `establishments` rows with SIRENs whose first 8 digits lie in [baseFrom, baseTo]. */
export interface ChunkSpec {
  readonly index: number
  readonly seed: number
  readonly establishments: number
  readonly baseFrom: number
  readonly baseTo: number
  readonly malformedRate: number
  readonly focus?: FocusOptions
}

/** A malformed row of a chunk; `row` counts the chunk's data rows from 1 (no header). */
export interface ChunkMalformed {
  readonly file: string
  readonly row: number
  readonly kind: MalformedKind
}

export interface ChunkResult {
  readonly index: number
  /** CSV bytes, no header, in order. */
  readonly etab: ReadonlyArray<Uint8Array>
  readonly ul: ReadonlyArray<Uint8Array>
  readonly etabRows: number
  readonly ulRows: number
  readonly malformed: ReadonlyArray<ChunkMalformed>
}

/** malformed.json: the rows as a JSON array, one per line (formatted as the project's formatter would). */
export const malformedJson = (rows: ReadonlyArray<MalformedRow>): string =>
  rows.length === 0
    ? "[]\n"
    : `[\n${rows
        .map(
          (row) => `  { "file": ${JSON.stringify(row.file)}, "line": ${row.line}, "kind": ${JSON.stringify(row.kind)} }`
        )
        .join(",\n")}\n]\n`

/** First 8 digits of generated SIRENs; 00000000-00999999 stays free (real rows such as 000325175 sort first). */
export const SIREN_BASE_FROM = 1_000_000
export const SIREN_BASE_TO = 99_999_999

// ---------------------------------------------------------------------------------------------------------------------
// Check digits

/** Luhn check: the SIREN (9 digits) and SIRET (14 digits) rule. */
export const luhnValid = (digits: string): boolean => {
  if (!/^\d+$/.test(digits)) return false
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48
    if (double) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
    double = !double
  }
  return sum % 10 === 0
}

/** The digit that, appended to `digits`, makes the whole Luhn-valid. */
export const luhnDigit = (digits: string): number => {
  let sum = 0
  let double = true
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48
    if (double) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
    double = !double
  }
  return (10 - (sum % 10)) % 10
}

const doubled = (digit: number): number => (digit * 2 > 9 ? digit * 2 - 9 : digit * 2)
const DOUBLED = Int32Array.from({ length: 10 }, (_, digit) => doubled(digit))

/** Luhn sum of the digits of `value` (below 2^31), doubling the rightmost one and every other one from it. */
const luhnSumDoublingFirst = (value: number): number => {
  let sum = 0
  let rest = value | 0
  let double = true
  while (rest > 0) {
    const quotient = (rest / 10) | 0
    const digit = rest - quotient * 10
    sum += double ? DOUBLED[digit]! : digit
    double = !double
    rest = quotient
  }
  return sum
}

/** Luhn check digit of an 8-digit number (the SIREN without its last digit). */
const sirenCheck = (base: number): number => (10 - (luhnSumDoublingFirst(base) % 10)) % 10

/** Luhn contribution of a 9-digit SIREN inside a SIRET (positions 14..6 from the right). */
const sirenSumInSiret = (siren: number): number => luhnSumDoublingFirst(siren)

/** Luhn contribution of the four first NIC digits at SIRET positions 5..2 from the right. */
const NIC4_SUM = Int32Array.from(
  { length: 10000 },
  (_, n) => Math.floor(n / 1000) + doubled(Math.floor(n / 100) % 10) + (Math.floor(n / 10) % 10) + doubled(n % 10)
)

// ---------------------------------------------------------------------------------------------------------------------
// Dates (days since 1900-01-01)

const DAY_MS = 86_400_000
const EPOCH = Date.UTC(1900, 0, 1)
const dayOf = (year: number, month: number, day: number): number =>
  Math.round((Date.UTC(year, month - 1, day) - EPOCH) / DAY_MS)

const LAST_DAY = dayOf(2027, 12, 31)
/** year * 10000 + month * 100 + day, per day number. */
const DAY_YMD = Int32Array.from({ length: LAST_DAY + 1 }, (_, day) => {
  const date = new Date(EPOCH + day * DAY_MS)
  return date.getUTCFullYear() * 10000 + (date.getUTCMonth() + 1) * 100 + date.getUTCDate()
})
const dayText = (day: number): string => {
  const ymd = DAY_YMD[day]!
  return `${Math.floor(ymd / 10000)}-${String(Math.floor(ymd / 100) % 100).padStart(2, "0")}-${String(ymd % 100).padStart(2, "0")}`
}

/** The stock is the image of the register on this day (stock of 2026-11-01). */
const STOCK_END = dayOf(2026, 10, 31)
const D1950 = dayOf(1950, 1, 1)
const D1993 = dayOf(1993, 1, 1)
const D2002 = dayOf(2002, 1, 1)
const D2003 = dayOf(2003, 1, 1)
const D2005 = dayOf(2005, 1, 1)
const D2008 = dayOf(2008, 1, 1)
const D2017 = dayOf(2017, 1, 1)
/** NAF 2025 codes appear in the stock from this day. */
const NAF25_START = dayOf(2025, 12, 16)
/** Old rows carry the timestamp of a mass reprocessing. */
const MASS_STAMPS = ["2014-01-06T12:00:00", "2019-11-14T14:00:00", "2024-03-22T14:26:06"]

// ---------------------------------------------------------------------------------------------------------------------
// Draw tables

const TRANCHE_ORDER = ["NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42", "51", "52", "53"]
const trancheRank = new Map(TRANCHE_ORDER.map((code, index) => [code, index]))
const RANK_41 = trancheRank.get("41")!
const RANK_51 = trancheRank.get("51")!

const TRANCHE_COMPANY = new Weighted<string>([
  ["", 8],
  ["NN", 38],
  ["00", 9],
  ["01", 17],
  ["02", 10],
  ["03", 6.5],
  ["11", 5],
  ["12", 3.5],
  ["21", 1.2],
  ["22", 0.7],
  ["31", 0.25],
  ["32", 0.3],
  ["41", 0.12],
  ["42", 0.06],
  ["51", 0.03],
  ["52", 0.012],
  ["53", 0.006]
])
const TRANCHE_EI = new Weighted<string>([
  ["", 8],
  ["NN", 72],
  ["00", 5],
  ["01", 10],
  ["02", 3.5],
  ["03", 1.2],
  ["11", 0.3]
])
const TRANCHE_SECONDARY = new Weighted<string>([
  ["", 10],
  ["NN", 30],
  ["00", 8],
  ["01", 18],
  ["02", 12],
  ["03", 9],
  ["11", 7],
  ["12", 4],
  ["21", 1.2],
  ["22", 0.6],
  ["31", 0.2],
  ["32", 0.15],
  ["41", 0.05]
])
const OLD_YEARS = ["2015", "2016", "2017", "2018", "2019", "2020", "2021"]

const LEGAL = new Weighted(LEGAL_CATEGORIES)
const FOCUS_LEGAL = new Weighted<string>([
  ["5710", 30],
  ["5720", 20],
  ["1000", 30],
  ["5499", 12],
  ["5498", 8]
])

const CRAFT_PREFIXES = ["10.71", "43.", "45.20", "96.02", "95."]
const activityWords = (naf: string): ReadonlyArray<string> => {
  for (const [prefix, words] of ACTIVITY_WORDS) if (prefix.length === 5 && naf.startsWith(prefix)) return words
  for (const [prefix, words] of ACTIVITY_WORDS) if (prefix.length === 2 && naf.startsWith(prefix)) return words
  return GENERIC_WORDS
}

/** NAF rév. 2 codes by index, with what each one implies. */
const NAF_CODES: ReadonlyArray<string> = NAF_REV2.map(([code]) => code)
const NAF_DRAW = new Alias(NAF_REV2.map(([, weight]) => weight))
const NAF_INDEX = new Map(NAF_CODES.map((code, index) => [code, index]))
const NAF25_CODES: ReadonlyArray<string> = NAF_CODES.map(naf25Of)
const NAF_CRAFT: ReadonlyArray<boolean> = NAF_CODES.map((code) =>
  CRAFT_PREFIXES.some((prefix) => code.startsWith(prefix))
)
/** activitePrincipaleRegistreMetiers stem: "32.12Z" -> "3212Z" (one letter follows). */
const NAF_RM: ReadonlyArray<string> = NAF_CODES.map((code) => `${code.slice(0, 2)}${code.slice(3, 6)}`)
const NAF_WORDS: ReadonlyArray<ReadonlyArray<string>> = NAF_CODES.map(activityWords)
const nafIndex = (code: string): number => {
  const index = NAF_INDEX.get(code)
  if (index === undefined) throw new Error(`not a NAF rév. 2 code of the generator: ${code}`)
  return index
}
const indexTable = (entries: ReadonlyArray<readonly [string, number]>): Weighted<number> =>
  new Weighted(entries.map(([code, weight]) => [nafIndex(code), weight] as const))
const NAF_ASSOCIATION = indexTable(ASSOCIATION_NAF)
const NAF_SCI = indexTable(SCI_NAF)
const NAF_COMMUNE = nafIndex("84.11Z")
const OLD_WORDS = GENERIC_WORDS

const STREET_TYPE = new Weighted(STREET_TYPES)
const INDICES = ["B", "B", "B", "T", "T", "Q", "C", "A"]
const RM_LETTERS = ["A", "B", "C", "D"]
const LIEUX_DITS = ["LE BOURG", "LES GRANDS CHAMPS", "LA CROIX BLANCHE", "LE MOULIN NEUF", "LES VIGNES", "LA GRANGE"]
const FOREIGN_STREETS = ["HAUPTSTRASSE", "AVENUE LOUISE", "RUE DU RHONE", "OXFORD STREET", "CALLE MAYOR", "VIA ROMA"]
const NUMBERS: ReadonlyArray<string> = Array.from({ length: 1000 }, (_, n) => String(n))
/** Four-character street codes of BAN-style address identifiers ("75056_b2rc_00012"), as bytes. */
const STREET_CODES = 4096
const STREET_CODE_BYTES = Uint8Array.from({ length: STREET_CODES * 4 }, (_, i) => {
  const n = Math.floor(i / 4)
  let h = Math.imul(n + 1, 0x9e3779b1) >>> 0
  for (let k = 0; k < i % 4; k++) h = Math.floor(h / 36)
  return "0123456789abcdefghijklmnopqrstuvwxyz".charCodeAt(h % 36)
})

/** RFC 4180: quote a field only when it holds a comma, a quote or a line break. */
const csv = (text: string): string =>
  text.indexOf(",") < 0 && text.indexOf('"') < 0 && text.indexOf("\n") < 0 && text.indexOf("\r") < 0
    ? text
    : `"${text.replaceAll('"', '""')}"`

// ---------------------------------------------------------------------------------------------------------------------
// Rows and output

/** How a field is stored in a Row: text, or a number encoded straight to bytes. */
const TEXT = 0
const DIGITS = 1
const DAY = 2
const STAMP = 3
const TENTHS = 4
const ADDRESS_ID = 5

/** In a text field, this character stands for the bytes C3 28 (an invalid UTF-8 sequence). */
const MARK = "\u0000"

/**
 * One row under construction. Identifiers, dates, timestamps and coordinates are kept as numbers
 * and encoded directly to bytes: rows are written without building a string per field.
 */
class Row {
  readonly text: Array<string>
  readonly kind: Uint8Array
  readonly value: Float64Array
  readonly extra: Int32Array

  constructor(readonly width: number) {
    this.text = new Array<string>(width).fill("")
    this.kind = new Uint8Array(width)
    this.value = new Float64Array(width)
    this.extra = new Int32Array(width)
  }

  clear(): void {
    this.text.fill("")
    this.kind.fill(TEXT)
  }

  set(column: number, text: string): void {
    this.text[column] = text
    this.kind[column] = TEXT
  }

  /** `value` zero-padded to `width` digits. */
  digits(column: number, value: number, width: number): void {
    this.kind[column] = DIGITS
    this.value[column] = value
    this.extra[column] = width
  }

  day(column: number, day: number): void {
    this.kind[column] = DAY
    this.value[column] = day
  }

  stamp(column: number, day: number, second: number): void {
    this.kind[column] = STAMP
    this.value[column] = day
    this.extra[column] = second
  }

  /** A positive number of tenths, written with one decimal. */
  tenths(column: number, tenths: number): void {
    this.kind[column] = TENTHS
    this.value[column] = tenths
  }

  /** `${commune}_${street code}_${number padded to 5}` (no number part when `numero` < 0). */
  addressId(column: number, commune: string, street: number, numero: number): void {
    this.kind[column] = ADDRESS_ID
    this.text[column] = commune
    this.value[column] = street
    this.extra[column] = numero
  }

  /** The field as text (slow path: malformed rows only). */
  fieldText(column: number): string {
    const value = this.value[column]!
    const extra = this.extra[column]!
    switch (this.kind[column]) {
      case DIGITS:
        return String(value).padStart(extra, "0")
      case DAY:
        return dayText(value)
      case STAMP:
        return `${dayText(value)}T${[Math.floor(extra / 3600), Math.floor(extra / 60) % 60, extra % 60]
          .map((part) => String(part).padStart(2, "0"))
          .join(":")}`
      case TENTHS:
        return `${Math.floor(value / 10)}.${value % 10}`
      case ADDRESS_ID: {
        let street = ""
        for (let k = 0; k < 4; k++) street += String.fromCharCode(STREET_CODE_BYTES[value * 4 + k]!)
        return `${this.text[column]}_${street}${extra >= 0 ? `_${String(extra).padStart(5, "0")}` : ""}`
      }
      default:
        return this.text[column]!
    }
  }

  fields(): Array<string> {
    return Array.from({ length: this.width }, (_, column) => this.fieldText(column))
  }
}

const BUFFER_BYTES = 1 << 22
/** Room kept free before each row: no generated row comes near it. */
const ROW_ROOM = 1 << 16

/** Writes `text` as UTF-8 at `at`, MARK as the invalid bytes C3 28; returns the next position. */
const putText = (bytes: Uint8Array, at: number, text: string): number => {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) {
      if (code === 0) {
        bytes[at++] = 0xc3
        bytes[at++] = 0x28
      } else bytes[at++] = code
    } else if (code < 0x800) {
      bytes[at++] = 0xc0 | (code >> 6)
      bytes[at++] = 0x80 | (code & 0x3f)
    } else if (code >= 0xd800 && code < 0xdc00 && i + 1 < text.length) {
      const point = 0x10000 + ((code - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00)
      bytes[at++] = 0xf0 | (point >> 18)
      bytes[at++] = 0x80 | ((point >> 12) & 0x3f)
      bytes[at++] = 0x80 | ((point >> 6) & 0x3f)
      bytes[at++] = 0x80 | (point & 0x3f)
    } else {
      bytes[at++] = 0xe0 | (code >> 12)
      bytes[at++] = 0x80 | ((code >> 6) & 0x3f)
      bytes[at++] = 0x80 | (code & 0x3f)
    }
  }
  return at
}

/** Writes a whole number below 2^31, zero-padded to `width` digits; returns the next position. */
const putSmall = (bytes: Uint8Array, at: number, value: number, width: number): number => {
  let rest = value | 0
  for (let k = at + width - 1; k >= at; k--) {
    const quotient = (rest / 10) | 0
    bytes[k] = 48 + rest - quotient * 10
    rest = quotient
  }
  return at + width
}

/** Writes a whole number (up to 15 digits), zero-padded to `width` digits; returns the next position. */
const putLarge = (bytes: Uint8Array, at: number, value: number, width: number): number => {
  if (value < 2_147_483_648) return putSmall(bytes, at, value, width)
  const high = Math.floor(value / 1e9)
  const low = value - high * 1e9
  putSmall(bytes, at, high, width - 9)
  return putSmall(bytes, at + width - 9, low, 9)
}

/** Writes YYYY-MM-DD; returns the next position. */
const putDay = (bytes: Uint8Array, at: number, day: number): number => {
  const ymd = DAY_YMD[day]!
  const year = (ymd / 10000) | 0
  const monthDay = ymd - year * 10000
  putSmall(bytes, at, year, 4)
  bytes[at + 4] = 0x2d
  putSmall(bytes, at + 5, (monthDay / 100) | 0, 2)
  bytes[at + 7] = 0x2d
  putSmall(bytes, at + 8, monthDay % 100, 2)
  return at + 10
}

const digitCount = (value: number): number => {
  let count = 1
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) count++
  return count
}

/**
 * CSV rows encoded in place into large byte buffers. Full buffers go to `output` when given (the
 * buffer is then reused), else they are kept, in order, for `finish`.
 */
class ByteSink {
  private bytes = new Uint8Array(BUFFER_BYTES)
  private at = 0
  private readonly full: Array<Uint8Array> = []
  /** Rows written so far. */
  rows = 0

  constructor(private readonly output?: (bytes: Uint8Array) => void) {}

  /** A row of whole (already quoted) strings. */
  strings(fields: ReadonlyArray<string>): void {
    if (this.at > BUFFER_BYTES - ROW_ROOM) this.rotate()
    const bytes = this.bytes
    let at = this.at
    for (let column = 0; column < fields.length; column++) {
      if (column > 0) bytes[at++] = 0x2c
      at = putText(bytes, at, fields[column]!)
    }
    bytes[at++] = 0x0a
    this.at = at
    this.rows++
  }

  row(row: Row): void {
    if (this.at > BUFFER_BYTES - ROW_ROOM) this.rotate()
    const bytes = this.bytes
    const kinds = row.kind
    const texts = row.text
    const values = row.value
    const extras = row.extra
    const width = row.width
    let at = this.at
    for (let column = 0; column < width; column++) {
      if (column > 0) bytes[at++] = 0x2c
      const kind = kinds[column]!
      if (kind === TEXT) {
        const text = texts[column]!
        if (text.length > 0) at = putText(bytes, at, text)
      } else if (kind === DIGITS) at = putLarge(bytes, at, values[column]!, extras[column]!)
      else if (kind === DAY) at = putDay(bytes, at, values[column]!)
      else if (kind === STAMP) {
        at = putDay(bytes, at, values[column]!)
        const second = extras[column]!
        const hours = (second / 3600) | 0
        const minutes = ((second - hours * 3600) / 60) | 0
        bytes[at++] = 0x54
        at = putSmall(bytes, at, hours, 2)
        bytes[at++] = 0x3a
        at = putSmall(bytes, at, minutes, 2)
        bytes[at++] = 0x3a
        at = putSmall(bytes, at, second - hours * 3600 - minutes * 60, 2)
      } else if (kind === TENTHS) {
        const tenths = values[column]!
        const whole = Math.floor(tenths / 10)
        at = putLarge(bytes, at, whole, digitCount(whole))
        bytes[at++] = 0x2e
        bytes[at++] = 48 + (tenths - whole * 10)
      } else {
        at = putText(bytes, at, texts[column]!)
        bytes[at++] = 0x5f
        const street = values[column]! * 4
        bytes[at++] = STREET_CODE_BYTES[street]!
        bytes[at++] = STREET_CODE_BYTES[street + 1]!
        bytes[at++] = STREET_CODE_BYTES[street + 2]!
        bytes[at++] = STREET_CODE_BYTES[street + 3]!
        const numero = extras[column]!
        if (numero >= 0) {
          bytes[at++] = 0x5f
          at = putSmall(bytes, at, numero, 5)
        }
      }
    }
    bytes[at++] = 0x0a
    this.at = at
    this.rows++
  }

  private rotate(): void {
    if (this.output !== undefined) this.output(this.bytes.subarray(0, this.at))
    else {
      this.full.push(this.bytes.subarray(0, this.at))
      this.bytes = new Uint8Array(BUFFER_BYTES)
    }
    this.at = 0
  }

  /** The bytes not yet handed to `output`, in order. */
  finish(): Array<Uint8Array> {
    if (this.at > 0) this.rotate()
    return this.full
  }
}

/** Encodes fields as one CSV line (header and tests). */
export const csvLine = (fields: ReadonlyArray<string>): Uint8Array => {
  const sink = new ByteSink()
  sink.strings(fields)
  return sink.finish()[0]!
}

/** Establishment columns hidden for partially diffusible units (commune and postcode stay). */
const MASKED_ADDRESS = [
  E.complementAdresseEtablissement,
  E.numeroVoieEtablissement,
  E.indiceRepetitionEtablissement,
  E.dernierNumeroVoieEtablissement,
  E.indiceRepetitionDernierNumeroVoieEtablissement,
  E.typeVoieEtablissement,
  E.libelleVoieEtablissement,
  E.identifiantAdresseEtablissement
]
const MASKED_NAMES = [
  E.enseigne1Etablissement,
  E.enseigne2Etablissement,
  E.enseigne3Etablissement,
  E.denominationUsuelleEtablissement
]

const ETAB_KINDS: ReadonlyArray<MalformedKind> = [
  "stray_quote",
  "column_count",
  "invalid_utf8",
  "invalid_siret_checksum"
]
const UL_KINDS: ReadonlyArray<MalformedKind> = ["stray_quote", "column_count", "invalid_utf8"]

// ---------------------------------------------------------------------------------------------------------------------
// Generator

/**
 * Builds one chunk. With `outputs`, the establishment and legal-unit bytes are handed over as they
 * are produced (and the result carries none); else they come back in the result.
 */
export const generateChunk = async (
  spec: ChunkSpec,
  outputs?: { readonly etab: (bytes: Uint8Array) => void; readonly ul: (bytes: Uint8Array) => void }
): Promise<ChunkResult> => {
  const total = spec.establishments
  const malformedRate = spec.malformedRate
  const focus = spec.focus
  const focusNaf =
    focus === undefined
      ? undefined
      : new Weighted(Object.entries(focus.naf).map(([code, weight]) => [nafIndex(code), weight] as const))

  const geo = await loadGeo()

  /** Data stream; the malformed rows draw from their own stream so the rate leaves the data as is. */
  const rng = new Rng(spec.seed, 2 * spec.index)
  const bad = new Rng(spec.seed, 2 * spec.index + 1)
  const etabOut = new ByteSink(outputs?.etab)
  const ulOut = new ByteSink(outputs?.ul)
  const broken: Array<ChunkMalformed> = []
  const er = new Row(ETABLISSEMENT_HEADER.length)
  const ur = new Row(UNITE_LEGALE_HEADER.length)
  /** Text of the row fields: plain text fields are set here directly. */
  const ef = er.text
  const uf = ur.text

  // -- small helpers bound to the data stream -------------------------------------------------------------------------

  /** Sets dateDernierTraitement of a row whose current state starts on `since` (closed on `closedOn`, or -1). */
  const setProcessed = (row: Row, column: number, since: number, closedOn: number): void => {
    if (closedOn >= 0) {
      if (closedOn < D2005) row.set(column, rng.pick(MASS_STAMPS))
      else row.stamp(column, Math.min(STOCK_END, closedOn + rng.int(400)), rng.int(86_400))
      return
    }
    const from = Math.max(since, D2017)
    row.stamp(column, from + Math.floor((STOCK_END - from) * Math.sqrt(rng.float())), rng.int(86_400))
  }

  const yearOfTranche = (tranche: string, active: boolean): string => {
    if (tranche === "" || tranche === "NN") return ""
    if (!active) return rng.pick(OLD_YEARS)
    return rng.chance(0.85) ? "2023" : "2022"
  }

  const employerOf = (tranche: string): string => {
    if (tranche === "" || tranche === "NN") return rng.chance(0.7) ? "N" : ""
    if (tranche === "00") return rng.chance(0.5) ? "O" : "N"
    return "O"
  }

  const surname = (): string => rng.pick(SURNAMES)

  const companyName = (words: ReadonlyArray<string>, category: string, home: Commune): string => {
    const r = rng.float()
    if (r < 0.006) return rng.pick(QUOTED_NAMES)
    if (r < 0.016) return `${surname()}, ${surname()} ET ASSOCIÉS`
    if (category === "6540") {
      const s = rng.float()
      if (s < 0.5) return `SCI ${surname()}`
      if (s < 0.8) return `SCI ${rng.pick(NAME_PARTS)}`
      return `SCI ${rng.pick(BRAND_WORDS)} ${rng.int(20) + 1}`
    }
    if (category === "9220" || category === "9300") {
      const prefix = rng.pick(ASSOCIATION_PREFIXES)
      return prefix.endsWith("DE") || prefix.endsWith("DES")
        ? `${prefix} ${home.label}`
        : `${prefix} ${rng.pick(BRAND_WORDS)} ${rng.pick(NAME_PARTS)}`
    }
    if (category === "7210") return `COMMUNE DE ${home.label}`
    const s = rng.float()
    if (s < 0.3) return `${rng.pick(words)} ${surname()}`
    if (s < 0.5) return `${rng.pick(words)} ${rng.pick(NAME_PARTS)}`
    if (s < 0.7) return `${rng.pick(BRAND_WORDS)} ${rng.pick(words)}`
    if (s < 0.8) return `${rng.pick(BRAND_WORDS)} ${rng.pick(NAME_PARTS)}`
    if (s < 0.9) return `${surname()} ${rng.pick(LEGAL_SUFFIXES)}`
    return `${rng.pick(GENERIC_WORDS)} ${surname()}`
  }

  const initials = (name: string): string => {
    let out = ""
    for (const word of name.split(" ")) {
      const first = word.charAt(0)
      if (first >= "A" && first <= "Z") out += first
    }
    return out.length >= 2 ? out : ""
  }

  /** Establishments of one legal unit: most have one, a few have hundreds (mean about 1.35). */
  const etabCount = (): number => {
    const r = rng.float()
    if (r < 0.88) return 1
    if (r < 0.952) return 2
    if (r < 0.975) return 3
    if (r < 0.985) return 4
    if (r < 0.9955) return 5 + rng.int(5)
    if (r < 0.9993) return 10 + Math.floor(rng.float() ** 2 * 31)
    if (r < 0.999995) return 41 + Math.floor(rng.float() ** 3 * 260)
    return 500 + rng.int(2000)
  }

  /** A coordinate within 400 m of `value` (metres, one decimal). */
  const setCoordinate = (column: number, value: number): void => {
    er.tenths(column, Math.round((value + (rng.float() - 0.5) * 800) * 10))
  }

  // -- malformations --------------------------------------------------------------------------------------------------

  /** Writes `row` as one line, broken the `kind` way, and records it. */
  const writeBroken = (out: ByteSink, row: Row, kind: MalformedKind, textColumn: number, file: string): void => {
    const fields = row.fields()
    let applied = kind
    // A stray quote must be the only quote of its line, so no field may be quoted.
    if (applied === "stray_quote" && fields.some((field) => field.startsWith('"'))) applied = "column_count"
    switch (applied) {
      case "stray_quote":
        fields[textColumn] = `LE "${bad.pick(STRAY_QUOTE_WORDS)}`
        break
      case "column_count":
        if (bad.chance(0.5)) fields.splice(textColumn, 1)
        else fields.push("")
        break
      case "invalid_utf8":
        fields[textColumn] = `CAF${MARK} DU ${bad.pick(STRAY_QUOTE_WORDS)}`
        break
      case "invalid_siret_checksum": {
        const nic = fields[E.nic]!
        const wrong = `${nic.slice(0, 4)}${(Number(nic.charAt(4)) + 1) % 10}`
        fields[E.nic] = wrong
        fields[E.siret] = `${fields[E.siren]}${wrong}`
        break
      }
    }
    out.strings(fields)
    broken.push({ file, row: out.rows, kind: applied })
  }

  const writeEtab = (): void => {
    if (malformedRate > 0 && bad.float() < malformedRate)
      writeBroken(etabOut, er, bad.pick(ETAB_KINDS), E.enseigne1Etablissement, ETABLISSEMENT_FILE)
    else etabOut.row(er)
  }

  const writeUl = (): void => {
    if (malformedRate > 0 && bad.float() < malformedRate)
      writeBroken(ulOut, ur, bad.pick(UL_KINDS), U.denominationUsuelle1UniteLegale, UNITE_LEGALE_FILE)
    else ulOut.row(ur)
  }

  // -- main loop: one legal unit and its establishments per turn ------------------------------------------------------

  let remaining = total
  /** No unit takes more than 1 % of a chunk (small runs would otherwise be dominated by one big unit). */
  const largestUnit = Math.max(5, Math.floor(total / 100))
  const MAX_BASE = spec.baseTo
  let base = spec.baseFrom - 1

  while (remaining > 0) {
    // SIREN: 8 random digits, increasing so the files come out sorted, then the Luhn digit. Gaps average the free
    // space over (a slight overestimate of) the units still to come, and never exceed it.
    const unitsLeft = remaining / 1.3 + 2
    base += 1 + rng.int(Math.max(1, Math.floor((2 * (MAX_BASE - base)) / unitsLeft)))
    if (base === 35_600_000) base++ // La Poste's SIREN range follows another rule
    if (base > MAX_BASE) throw new Error(`chunk ${spec.index}: SIREN range exhausted`)
    const siren = base * 10 + sirenCheck(base)
    const sirenSum = sirenSumInSiret(siren)
    const count = Math.min(remaining, etabCount(), largestUnit)
    remaining -= count

    // The legal unit.
    const inFocus = focus !== undefined && rng.chance(focus.share)
    const category = inFocus ? FOCUS_LEGAL.draw(rng) : LEGAL.draw(rng)
    const individual = category === "1000"
    const association = category === "9220" || category === "9300"
    const closed = category !== "7210" && rng.chance(0.32)
    const created = Math.max(D1950, STOCK_END - Math.floor(76 * 365.25 * rng.float() ** (closed ? 1.5 : 2.5)))
    let closedOn = -1
    if (closed) {
      closedOn = created + 30 + Math.floor((STOCK_END - created - 30) * rng.float() ** 0.8)
      if (inFocus && closedOn < D2008) {
        const from = Math.max(created, D2008)
        closedOn = from + rng.int(STOCK_END - from + 1)
      }
      if (closedOn > STOCK_END) closedOn = STOCK_END
    }
    // NAF: an index into NAF_CODES for NAFRev2 units; older nomenclatures carry a code only.
    let nomenclature = "NAFRev2"
    let naf = -1
    let oldCode = ""
    if (!closed || closedOn >= D2008) {
      if (inFocus && focusNaf !== undefined) naf = focusNaf.draw(rng)
      else if (association) naf = NAF_ASSOCIATION.draw(rng)
      else if (category === "6540") naf = NAF_SCI.draw(rng)
      else if (category === "7210") naf = NAF_COMMUNE
      else naf = NAF_DRAW.draw(rng)
    } else if (closedOn >= D2003) {
      nomenclature = "NAFRev1"
      oldCode = rng.pick(NAF_REV1)
    } else if (closedOn >= D1993) {
      nomenclature = "NAF1993"
      oldCode = rng.pick(NAF_REV1)
    } else {
      nomenclature = "NAP"
      oldCode = rng.pick(NAP)
    }
    const rev2 = naf >= 0
    const old = closed && closedOn < D2008
    const status = rng.chance(0.02) ? "P" : old && rng.chance(0.005) ? "N" : "O"
    const masked = status !== "O"
    const purged = closed && closedOn < D2002 && rng.chance(0.85)
    const home = inFocus ? geo.drawIn(rng, focus.departments) : geo.draw(rng)

    let tranche: string
    if (closed) tranche = rng.chance(0.45) ? "" : rng.chance(0.9) ? "NN" : TRANCHE_COMPANY.draw(rng)
    else tranche = individual ? TRANCHE_EI.draw(rng) : TRANCHE_COMPANY.draw(rng)
    const rank = trancheRank.get(tranche) ?? -1

    ur.clear()
    ur.digits(U.siren, siren, 9)
    uf[U.statutDiffusionUniteLegale] = status
    if (purged) uf[U.unitePurgeeUniteLegale] = "true"
    const creationUnknown = purged && rng.chance(0.3)
    if (!creationUnknown) ur.day(U.dateCreationUniteLegale, created)
    if (individual) {
      const male = rng.chance(0.5)
      const first = male ? MALE_FIRST_NAMES : FEMALE_FIRST_NAMES
      const prenom1 = rng.pick(first)
      const prenom2 = rng.chance(0.35) ? rng.pick(first) : ""
      const prenom3 = prenom2 !== "" && rng.chance(0.3) ? rng.pick(first) : ""
      const prenom4 = prenom3 !== "" && rng.chance(0.15) ? rng.pick(first) : ""
      const nomUsage = !male && rng.chance(0.15) ? surname() : ""
      const pseudonyme = rng.chance(0.005) ? rng.pick(BRAND_WORDS) : ""
      const nom = surname()
      if (masked) {
        // Partially diffusible person: names and sex hidden.
        uf[U.sexeUniteLegale] = "[ND]"
        uf[U.prenom1UniteLegale] = "[ND]"
        if (prenom2 !== "") uf[U.prenom2UniteLegale] = "[ND]"
        if (prenom3 !== "") uf[U.prenom3UniteLegale] = "[ND]"
        if (prenom4 !== "") uf[U.prenom4UniteLegale] = "[ND]"
        uf[U.prenomUsuelUniteLegale] = "[ND]"
        if (pseudonyme !== "") uf[U.pseudonymeUniteLegale] = "[ND]"
        uf[U.nomUniteLegale] = "[ND]"
        if (nomUsage !== "") uf[U.nomUsageUniteLegale] = "[ND]"
      } else {
        uf[U.sexeUniteLegale] = male ? "M" : "F"
        uf[U.prenom1UniteLegale] = prenom1
        uf[U.prenom2UniteLegale] = prenom2
        uf[U.prenom3UniteLegale] = prenom3
        uf[U.prenom4UniteLegale] = prenom4
        uf[U.prenomUsuelUniteLegale] = prenom1
        uf[U.pseudonymeUniteLegale] = pseudonyme
        uf[U.nomUniteLegale] = nom
        uf[U.nomUsageUniteLegale] = nomUsage
      }
    } else {
      const name = companyName(rev2 ? NAF_WORDS[naf]! : OLD_WORDS, category, home)
      uf[U.denominationUniteLegale] = csv(name)
      if (rng.chance(0.08)) uf[U.sigleUniteLegale] = initials(name)
      if (created < D2008 && rng.chance(0.04)) uf[U.denominationUsuelle1UniteLegale] = csv(rng.pick(BRAND_WORDS))
      if (association && rng.chance(0.6))
        uf[U.identifiantAssociationUniteLegale] = `W${String(rng.int(1_000_000_000)).padStart(9, "0")}`
    }
    uf[U.trancheEffectifsUniteLegale] = tranche
    uf[U.anneeEffectifsUniteLegale] = yearOfTranche(tranche, !closed)
    // The current period starts at creation, at the last change, or at the closure.
    const unitStart = closed ? closedOn : rng.chance(0.6) ? created : created + rng.int(STOCK_END - created + 1)
    setProcessed(ur, U.dateDernierTraitementUniteLegale, unitStart, closedOn)
    uf[U.nombrePeriodesUniteLegale] = NUMBERS[1 + rng.int(closed ? 6 : 4)]!
    if (!closed) {
      uf[U.categorieEntreprise] = rank >= RANK_51 ? "GE" : rank >= RANK_41 && rng.chance(0.6) ? "ETI" : "PME"
      uf[U.anneeCategorieEntreprise] = "2023"
    }
    ur.day(U.dateDebut, unitStart)
    uf[U.etatAdministratifUniteLegale] = closed ? "C" : "A"
    uf[U.categorieJuridiqueUniteLegale] = category
    uf[U.activitePrincipaleUniteLegale] = rev2 ? NAF_CODES[naf]! : oldCode
    uf[U.nomenclatureActivitePrincipaleUniteLegale] = nomenclature
    uf[U.economieSocialeSolidaireUniteLegale] = association ? "O" : !individual && !closed && rng.chance(0.7) ? "N" : ""
    if (!individual && !closed) uf[U.societeMissionUniteLegale] = rng.chance(0.002) ? "O" : rng.chance(0.1) ? "N" : ""
    uf[U.caractereEmployeurUniteLegale] = closed ? (rng.chance(0.4) ? "N" : "") : employerOf(tranche)
    if (rev2 && (!closed ? rng.chance(0.98) : closedOn >= NAF25_START && rng.chance(0.5)))
      uf[U.activitePrincipaleNAF25UniteLegale] = NAF25_CODES[naf]!

    // Its establishments: NICs increase, so rows stay sorted by SIRET.
    const siegeIndex = count === 1 ? 0 : rng.int(count)
    const limit = closed ? closedOn : STOCK_END
    let nicPrefix = 1 + (rng.chance(0.25) ? rng.int(6) : 0)
    let etabCreated = created
    let siegeNic = 0
    for (let i = 0; i < count; i++) {
      const siege = i === siegeIndex
      const etabClosed = closed || (!siege && rng.chance(0.45))
      if (i > 0) etabCreated += Math.floor((limit - etabCreated) * rng.float() * 0.6)
      let etabClosedOn = -1
      if (etabClosed)
        etabClosedOn = closed && siege ? closedOn : etabCreated + Math.floor((limit - etabCreated) * rng.float())
      const nic = nicPrefix * 10 + ((10 - ((sirenSum + NIC4_SUM[nicPrefix]!) % 10)) % 10)
      nicPrefix += 1 + (rng.chance(0.1) ? rng.int(3) : 0)
      if (siege) siegeNic = nic

      // Where.
      let place: Commune | undefined
      let foreign: readonly [string, string, string] | undefined
      if (siege || i === 0) place = home
      else {
        const r = rng.float()
        if (r < 0.4) place = home
        else if (r < 0.65) place = geo.drawInDepartment(rng, home.department)
        else if (r < 0.997) place = inFocus ? geo.drawIn(rng, focus.departments) : geo.draw(rng)
        else foreign = rng.pick(FOREIGN_COUNTRIES)
      }

      let etabNaf = naf
      if (rev2 && !siege && rng.chance(0.15))
        etabNaf = inFocus && focusNaf !== undefined ? focusNaf.draw(rng) : NAF_DRAW.draw(rng)
      let etabTranche: string
      if (count === 1) etabTranche = tranche
      else if (etabClosed) etabTranche = rng.chance(0.5) ? "" : "NN"
      else {
        etabTranche = TRANCHE_SECONDARY.draw(rng)
        const etabRank = trancheRank.get(etabTranche) ?? -1
        if (rank >= 0 && etabRank > rank) etabTranche = tranche
      }

      er.clear()
      er.digits(E.siren, siren, 9)
      er.digits(E.nic, nic, 5)
      er.digits(E.siret, siren * 100_000 + nic, 14)
      ef[E.statutDiffusionEtablissement] = status
      if (!(i === 0 && creationUnknown)) er.day(E.dateCreationEtablissement, etabCreated)
      ef[E.trancheEffectifsEtablissement] = etabTranche
      ef[E.anneeEffectifsEtablissement] = yearOfTranche(etabTranche, !etabClosed)
      if (rev2 && NAF_CRAFT[etabNaf]! && rng.chance(0.5))
        ef[E.activitePrincipaleRegistreMetiersEtablissement] =
          NAF_RM[etabNaf]! + (rng.chance(0.7) ? "Z" : rng.pick(RM_LETTERS))
      const etabStart = etabClosed
        ? etabClosedOn
        : rng.chance(0.3)
          ? etabCreated + rng.int(STOCK_END - etabCreated + 1)
          : etabCreated
      setProcessed(er, E.dateDernierTraitementEtablissement, etabStart, etabClosedOn)
      ef[E.etablissementSiege] = siege ? "true" : "false"
      ef[E.nombrePeriodesEtablissement] = NUMBERS[1 + rng.int(etabClosed ? 4 : 3)]!

      if (foreign !== undefined) {
        ef[E.libelleVoieEtablissement] = `${rng.pick(FOREIGN_STREETS)} ${1 + rng.int(120)}`
        ef[E.libelleCommuneEtrangerEtablissement] = foreign[2]
        ef[E.codePaysEtrangerEtablissement] = foreign[0]
        ef[E.libellePaysEtrangerEtablissement] = foreign[1]
      } else if (place !== undefined) {
        const postcode =
          place.postcodes.length === 1 ? place.postcodes[0]! : place.postcodes[rng.int(place.postcodes.length)]!
        let numero = -1
        if (rng.float() >= 0.04) {
          const type = STREET_TYPE.draw(rng)
          if (type !== "LD" && rng.chance(0.88)) {
            numero = 1 + Math.floor(rng.float() ** 2 * 180)
            ef[E.numeroVoieEtablissement] = NUMBERS[numero]!
            if (rng.chance(0.04)) ef[E.indiceRepetitionEtablissement] = rng.pick(INDICES)
            if (rng.chance(0.015)) ef[E.dernierNumeroVoieEtablissement] = NUMBERS[numero + 2]!
          }
          ef[E.typeVoieEtablissement] = type
          ef[E.libelleVoieEtablissement] = type === "LD" ? rng.pick(LIEUX_DITS) : rng.pick(STREET_NAMES)
        }
        if (rng.chance(0.08)) ef[E.complementAdresseEtablissement] = csv(rng.pick(ADDRESS_COMPLEMENTS))
        ef[E.codePostalEtablissement] = postcode
        ef[E.libelleCommuneEtablissement] = place.label
        if (rng.chance(0.01))
          ef[E.distributionSpecialeEtablissement] = rng.chance(0.6)
            ? `BP ${1 + rng.int(999)}`
            : `CS ${10000 + rng.int(90000)}`
        ef[E.codeCommuneEtablissement] = place.code
        if (rng.chance(0.004)) {
          ef[E.codeCedexEtablissement] = `${postcode.slice(0, 2)}${900 + rng.int(99)}`
          ef[E.libelleCedexEtablissement] = `${place.label} CEDEX`
        }
        if (rng.chance(0.75)) er.addressId(E.identifiantAdresseEtablissement, place.code, rng.int(STREET_CODES), numero)
        if (rng.chance(0.93) && !Number.isNaN(place.x)) {
          setCoordinate(E.coordonneeLambertAbscisseEtablissement, place.x)
          setCoordinate(E.coordonneeLambertOrdonneeEtablissement, place.y)
        }
        if (rng.chance(0.003)) {
          ef[E.numeroVoie2Etablissement] = NUMBERS[1 + rng.int(60)]!
          ef[E.typeVoie2Etablissement] = "RUE"
          ef[E.libelleVoie2Etablissement] = rng.pick(STREET_NAMES)
          ef[E.codePostal2Etablissement] = postcode
          ef[E.libelleCommune2Etablissement] = place.label
          ef[E.codeCommune2Etablissement] = place.code
        }
      }

      er.day(E.dateDebut, etabStart)
      ef[E.etatAdministratifEtablissement] = etabClosed ? "F" : "A"
      const words = rev2 ? NAF_WORDS[etabNaf]! : OLD_WORDS
      if (individual ? rng.chance(0.25) : rng.chance(0.12)) {
        ef[E.enseigne1Etablissement] = csv(
          individual ? `${rng.pick(words)} ${rng.pick(NAME_PARTS)}` : rng.pick(BRAND_WORDS)
        )
        if (rng.chance(0.05)) ef[E.enseigne2Etablissement] = csv(rng.pick(NAME_PARTS))
      }
      if (rng.chance(0.06)) ef[E.denominationUsuelleEtablissement] = csv(`${rng.pick(BRAND_WORDS)} ${rng.pick(words)}`)
      ef[E.activitePrincipaleEtablissement] = rev2 ? NAF_CODES[etabNaf]! : oldCode
      ef[E.nomenclatureActivitePrincipaleEtablissement] = nomenclature
      ef[E.caractereEmployeurEtablissement] = etabClosed ? (rng.chance(0.3) ? "N" : "") : employerOf(etabTranche)
      if (rev2 && (!etabClosed ? rng.chance(0.98) : etabClosedOn >= NAF25_START && rng.chance(0.5)))
        ef[E.activitePrincipaleNAF25Etablissement] = NAF25_CODES[etabNaf]!

      if (masked) {
        // Partially diffusible: address detail and names hidden, coordinates null (commune kept).
        for (const column of MASKED_ADDRESS) er.set(column, "[ND]")
        er.set(E.coordonneeLambertAbscisseEtablissement, "")
        er.set(E.coordonneeLambertOrdonneeEtablissement, "")
        for (const column of MASKED_NAMES) if (ef[column] !== "") ef[column] = "[ND]"
      }
      writeEtab()
    }

    ur.digits(U.nicSiegeUniteLegale, siegeNic, 5)
    writeUl()
  }

  return {
    index: spec.index,
    etab: etabOut.finish(),
    ul: ulOut.finish(),
    etabRows: etabOut.rows,
    ulRows: ulOut.rows,
    malformed: broken
  }
}
