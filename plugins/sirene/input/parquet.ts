/**
 * Parquet stock files (StockEtablissement / StockUniteLegale as published in Parquet), read with
 * hyparquet row group by row group: only the requested columns' chunks are read from disk, by
 * range reads on one file handle, and their values come out as the CSV stock's text (dates as
 * YYYY-MM-DD, booleans true/false, numbers as digits, empty and null as null). Memory: at most one
 * row group of the requested columns decoded (a slice of a large group decodes only the pages it
 * overlaps), plus that group's compressed chunks; never the whole file.
 */
import { type FileHandle, open } from "node:fs/promises"
import { brotliDecompressSync, gunzipSync, zstdDecompressSync } from "node:zlib"
import {
  type AsyncBuffer,
  type ColumnData,
  type Compressors,
  type FileMetaData,
  type ParquetParsers,
  parquetMetadataAsync,
  parquetRead,
  parquetSchema,
  type SchemaElement
} from "hyparquet"
import { InputUnreadable } from "./bytes.ts"

export interface ParquetInfo {
  /** Top-level column names from the schema, trimmed, in file order. */
  readonly columns: ReadonlyArray<string>
  readonly rows: number
  readonly rowGroups: number
  /** Rows of each row group, in file order. */
  readonly rowGroupRows: ReadonlyArray<number>
}

/** Rows decoded at once: a larger row group is read in equal slices of at most this many rows. */
export const MAX_BATCH_ROWS = 131_072

/**
 * Values decoded between two full garbage collections. Decoding leaves tens of MB of garbage per
 * batch (pages, levels, strings of rows the caller drops) that JavaScriptCore collects lazily: on
 * the 30 collected columns of a 1M-row stock, RSS peaked at 0.5-0.9 GB left alone, 0.2-0.4 GB
 * when collecting every ~2 million values, for a few percent of the reading time.
 */
export const COLLECT_EVERY_VALUES = 2_000_000

export interface ParquetReadOptions {
  /** Rows decoded at once (default MAX_BATCH_ROWS): a larger row group comes in equal slices. */
  readonly maxBatchRows?: number
  /** Values decoded between forced full garbage collections (default COLLECT_EVERY_VALUES); 0: never. */
  readonly collectEveryValues?: number
}

/** Codecs this reader decodes: snappy by hyparquet itself, the others by node:zlib (native). */
const compressors: Compressors = {
  ZSTD: (input) => zstdDecompressSync(input),
  GZIP: (input) => gunzipSync(input),
  BROTLI: (input) => brotliDecompressSync(input)
}
const READABLE_CODECS = new Set(["UNCOMPRESSED", "SNAPPY", "ZSTD", "GZIP", "BROTLI"])

// ---------------------------------------------------------------------------------------------------------------------
// Values as the CSV stock writes them

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
const parsers: Partial<ParquetParsers> = {
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

type Format = (value: unknown) => string | null

const isDecimal = (element: SchemaElement) =>
  element.converted_type === "DECIMAL" || element.logical_type?.type === "DECIMAL"

const formatOf = (element: SchemaElement, decimalScale: number | undefined): Format => {
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

// ---------------------------------------------------------------------------------------------------------------------
// The file

/** Reads exactly [start, end) at a position: the only way bytes leave the disk. */
const readRange = async (handle: FileHandle, start: number, end: number): Promise<ArrayBuffer> => {
  const bytes = new Uint8Array(end - start)
  let done = 0
  while (done < bytes.length) {
    const { bytesRead } = await handle.read(bytes, done, bytes.length - done, start + done)
    if (bytesRead === 0)
      throw new Error(`the file ends at byte ${start + done}, before the ${end} its metadata points to`)
    done += bytesRead
  }
  return bytes.buffer
}

interface Source {
  readonly handle: FileHandle
  readonly buffer: AsyncBuffer
  /** Ranges read for the current row group, so its slices share one read; cleared between groups. */
  readonly cache: Map<string, Promise<ArrayBuffer>>
}

const openSource = async (file: string): Promise<Source> => {
  const handle = await open(file, "r")
  try {
    const { size } = await handle.stat()
    const cache = new Map<string, Promise<ArrayBuffer>>()
    const buffer: AsyncBuffer = {
      byteLength: size,
      slice: (start, end = size) => {
        const key = `${start}:${end}`
        let bytes = cache.get(key)
        if (!bytes) {
          bytes = readRange(handle, start, end)
          cache.set(key, bytes)
        }
        return bytes
      }
    }
    return { handle, buffer, cache }
  } catch (error) {
    await handle.close()
    throw error
  }
}

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error))

const readMetadata = async (file: string, source: Source): Promise<FileMetaData> => {
  try {
    return await parquetMetadataAsync(source.buffer, { parsers, geoparquet: false })
  } catch (error) {
    throw new InputUnreadable(file, `not a readable Parquet file: ${reason(error)}`)
  } finally {
    source.cache.clear()
  }
}

