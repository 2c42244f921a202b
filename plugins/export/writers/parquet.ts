/**
 * Parquet dataset files, written with parquet-wasm (Rust `parquet` crate compiled to WebAssembly) from
 * Arrow record batches built here, 2,048 rows at a time inside each row group (decision 023). The
 * encoding runs on a worker thread (`encoder/`): this thread builds the next batch while the worker
 * encodes, so a write costs this thread about the row building only (decision 017). parquet-wasm is loaded by the worker, not here.
 *
 * Loading under Bun: the package's "." export has a `node` condition, which Bun honours, pointing at
 * `node/parquet_wasm.js`: a CommonJS build that reads and instantiates its .wasm synchronously on import,
 * so no `initSync()` / `await init()` call is needed (those exist only in the `esm` and `bundler` builds).
 * We import `parquet-wasm/node` explicitly so that TypeScript (moduleResolution "bundler", which does not
 * apply the `node` condition) sees the same build's types as Bun runs.
 */
import { mkdir, rename, rm } from "node:fs/promises"
import { dirname } from "node:path"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { syncDirectory, tempPathFor, writeAtomic } from "../../../core/AtomicFile.ts"
import { memoryBudgetMb, relieveMemory } from "../../../core/MemoryRelief.ts"
import { type ArrowColumn, RowGroupBuilder } from "./arrow-columns.ts"
import { footerRows, openEncodeJob } from "./encoder/ParquetEncoder.ts"

export { FIELD_TYPE_KEY, ParquetValueInvalid } from "./arrow-columns.ts"

export type ParquetColumn = ArrowColumn

export type Row = Readonly<Record<string, unknown>>
export type Rows = AsyncIterable<Row> | Iterable<Row>

export interface ParquetWriteOptions {
  /** Rows per row group, which bounds what waits for the encoder at once. @default defaultRowGroupRows() */
  readonly rowGroupRows?: number
  /** Rows per batch sent to the encoder inside a row group; the file's bytes do not depend on it (tested). @default SEND_ROWS */
  readonly sendRows?: number
}

export interface ParquetWritten {
  readonly bytes: number
  readonly sha256: string
  readonly rows: number
}

/** The written file does not hold what was sent to the writer (see `parquetChunks`). */
export class ParquetWriteIncomplete extends Data.TaggedError("ParquetWriteIncomplete")<{
  readonly path: string
  readonly expectedRows: number
  readonly writtenRows: number
}> {
  override get message() {
    return `${this.path}: wrote ${this.writtenRows} rows instead of ${this.expectedRows}`
  }
}

interface WriteState {
  rows: number
  error: unknown
  cancelled: boolean
}

type RowIterator = Iterator<Row> | AsyncIterator<Row>

const iteratorOf = (rows: Rows): RowIterator =>
  Symbol.iterator in rows ? rows[Symbol.iterator]() : rows[Symbol.asyncIterator]()

/** The rows' errors stop the file; this one only tells the encoder so. */
const STOPPED = new Error("the Parquet write stopped")

/**
 * Builds the row groups and sends them to the encoder in batches, about a row group ahead of it at
 * most. The rows' own errors (a value that does not fit, a failing source) are kept in `state`: they
 * are what the write fails with.
 */
const sendRowGroups = async (
  columns: ReadonlyArray<ParquetColumn>,
  rows: Rows,
  rowGroupRows: number,
  sendRows: number,
  state: WriteState,
  job: ReturnType<typeof openEncodeJob>
) => {
  let iterator: RowIterator | undefined
  let done = false
  try {
    const group = new RowGroupBuilder(columns)
    iterator = iteratorOf(rows)
    const sendBatch = async () => {
      await job.send(group.ipc())
      group.reset()
    }
    while (!done && !state.cancelled) {
      let groupRows = 0
      // A write stopped from outside (its file failed, the step was interrupted) reads no more rows.
      while (!done && !state.cancelled && groupRows < rowGroupRows) {
        let result = iterator.next()
        // Synchronous sources are read without an await per row.
        if (result instanceof Promise) result = await result
        if (result.done) done = true
        else {
          group.append(result.value, state.rows)
          state.rows++
          groupRows++
          // Part of the row group goes now: the encoder works on it while the rest is built (below).
          if (group.length === sendRows && groupRows < rowGroupRows) await sendBatch()
        }
      }
      if (state.cancelled) break
      // Input that ended on a group's edge: nothing left. An empty input still sends one empty batch,
      // since the writer takes the file's schema from the first one.
      if (groupRows === 0 && state.rows > 0) break
      if (group.length > 0 || state.rows === 0) await sendBatch()
      // The row group's garbage (the input rows, the IPC copies) is collected now: left to Bun's lazy
      // collector, RSS grows to several row groups' worth before it runs (measured: 565 vs 360 MB peak
      // for 50k-row groups of 20 string columns), at no cost in speed.
      Bun.gc(false)
      relieveMemory()
    }
    if (state.cancelled) await iterator.return?.()
    else job.end()
  } catch (error) {
    // Once the write was stopped from outside, what failed after is not the write's error.
    if (error !== STOPPED && !state.cancelled) state.error ??= error
    job.cancel(STOPPED)
    try {
      await iterator?.return?.()
    } catch {
      // The source's own cleanup failing changes nothing about why the write stopped.
    }
  }
}

