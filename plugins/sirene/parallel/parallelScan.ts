/**
 * Scans of a plain CSV stock file in two halves at once: this thread scans the first (it holds the
 * header), a worker the second, and the worker's rows are appended with their line numbers moved
 * past the first half's. The result is what the single-thread scan returns, in the same order.
 * Zips, Parquet, samples, company lists and small files take the single-thread scan.
 */
import type { Job } from "../../../core/Job.ts"
import { projectPath } from "../../../core/ProjectRoot.ts"
import { ESTABLISHMENT_COLUMNS, LEGAL_UNIT_COLUMNS } from "../columns.ts"
import type { ColumnIndex } from "../filters.ts"
import { type InputFormat, sizeOf, splitPoint } from "../input/bytes.ts"
import { type JoinedUnits, unitsPacked, unitsUnion } from "../joinedUnits.ts"
import { type KeptRows, keptConcat, keptPacked } from "../keptRows.ts"
import {
  decoderOf,
  type EstablishmentScan,
  type LegalUnitScan,
  type Reject,
  type ScanRange,
  type ScanStats,
  scanEstablishments,
  scanLegalUnits
} from "../scan.ts"
import type { ScanReply, ScanRequest } from "./protocol.ts"

/**
 * Below this size a second thread costs about what it saves: the worker's module loading and cold
 * JIT, then packing and posting (20-45 MB stock files scanned slower in two halves than in one).
 */
export const PARALLEL_THRESHOLD = 64 * 1024 * 1024

type ReplyTo<R extends ScanRequest> = Extract<ScanReply, { kind: R["kind"] }>

/** One worker thread for both phases; `close()` ends it (a failure ends it too). */
export interface ScanWorker {
  run<R extends ScanRequest>(request: R, transfer?: ArrayBuffer[]): Promise<ReplyTo<R>>
  close(): void
}

/**
 * The scan worker, spawned on its first request: a job whose files are all small, zipped or
 * Parquet never pays for the thread (20-40 MB). Its modules load while this thread scans its own
 * half. It only keeps the process alive while it has a request: a worker left open never holds the
 * process up.
 */
export const startScanWorker = (): ScanWorker => {
  let worker: Worker | undefined
  let pending: { readonly kind: string; resolve: (reply: ScanReply) => void; reject: (error: Error) => void } | null =
    null
  let failure: Error | null = null
  const fail = (error: Error) => {
    if (failure) return
    failure = error
    worker?.terminate()
    pending?.reject(error)
    pending = null
  }
  const spawn = () => {
    const created = new Worker(projectPath("plugins/sirene/parallel/scanWorker.ts"))
    created.onmessage = (event: MessageEvent<ScanReply>) => {
      const reply = event.data
      if (reply.kind === "failed") fail(new Error(reply.error))
      else if (pending?.kind !== reply.kind) fail(new Error(`the scan worker answered ${reply.kind} unasked`))
      else {
        created.unref()
        pending.resolve(reply)
        pending = null
      }
    }
    created.onerror = (event) => fail(new Error(`the scan worker failed: ${event.message}`))
    created.addEventListener("close", () => fail(new Error("the scan worker exited")))
    return created
  }
  return {
    run: <R extends ScanRequest>(request: R, transfer: ArrayBuffer[] = []) =>
      new Promise<ReplyTo<R>>((resolve, reject) => {
        if (failure) return reject(failure)
        if (pending) return reject(new Error("the scan worker is busy: one request at a time"))
        pending = { kind: request.kind, resolve: resolve as (reply: ScanReply) => void, reject }
        worker ??= spawn()
        worker.ref()
        worker.postMessage(request, transfer)
      }),
    close: () => fail(new Error("the scan worker was closed"))
  }
}

/** The two halves to scan at once, or null when this thread does better alone. */
const halvesOf = async (
  file: string,
  format: InputFormat,
  threshold = PARALLEL_THRESHOLD
): Promise<readonly [ScanRange, ScanRange] | null> => {
  // A zip entry is one deflate stream, read from its start; Parquet has its own reader.
  if (format !== "csv") return null
  const size = await sizeOf(file)
  if (size < threshold) return null
  const middle = await splitPoint(file, size)
  return [
    { start: 0, end: middle, firstLineIsHeader: true },
    { start: middle, end: size, firstLineIsHeader: false }
  ]
}

