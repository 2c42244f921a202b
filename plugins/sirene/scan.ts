/**
 * Streaming scans of the stock files. Establishments: lines are found with memchr-speed
 * `indexOf`; when the job filters on NAF codes, only lines containing one of the codes' bytes are
 * split and tested, so most of the 40 million lines cost one newline search. Legal units: only
 * lines whose SIREN was kept are split. Memory is bound by kept rows, not by input size.
 */
import { isAscii, isUtf8 } from "node:buffer"
import { ESTABLISHMENT_COLUMNS, LEGAL_UNIT_COLUMNS } from "./columns.ts"
import { fieldText, InvalidUtf8, lineText, splitFields, unescapeField } from "./csv/fields.ts"
import type { CompiledFilter } from "./filters.ts"
import { csvChunks, fileChunks, type InputFormat, lineBlocks } from "./input/bytes.ts"
import { parquetRowBatches, rowAsLine } from "./input/parquet.ts"
import type { Header } from "./input/roles.ts"
import { type JoinedUnits, unitsOfMap, unitsPacked } from "./joinedUnits.ts"
import { type KeptRows, keptArray, keptPacked } from "./keptRows.ts"
import { LOCAL_SEGMENT, linePacker } from "./packedLines.ts"

export type RejectReason =
  | "broken_quoting"
  | "wrong_column_count"
  | "invalid_utf8"
  | "legal_unit_not_found"
  | "legal_unit_unreadable"
  | "duplicate_in_list"

export interface Reject {
  readonly file: string
  readonly line: number
  readonly reason: RejectReason
  readonly detail: string
  /** The SIRET when it could be read, else "". */
  readonly siret: string
  readonly raw: string
}

export type RawFields = Record<string, string | null>

/**
 * A kept line's columns, decoded on demand into `into` (a new object when none is given), which is
 * returned: a legal unit's columns are decoded straight into its establishment's record.
 */
export type FieldsOf = (into?: RawFields) => RawFields

export interface KeptRow {
  readonly file: string
  readonly line: number
  readonly siren: string
  /** The row's columns, decoded on demand: a kept CSV line is a view of its bytes in a packed segment. */
  readonly fields: FieldsOf
}

/** True when `bytes[from, to)` are all ASCII. */
const isAsciiRange = (bytes: Uint8Array, from: number, to: number): boolean => {
  for (let i = from; i < to; i++) if (bytes[i]! >= 0x80) return false
  return true
}

/**
 * Decodes the carried columns of one line; absent values are left out. The line is decoded once as
 * single-byte text, so an ASCII column is a slice of it at its byte offsets, where a decode per column
 * cost a call and a view each (80k lines: 330-400 -> 127 ms, decision 018). A column holding other bytes
 * (an accent) is decoded alone as UTF-8, so invalid UTF-8 is reported only in a column that is read.
 */
const decodeFields = (
  bytes: Uint8Array,
  bounds: Int32Array,
  quoted: Uint8Array,
  wanted: ReadonlyArray<readonly [string, number]>,
  fields: RawFields
): RawFields => {
  const ascii = isAscii(bytes)
  // windows-1252 (what "latin1" means to TextDecoder): one character per byte, ASCII as itself; the
  // characters of other bytes are never used.
  const text = singleByteDecoder.decode(bytes)
  for (const [name, index] of wanted) {
    const from = bounds[index * 2]!
    const to = bounds[index * 2 + 1]!
    if (from === to) continue
    let value: string | null
    if (ascii || isAsciiRange(bytes, from, to)) {
      value = absentAsNull(unescapeField(text.slice(from, to), quoted[index] === 1))
    } else value = absentAsNull(fieldText(bytes, bounds, quoted, index))
    if (value !== null) fields[name] = value
  }
  return fields
}

const singleByteDecoder = new TextDecoder("windows-1252")

/**
 * Decodes kept lines on demand: a kept line waits as its bytes alone (a few hundred bytes, where
 * decoded columns take kilobytes), packed with the others (`packedLines.ts`), and is split again when
 * its record is built. `decoderOf(header, names)(line)` is that line's `fields`.
 */
export const decoderOf = (header: Header, names: ReadonlyArray<string>) => {
  const wanted = columnsOf(header, names)
  const columns = header.count
  // Scratch arrays shared by the decoder's lines (a decode runs to its end before the next starts).
  const bounds = new Int32Array((columns + 1) * 2)
  const quoted = new Uint8Array(columns + 1)
  return (line: Uint8Array): FieldsOf =>
    (into = {}) => {
      if (splitFields(line, 0, line.length, bounds, quoted) === columns)
        return decodeFields(line, bounds, quoted, wanted, into)
      // A line that does not split into the header's columns (the scan keeps none) leaves columns it
      // has not reached empty, as fresh arrays do, not holding the previous line's bounds.
      const own = new Int32Array((columns + 1) * 2)
      const ownQuoted = new Uint8Array(columns + 1)
      splitFields(line, 0, line.length, own, ownQuoted)
      return decodeFields(line, own, ownQuoted, wanted, into)
    }
}