/**
 * The Parquet bytes of `rows`, in the chunks the encoder sends back (one per row group, then the
 * footer), while the row groups are built and sent alongside. Errors of the rows themselves are
 * rethrown as raised, after the output ends and before the file is renamed into place.
 */
async function* parquetChunks(
  columns: ReadonlyArray<ParquetColumn>,
  rows: Rows,
  rowGroupRows: number,
  sendRows: number,
  state: WriteState
): AsyncGenerator<Uint8Array> {
  // A row group's worth of batches may wait for the encoder, as a whole row group did when sent at once:
  // the first encode of a process waits for the worker's start, and the rows go on being built meanwhile.
  const job = openEncodeJob(rowGroupRows, Math.max(1, Math.ceil(rowGroupRows / sendRows)))
  const sending = sendRowGroups(columns, rows, rowGroupRows, sendRows, state, job).catch((error: unknown) => {
    state.error ??= error
    job.cancel(STOPPED)
  })
  try {
    for await (const chunk of job.chunks) yield chunk
  } catch (error) {
    if (error !== STOPPED) state.error ??= error
  } finally {
    // When the consumer stops early, stop reading rows too.
    state.cancelled = true
    job.cancel(STOPPED)
    await sending
  }
  if (state.error !== undefined) throw state.error
}

/**
 * Writes `rows` to a Parquet file at `path`, streaming one row group at a time, and returns its size,
 * sha256 and row count. The file is written beside `path` (temporary name, fsync), its footer's row count
 * checked, then renamed into place: a reader never sees a partial or short file.
 *
 * Column types: string -> Utf8, integer -> Int64, number -> Float64, boolean -> Bool, date ("YYYY-MM-DD")
 * -> Date32, datetime (ISO 8601) -> Timestamp(ms, UTC), string[] -> List<Utf8>, object/object[] -> Utf8
 * (JSON). Every column is nullable. A value that does not fit fails the write with ParquetValueInvalid.
 */
/** Rows per row group: small enough that a group of wide string rows stays within tens of MB. */
export const DEFAULT_ROW_GROUP_ROWS = 16_384

/**
 * Rows per row group when the run has a RAM budget (decision 022). A group is held three times while
 * it is written (built here, copied as IPC, decoded into parquet-wasm's memory, which never shrinks):
 * at 5M input rows, 4,096-row groups take 20-35 MB off the peak, and a 200 MiB budget, which stopped
 * every run with 16,384-row groups, usually lets it finish. Files are about 10% larger, four times
 * the groups.
 */
export const BUDGET_ROW_GROUP_ROWS = 4_096

/**
 * Rows per batch sent to the encoder inside a row group (decision 023). parquet-rs adds each batch to
 * the open row group, so the file's bytes are the same as with one batch per group (checked by the
 * writer's tests); the encoder encodes while this thread builds the rest, instead of after the group's
 * last row. A process's first encode runs while WebAssembly tiers up (120-190 ms for 8.5k rows,
 * 7-9 ms once warm): in batches it overlaps the step's own work.
 */
export const SEND_ROWS = 2_048

/** The row-group size of a write that does not ask for one: smaller when the run has a RAM budget. */
export const defaultRowGroupRows = (): number =>
  memoryBudgetMb() === undefined ? DEFAULT_ROW_GROUP_ROWS : BUDGET_ROW_GROUP_ROWS

export const writeParquet = async (
  path: string,
  columns: ReadonlyArray<ParquetColumn>,
  rows: Rows,
  options?: ParquetWriteOptions
): Promise<ParquetWritten> => {
  const rowGroupRows = options?.rowGroupRows ?? defaultRowGroupRows()
  if (!Number.isInteger(rowGroupRows) || rowGroupRows < 1) throw new RangeError("rowGroupRows must be >= 1")
  const sendRows = options?.sendRows ?? SEND_ROWS
  if (!Number.isInteger(sendRows) || sendRows < 1) throw new RangeError("sendRows must be >= 1")
  await mkdir(dirname(path), { recursive: true })
  const staging = tempPathFor(path)
  const state: WriteState = { rows: 0, error: undefined, cancelled: false }
  try {
    const written = await Effect.runPromise(
      Effect.either(writeAtomic(staging, parquetChunks(columns, rows, rowGroupRows, sendRows, state)))
    )
    // Errors of the rows themselves (a bad value, a failing source) are rethrown as they were raised.
    if (Either.isLeft(written)) throw state.error !== undefined ? state.error : written.left
    const writtenRows = await footerRows(staging)
    if (writtenRows !== state.rows) throw new ParquetWriteIncomplete({ path, expectedRows: state.rows, writtenRows })
    await rename(staging, path)
    await syncDirectory(dirname(path))
    return { bytes: written.right.bytes, sha256: written.right.sha256, rows: state.rows }
  } finally {
    await rm(staging, { force: true })
  }
}

/**
 * Reads a whole Parquet file into plain rows, for tests and checks (not for large files); loaded on
 * first use, so a run that only writes keeps parquet-wasm off this thread. See `read-parquet.ts`.
 */
export const readParquet = async (path: string): Promise<Array<Record<string, unknown>>> =>
  (await import("./read-parquet.ts")).readParquet(path)