/**
 * This thread's half alongside the worker's, already sent. A failure on either side ends the worker
 * and rejects; the worker's own failure arrives once this half is done (half a scan at most).
 */
const bothHalves = async <Local, Remote>(
  worker: ScanWorker,
  local: () => Promise<Local>,
  remote: Promise<Remote>
): Promise<readonly [Local, Remote]> => {
  // Handled by the await below, or moot once this thread's half has failed.
  remote.catch(() => undefined)
  try {
    return [await local(), await remote]
  } catch (error) {
    worker.close()
    throw error
  }
}

/** The whole file's stats from its halves', as the single-thread scan counts them. */
const addStats = (stats: ScanStats, first: ScanStats, second: ScanStats) => {
  stats.lines = first.lines + second.lines
  stats.bytes += first.bytes + second.bytes
}

/**
 * scanEstablishments, in two halves when it pays. `filters` and `columnIndex` are what `filter` was
 * compiled from: the worker compiles its own.
 */
export const scanEstablishmentsParallel = async (
  worker: ScanWorker,
  options: Omit<EstablishmentScan, "range"> & {
    readonly filters: Job["filters"]
    readonly columnIndex: ColumnIndex
    readonly parallelThreshold?: number
  }
): Promise<{ kept: KeptRows; rejects: Reject[] }> => {
  const { file, header } = options
  // A sample stops at its first rows, and a company list's SIRETs are a set of strings to send.
  const halves =
    options.sirets || options.limit !== undefined
      ? null
      : await halvesOf(file, options.format, options.parallelThreshold)
  if (!halves) return scanEstablishments(options)
  const stats = { lines: 0, bytes: 0 }
  const filter = options.filter && { filters: options.filters, columnIndex: options.columnIndex }
  const [result, reply] = await bothHalves(
    worker,
    () => scanEstablishments({ ...options, range: halves[0], stats }),
    worker.run({ kind: "establishments", file, header, range: halves[1], filter })
  )
  // The second half's line 1 follows the first half's lines, header included.
  const offset = stats.lines + 1
  const second = keptPacked(reply.kept, file, decoderOf(header, ESTABLISHMENT_COLUMNS), offset)
  for (const reject of reply.rejects) result.rejects.push({ ...reject, line: reject.line + offset })
  addStats(options.stats, stats, reply.stats)
  return { kept: keptConcat([result.kept, second]), rejects: result.rejects }
}

/** scanLegalUnits, in two halves when it pays. */
export const scanLegalUnitsParallel = async (
  worker: ScanWorker,
  options: Omit<LegalUnitScan, "range"> & { readonly parallelThreshold?: number }
): Promise<{ units: JoinedUnits; rejects: Map<string, Reject> }> => {
  const { file, header, sirens } = options
  const halves = await halvesOf(file, options.format, options.parallelThreshold)
  if (!halves) return scanLegalUnits(options)
  const numeric: number[] = []
  const otherSirens: string[] = []
  for (const siren of sirens) {
    if (/^\d{9}$/.test(siren)) numeric.push(Number(siren))
    else otherSirens.push(siren)
  }
  const numericSirens = Int32Array.from(numeric)
  const stats = { lines: 0, bytes: 0 }
  const [result, reply] = await bothHalves(
    worker,
    () => scanLegalUnits({ ...options, range: halves[0], stats }),
    worker.run({ kind: "legal_units", file, header, range: halves[1], numericSirens, otherSirens }, [
      numericSirens.buffer
    ])
  )
  const offset = stats.lines + 1
  // The second half answers first, as a Map filled in file order would: a SIREN found twice keeps its last line.
  const second = unitsPacked(reply.units, decoderOf(header, LEGAL_UNIT_COLUMNS))
  for (const [siren, reject] of reply.rejects) result.rejects.set(siren, { ...reject, line: reject.line + offset })
  addStats(options.stats, stats, reply.stats)
  return { units: unitsUnion([result.units, second]), rejects: result.rejects }
}