export interface ScanStats {
  lines: number
  bytes: number
}

const NEWLINE = 0x0a

/** Absent values: empty, or masked by INSEE for non-diffusible units. */
const absentAsNull = (text: string): string | null => (text === "" || text === "[ND]" ? null : text.trim() || null)

/**
 * A part of a plain CSV file scanned alone (one half of a parallel scan). Its line numbers are its
 * own: line 1 is its first line, which is data unless `firstLineIsHeader`.
 */
export interface ScanRange {
  readonly start: number
  readonly end: number
  readonly firstLineIsHeader: boolean
}

/** Where a CSV scan hands each line it keeps; the bytes are only valid during the call. */
export type KeepLine = (bytes: Uint8Array, start: number, end: number, line: number, siren: string) => void

type LineVisitor = (bytes: Uint8Array, start: number, end: number, line: number) => void

/** The file's bytes, or only its range's (plain CSV only: a zip entry cannot be entered mid-way). */
const chunksOf = (file: string, format: InputFormat, range: ScanRange | undefined) => {
  if (range === undefined) return csvChunks(file, format)
  if (format !== "csv") throw new Error(`${file}: only a plain CSV file can be scanned by byte range`)
  return fileChunks(file, range.start, range.end)
}

/**
 * Calls `visit` for every data line (the header, line 1, is skipped) — or, with `needles`, only for
 * lines containing one of them — with its 1-based line number. `stats.lines` counts data lines.
 */
const scanLines = async (
  input: { readonly file: string; readonly format: InputFormat; readonly range?: ScanRange | undefined },
  needles: ReadonlyArray<Uint8Array> | null,
  stats: ScanStats,
  visit: LineVisitor
) => {
  const chunks = chunksOf(input.file, input.format, input.range)
  // Lines that are not data: the header line, or none in a range that starts past it.
  const headerLines = input.range?.firstLineIsHeader === false ? 0 : 1
  let line = 0
  const searchable = needles?.map((needle) => Buffer.from(needle)) ?? null
  for await (const bytes of lineBlocks(chunks)) {
    // A Buffer view (no copy): its indexOf finds byte sequences, and single bytes at memchr speed.
    const block = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
    stats.bytes += block.length
    const length = block.length
    let position = 0
    const next = searchable ? searchable.map((needle) => block.indexOf(needle, 0)) : null
    while (position < length) {
      let end = block.indexOf(NEWLINE, position)
      if (end === -1) end = length
      line++
      // A blank line (CRLF files: a lone CR) is no record.
      if (line > headerLines && end > position && !(end - position === 1 && block[position] === 0x0d)) {
        if (!next) visit(block, position, end, line)
        else {
          let candidate = false
          for (let i = 0; i < next.length; i++) {
            let at = next[i]!
            if (at !== -1 && at < position) {
              at = block.indexOf(searchable![i]!, position)
              next[i] = at
            }
            if (at !== -1 && at < end) candidate = true
          }
          if (candidate) visit(block, position, end, line)
        }
      }
      position = end + 1
    }
  }
  stats.lines = Math.max(0, line - headerLines)
}

const rejectOf = (
  file: string,
  bytes: Uint8Array,
  start: number,
  end: number,
  line: number,
  reason: RejectReason,
  detail: string,
  siretIndex: number | undefined
): Reject => {
  const text = lineText(bytes, start, end)
  // The SIRET, when its field is still where the header says: 14 digits only.
  const candidate = siretIndex === undefined ? "" : (text.split(",")[siretIndex] ?? "")
  return { file, line, reason, detail, siret: /^\d{14}$/.test(candidate) ? candidate : "", raw: shownLine(text) }
}

/**
 * The rejected line as rejects.csv shows it, unless it may belong to a partially diffusible unit
 * (a P or N status field anywhere near the start): its names and address must not reach any file.
 */
const shownLine = (text: string) =>
  text.split(",", 6).some((field) => field === "P" || field === "N" || field === '"P"' || field === '"N"')
    ? "(not shown: partially diffusible unit)"
    : text

const columnsOf = (header: Header, names: ReadonlyArray<string>) =>
  names.flatMap((name) => {
    const index = header.columns.get(name)
    return index === undefined ? [] : [[name, index] as const]
  })