/** Top-level schema elements with their name as stored and trimmed. */
const topLevel = (metadata: FileMetaData) =>
  parquetSchema(metadata).children.map((child) => ({
    stored: child.element.name,
    name: child.element.name.trim(),
    element: child.element,
    nested: child.children.length > 0
  }))

export const parquetInfo = async (file: string): Promise<ParquetInfo> => {
  const source = await openSource(file)
  try {
    const metadata = await readMetadata(file, source)
    return {
      columns: topLevel(metadata).map((column) => column.name),
      rows: Number(metadata.num_rows),
      rowGroups: metadata.row_groups.length,
      rowGroupRows: metadata.row_groups.map((group) => Number(group.num_rows))
    }
  } finally {
    await source.handle.close()
  }
}

interface Field {
  /** The name asked for (trimmed), as rows carry it. */
  readonly name: string
  /** The name in the file's schema. */
  readonly stored: string
  readonly format: Format
}

/**
 * The requested columns, resolved against the schema. DECIMAL columns lose their annotation on
 * this metadata copy so hyparquet hands over the unscaled integers (it would make them floats,
 * 0.3 as 0.30000000000000004); they are written exactly here.
 */
const project = (file: string, metadata: FileMetaData, columns: ReadonlyArray<string>): Field[] => {
  const byName = new Map<string, ReturnType<typeof topLevel>[number]>()
  for (const column of topLevel(metadata)) if (!byName.has(column.name)) byName.set(column.name, column)
  const missing = columns.filter((name) => !byName.has(name.trim()))
  if (missing.length > 0) {
    throw new InputUnreadable(file, `no column ${missing.join(", ")} in this Parquet file`)
  }
  const fields: Field[] = []
  const seen = new Set<string>()
  for (const requested of columns) {
    const column = byName.get(requested.trim())!
    if (seen.has(column.name)) continue
    seen.add(column.name)
    if (column.nested) throw new InputUnreadable(file, `column ${column.name} is nested (a struct, list or map)`)
    const { element } = column
    let scale: number | undefined
    if (isDecimal(element)) {
      scale = element.scale ?? (element.logical_type?.type === "DECIMAL" ? element.logical_type.scale : 0)
      element.converted_type = undefined
      element.logical_type = undefined
    }
    fields.push({ name: column.name, stored: column.stored, format: formatOf(element, scale) })
  }
  return fields
}

/** Column chunks compressed with a codec this reader lacks are refused before any decoding. */
const checkCodecs = (file: string, metadata: FileMetaData, group: number, stored: ReadonlySet<string>) => {
  for (const chunk of metadata.row_groups[group]?.columns ?? []) {
    const meta = chunk.meta_data
    if (!meta || !stored.has(meta.path_in_schema[0] ?? "")) continue
    if (!READABLE_CODECS.has(meta.codec)) {
      throw new InputUnreadable(
        file,
        `column ${meta.path_in_schema.join(".")} is compressed with ${meta.codec}; readable codecs: ${[...READABLE_CODECS].join(", ")} (re-encode the file, e.g. with DuckDB COPY ... (FORMAT parquet, COMPRESSION zstd))`
      )
    }
  }
}

/** A column batch: `rows` values per requested column, in file order. */
export interface ParquetColumnBatch {
  /** Zero-based index of the batch's first row in the file (its CSV line would be `firstRow + 2`). */
  readonly firstRow: number
  readonly rows: number
  readonly columns: ReadonlyMap<string, ReadonlyArray<string | null>>
}

/**
 * Rows [start, end) of the file, already inside one row group, decoded column by column. Pages
 * are decoded whole, so pieces can start before `start` or end after `end`: only the overlap is kept.
 */
const readSlice = async (
  file: string,
  source: Source,
  metadata: FileMetaData,
  fields: ReadonlyArray<Field>,
  start: number,
  end: number
): Promise<ParquetColumnBatch> => {
  const pieces = new Map<string, ColumnData[]>(fields.map((field) => [field.stored, []]))
  try {
    await parquetRead({
      file: source.buffer,
      metadata,
      columns: fields.map((field) => field.stored),
      rowStart: start,
      rowEnd: end,
      compressors,
      parsers,
      useOffsetIndex: true,
      onChunk: (chunk) => pieces.get(chunk.columnName)?.push(chunk)
    })
  } catch (error) {
    throw new InputUnreadable(file, `rows ${start + 1}-${end}: ${reason(error)}`)
  }
  const count = end - start
  const columns = new Map<string, Array<string | null>>()
  for (const field of fields) {
    const [only, ...more] = pieces.get(field.stored) ?? []
    if (only && more.length === 0 && only.rowStart === start && only.rowEnd === end && Array.isArray(only.columnData)) {
      // The usual case (the whole row group, decoded into one fresh array): converted in place.
      const data: unknown[] = only.columnData
      const { format } = field
      for (let i = 0; i < count; i++) data[i] = format(data[i])
      columns.set(field.name, data as Array<string | null>)
      continue
    }
    const values = new Array<string | null>(count)
    let filled = 0
    for (const piece of pieces.get(field.stored) ?? []) {
      const from = Math.max(piece.rowStart, start)
      const to = Math.min(piece.rowEnd, end)
      const data = piece.columnData
      const { format } = field
      for (let row = from; row < to; row++) values[row - start] = format(data[row - piece.rowStart])
      filled += Math.max(0, to - from)
    }
    if (filled !== count) {
      throw new InputUnreadable(file, `column ${field.name} has ${filled} values for rows ${start + 1}-${end}`)
    }
    columns.set(field.name, values)
  }
  return { firstRow: start, rows: count, columns }
}

