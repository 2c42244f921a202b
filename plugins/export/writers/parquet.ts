/**
 * Parquet dataset files, written by Filon's own Parquet writer (`parquet/`, decision 027): rows are
 * converted and encoded column by column, a page at a time (dictionary or PLAIN values, RLE levels,
 * ZSTD), on this thread, with no WebAssembly and no worker. Files use format v1 data pages and the
 * standard three-level LIST, read back in the tests by DuckDB and by parquet-rs (parquet-wasm), and
 * carry the Arrow schema (`ARROW:schema`) with each column's declared FieldType.
 */
import { mkdir } from "node:fs/promises"
import { dirname } from "node:path"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { writeAtomic } from "../../../core/AtomicFile.ts"
import { memoryBudgetMb, relieveMemory } from "../../../core/MemoryRelief.ts"
import type { ParquetColumn as Column } from "./parquet/arrowSchema.ts"
import { ParquetFileWriter } from "./parquet/ParquetFileWriter.ts"

export { FIELD_TYPE_KEY, ParquetValueInvalid } from "./parquet/values.ts"

export type ParquetColumn = Column

export type Row = Readonly<Record<string, unknown>>
export type Rows = AsyncIterable<Row> | Iterable<Row>

export interface ParquetWriteOptions {
  /** Rows per row group. @default defaultRowGroupRows() */
  readonly rowGroupRows?: number
}

export interface ParquetWritten {
  readonly bytes: number
  readonly sha256: string
  readonly rows: number
}

interface WriteState {
  rows: number
  error: unknown
}

type RowIterator = Iterator<Row> | AsyncIterator<Row>

const iteratorOf = (rows: Rows): RowIterator =>
  Symbol.iterator in rows ? rows[Symbol.iterator]() : rows[Symbol.asyncIterator]()

/**
 * The file's bytes, a row group at a time, while the rows are read. Errors of the rows themselves (a
 * value that does not fit, a failing source) are kept in `state`: they are what the write fails with.
 */
async function* parquetBytes(
  columns: ReadonlyArray<ParquetColumn>,
  rows: Rows,
  rowGroupRows: number,
  state: WriteState
): AsyncGenerator<Uint8Array> {
  const writer = new ParquetFileWriter(columns)
  const iterator = iteratorOf(rows)
  let finished = false
  try {
    yield writer.start()
    for (;;) {
      let result = iterator.next()
      // Synchronous sources are read without an await per row.
      if (result instanceof Promise) result = await result
      if (result.done) break
      writer.append(result.value)
      if (writer.groupRows === rowGroupRows) {
        yield* writer.endRowGroup()
        relieveMemory()
      }
    }
    finished = true
    state.rows = writer.rows
    yield* writer.endRowGroup()
    yield writer.finish()
  } catch (error) {
    state.error ??= error
    throw error
  } finally {
    // A write stopped early (a bad value, the file failing, the step interrupted) reads no more rows.
    if (!finished) {
      try {
        await iterator.return?.()
      } catch {
        // The source's own cleanup failing changes nothing about why the write stopped.
      }
    }
  }
}

export const DEFAULT_ROW_GROUP_ROWS = 16_384

/**
 * Rows per row group when the run has a RAM budget (decision 022): a group's compressed pages are held
 * until it ends, so smaller groups hold less.
 */
export const BUDGET_ROW_GROUP_ROWS = 4_096

/** The row-group size of a write that does not ask for one: smaller when the run has a RAM budget. */
export const defaultRowGroupRows = (): number =>
  memoryBudgetMb() === undefined ? DEFAULT_ROW_GROUP_ROWS : BUDGET_ROW_GROUP_ROWS

/**
 * Writes `rows` to a Parquet file at `path`, streaming one row group at a time, and returns its size,
 * sha256 and row count. The file is written beside `path` (temporary name, fsync) and renamed into
 * place: a reader never sees a partial file.
 *
 * Column types: string -> Utf8, integer -> Int64, number -> Float64, boolean -> Bool, date ("YYYY-MM-DD")
 * -> Date32, datetime (ISO 8601) -> Timestamp(ms, UTC), string[] -> List<Utf8>, object/object[] -> Utf8
 * (JSON). Every column is nullable. A value that does not fit fails the write with ParquetValueInvalid.
 */
export const writeParquet = async (
  path: string,
  columns: ReadonlyArray<ParquetColumn>,
  rows: Rows,
  options?: ParquetWriteOptions
): Promise<ParquetWritten> => {
  const rowGroupRows = options?.rowGroupRows ?? defaultRowGroupRows()
  if (!Number.isInteger(rowGroupRows) || rowGroupRows < 1) throw new RangeError("rowGroupRows must be >= 1")
  await mkdir(dirname(path), { recursive: true })
  const state: WriteState = { rows: 0, error: undefined }
  const written = await Effect.runPromise(
    Effect.either(writeAtomic(path, parquetBytes(columns, rows, rowGroupRows, state)))
  )
  // Errors of the rows themselves (a bad value, a failing source) are rethrown as they were raised.
  if (Either.isLeft(written)) throw state.error !== undefined ? state.error : written.left
  return { bytes: written.right.bytes, sha256: written.right.sha256, rows: state.rows }
}

/**
 * Reads a whole Parquet file into plain rows, for tests and checks (not for large files), with
 * parquet-wasm; loaded on first use, so a run that only writes never loads WebAssembly. See `read-parquet.ts`.
 */
export const readParquet = async (path: string): Promise<Array<Record<string, unknown>>> =>
  (await import("./read-parquet.ts")).readParquet(path)