export interface EstablishmentScan {
  readonly file: string
  readonly format: InputFormat
  readonly header: Header
  readonly filter: CompiledFilter | null
  readonly sirets?: ReadonlySet<string>
  readonly limit?: number
  /** Scan only this part of the file (plain CSV only; whole file by default). */
  readonly range?: ScanRange
  readonly stats: ScanStats
}

/**
 * Establishments kept by the filter (or whose SIRET is in `sirets`), with their raw fields. Kept CSV
 * lines wait packed (see `packedLines.ts`) and become rows when the join takes them.
 */
export const scanEstablishments = async (
  options: EstablishmentScan
): Promise<{ kept: KeptRows; rejects: Reject[] }> => {
  const { file, header } = options
  if (options.format === "parquet") {
    const kept: KeptRow[] = []
    await scanParquetEstablishments(options, columnsOf(header, ESTABLISHMENT_COLUMNS), kept)
    return { kept: keptArray(kept), rejects: [] }
  }
  const packer = linePacker(LOCAL_SEGMENT)
  const rejects = await scanEstablishmentLines(options, packer.add)
  return { kept: keptPacked(packer.pack().packed, file, decoderOf(header, ESTABLISHMENT_COLUMNS)), rejects }
}

/** The CSV scan of scanEstablishments: kept lines go to `keep`, rejected ones are returned. */
export const scanEstablishmentLines = async (options: EstablishmentScan, keep: KeepLine): Promise<Reject[]> => {
  const { file, header, filter, sirets } = options
  const bounds = new Int32Array((header.count + 1) * 2)
  const quoted = new Uint8Array(header.count + 1)
  const siretIndex = header.columns.get("siret")!
  const sirenIndex = header.columns.get("siren")!
  const rejects: Reject[] = []
  const limit = options.limit ?? Number.POSITIVE_INFINITY
  let kept = 0
  await scanLines(options, sirets ? null : (filter?.needles ?? null), options.stats, (bytes, start, end, line) => {
    if (kept >= limit) return
    const count = splitFields(bytes, start, end, bounds, quoted)
    const reject = (reason: RejectReason, detail: string) =>
      rejects.push(rejectOf(file, bytes, start, end, line, reason, detail, siretIndex))
    if (count === "broken_quoting") {
      reject("broken_quoting", "a quote inside an unquoted field, or an unterminated quoted field")
      return
    }
    if (count !== header.count) {
      reject("wrong_column_count", `${count} fields, the header has ${header.count}`)
      return
    }
    if (sirets) {
      if (!sirets.has(fieldText(bytes, bounds, quoted, siretIndex))) return
    } else if (filter && !filter.keep(bytes, bounds)) return
    // Only kept lines are checked for UTF-8: a line the filter drops is never decoded.
    if (!isUtf8(bytes.subarray(start, end))) {
      reject("invalid_utf8", "bytes that are not UTF-8")
      return
    }
    kept++
    keep(bytes, start, end, line, fieldText(bytes, bounds, quoted, sirenIndex))
  })
  return rejects
}

export interface LegalUnitScan {
  readonly file: string
  readonly format: InputFormat
  readonly header: Header
  readonly sirens: ReadonlySet<string>
  /** Scan only this part of the file (plain CSV only; whole file by default). */
  readonly range?: ScanRange
  readonly stats: ScanStats
}

/** Legal units whose SIREN is in `sirens`, by SIREN; their CSV lines wait packed until the join. */
export const scanLegalUnits = async (
  options: LegalUnitScan
): Promise<{ units: JoinedUnits; rejects: Map<string, Reject> }> => {
  const { header } = options
  if (options.format === "parquet") {
    const units = await parquetLegalUnits(options, columnsOf(header, LEGAL_UNIT_COLUMNS))
    return { units: unitsOfMap(units), rejects: new Map() }
  }
  const packer = linePacker(LOCAL_SEGMENT)
  const rejects = await scanLegalUnitLines(options, packer.add)
  return { units: unitsPacked(packer.pack().packed, decoderOf(header, LEGAL_UNIT_COLUMNS)), rejects }
}