/**
 * Streams the requested columns as text, in file order, one row group at a time (a group over
 * `maxBatchRows` rows comes in equal slices). Unknown columns are refused, naming them; a name
 * asked twice comes once; no columns, no batches.
 */
export async function* parquetColumnBatches(
  file: string,
  columns: ReadonlyArray<string>,
  options: ParquetReadOptions = {}
): AsyncGenerator<ParquetColumnBatch> {
  const maxRows = Math.max(1, Math.floor(options.maxBatchRows ?? MAX_BATCH_ROWS))
  const collectEvery = options.collectEveryValues ?? COLLECT_EVERY_VALUES
  let decoded = 0
  const source = await openSource(file)
  try {
    const metadata = await readMetadata(file, source)
    const fields = project(file, metadata, columns)
    if (fields.length === 0) return
    const stored = new Set(fields.map((field) => field.stored))
    let groupStart = 0
    for (let group = 0; group < metadata.row_groups.length; group++) {
      const groupRows = Number(metadata.row_groups[group]!.num_rows)
      checkCodecs(file, metadata, group, stored)
      source.cache.clear()
      const size = Math.ceil(groupRows / Math.ceil(groupRows / maxRows))
      for (let start = 0; start < groupRows; start += size) {
        const end = Math.min(groupRows, start + size)
        const batch = await readSlice(file, source, metadata, fields, groupStart + start, groupStart + end)
        yield batch
        // The caller is done with the batch: what it did not keep is garbage now.
        decoded += batch.rows * fields.length
        if (collectEvery > 0 && decoded >= collectEvery) {
          decoded = 0
          Bun.gc(true)
        }
      }
      groupStart += groupRows
    }
  } finally {
    source.cache.clear()
    await source.handle.close()
  }
}

/**
 * Streams rows as `{ column: text | null }` objects (only `columns`, in file order), in batches of
 * one row group or an equal slice of it. Values read as the CSV stock writes them.
 */
export async function* parquetRowBatches(
  file: string,
  columns: ReadonlyArray<string>,
  options: ParquetReadOptions = {}
): AsyncGenerator<Array<Record<string, string | null>>> {
  for await (const batch of parquetColumnBatches(file, columns, options)) {
    const names = [...batch.columns.keys()]
    const values = [...batch.columns.values()]
    const rows = new Array<Record<string, string | null>>(batch.rows)
    for (let i = 0; i < batch.rows; i++) {
      const row: Record<string, string | null> = {}
      for (let c = 0; c < names.length; c++) row[names[c]!] = values[c]![i] as string | null
      rows[i] = row
    }
    yield rows
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Byte-level tests on Parquet rows

/**
 * Lays a row's values out like a split CSV line — bytes plus field bounds at the header's column
 * indexes — so the collector's byte-level tests (CompiledFilter.keep, fieldEquals, ...) apply to
 * Parquet rows unchanged. Null is the empty field. The returned buffers are reused by the next call.
 */
export const rowAsLine = (
  header: { readonly columns: ReadonlyMap<string, number>; readonly count: number },
  names: ReadonlyArray<string>
) => {
  const targets = names.flatMap((name) => {
    const index = header.columns.get(name)
    return index === undefined ? [] : [[name, index] as const]
  })
  const bounds = new Int32Array((header.count + 1) * 2)
  const encoder = new TextEncoder()
  let bytes = new Uint8Array(4096)
  return (row: Readonly<Record<string, string | null | undefined>>): { bytes: Uint8Array; bounds: Int32Array } => {
    let at = 0
    for (const [name, index] of targets) {
      const text = row[name] ?? ""
      if (at + text.length * 3 > bytes.length) {
        const larger = new Uint8Array(Math.max(bytes.length * 2, at + text.length * 3))
        larger.set(bytes.subarray(0, at))
        bytes = larger
      }
      const from = at
      let ascii = true
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i)
        if (code >= 0x80) {
          ascii = false
          break
        }
        bytes[at + i] = code
      }
      at += ascii ? text.length : encoder.encodeInto(text, bytes.subarray(from)).written
      bounds[index * 2] = from
      bounds[index * 2 + 1] = at
    }
    return { bytes, bounds }
  }
}
