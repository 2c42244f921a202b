/**
 * Parquet stock files (StockEtablissement / StockUniteLegale as published in Parquet) read as the CSV stock's text, row
 * group by row group. Memory: at most one row group of the requested columns decoded (a slice of a large group decodes
 * only the pages it overlaps), plus that group's compressed chunks; never the whole file.
 */
import { type ColumnData, type FileMetaData, parquetRead } from "hyparquet"
import { InputUnreadable } from "./bytes.ts"
import {
  checkCodecs,
  compressors,
  type Field,
  openSource,
  project,
  readMetadata,
  reason,
  type Source
} from "./parquet-file.ts"
import { parsers } from "./parquet-values.ts"

export { type ParquetInfo, parquetInfo } from "./parquet-file.ts"
export { rowAsLine } from "./parquet-line.ts"

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