/** The CSV scan of scanLegalUnits: wanted units go to `keep`, unreadable ones are returned by SIREN. */
export const scanLegalUnitLines = async (options: LegalUnitScan, keep: KeepLine): Promise<Map<string, Reject>> => {
  const { file, header, sirens } = options
  const bounds = new Int32Array((header.count + 1) * 2)
  const quoted = new Uint8Array(header.count + 1)
  const sirenIndex = header.columns.get("siren")!
  const numeric = new Set<number>()
  for (const siren of sirens) if (/^\d{9}$/.test(siren)) numeric.add(Number(siren))
  const rejects = new Map<string, Reject>()
  await scanLines(options, null, options.stats, (bytes, start, end, line) => {
    if (sirenIndex === 0 && bytes[start] !== 0x22) {
      // SIREN leads the line in the official layout: test its 9 digits before splitting anything
      // (a quoted first field takes the general path below).
      let siren = 0
      for (let i = 0; i < 9; i++) {
        const digit = bytes[start + i]! - 0x30
        if (digit < 0 || digit > 9) return
        siren = siren * 10 + digit
      }
      if (bytes[start + 9] !== 0x2c || !numeric.has(siren)) return
    }
    const count = splitFields(bytes, start, end, bounds, quoted)
    const readable = typeof count === "number" && count > sirenIndex
    const siren = readable ? safeText(bytes, bounds, quoted, sirenIndex) : undefined
    // Only a line known to be a wanted unit can be reported; with SIREN first, that is always known.
    const known = siren ?? (sirenIndex === 0 ? lineText(bytes, start, start + 9) : undefined)
    if (known === undefined || !sirens.has(known)) return
    const problem =
      count === "broken_quoting"
        ? "broken quoting"
        : count !== header.count
          ? `${count} fields, the header has ${header.count}`
          : !isUtf8(bytes.subarray(start, end))
            ? "bytes that are not UTF-8"
            : undefined
    if (problem) {
      rejects.set(known, {
        file,
        line,
        reason: "legal_unit_unreadable",
        detail: problem,
        siret: "",
        raw: shownLine(lineText(bytes, start, end))
      })
      return
    }
    keep(bytes, start, end, line, known)
  })
  return rejects
}

const safeText = (bytes: Uint8Array, bounds: Int32Array, quoted: Uint8Array, index: number) => {
  try {
    return fieldText(bytes, bounds, quoted, index)
  } catch (error) {
    if (error instanceof InvalidUtf8) return undefined
    throw error
  }
}

/** Columns the filters read, besides those carried into records. */
const FILTER_COLUMNS = [
  "activitePrincipaleEtablissement",
  "nomenclatureActivitePrincipaleEtablissement",
  "codeCommuneEtablissement",
  "trancheEffectifsEtablissement",
  "etatAdministratifEtablissement",
  "dateCreationEtablissement"
]

/**
 * Parquet stock files: typed columns, read row group by row group (only the needed columns). Each
 * row is laid out as the CSV splitter would, so the same compiled filter decides. Parquet has no
 * quoting or encoding errors to reject.
 */
const scanParquetEstablishments = async (
  options: EstablishmentScan,
  wanted: ReadonlyArray<readonly [string, number]>,
  kept: KeptRow[]
) => {
  const names = [...new Set([...wanted.map(([name]) => name), ...FILTER_COLUMNS])].filter((name) =>
    options.header.columns.has(name)
  )
  const asLine = rowAsLine(options.header, names)
  const limit = options.limit ?? Number.POSITIVE_INFINITY
  for await (const batch of parquetRowBatches(options.file, names)) {
    for (let i = 0; i < batch.length && kept.length < limit; i++) {
      const row = batch[i]!
      options.stats.lines++
      if (options.sirets) {
        if (!options.sirets.has(row.siret ?? "")) continue
      } else if (options.filter) {
        const { bytes, bounds } = asLine(row)
        if (!options.filter.keep(bytes, bounds)) continue
      }
      const fields: RawFields = {}
      for (const [name] of wanted) {
        const value = absentAsNull(row[name] ?? "")
        if (value !== null) fields[name] = value
      }
      kept.push({
        file: options.file,
        line: options.stats.lines + 1,
        siren: row.siren ?? "",
        fields: (into) => (into ? Object.assign(into, fields) : fields)
      })
    }
  }
}

const parquetLegalUnits = async (options: LegalUnitScan, wanted: ReadonlyArray<readonly [string, number]>) => {
  const units = new Map<string, FieldsOf>()
  const names = ["siren", ...wanted.map(([name]) => name)]
  for await (const batch of parquetRowBatches(options.file, names)) {
    for (const row of batch) {
      options.stats.lines++
      const siren = row.siren ?? ""
      if (!options.sirens.has(siren)) continue
      const fields: RawFields = {}
      for (const [name] of wanted) {
        const value = absentAsNull(row[name] ?? "")
        if (value !== null) fields[name] = value
      }
      units.set(siren, (into) => (into ? Object.assign(into, fields) : fields))
    }
  }
  return units
}
