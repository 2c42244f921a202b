/**
 * Seeded generator of synthetic SIRENE stock files (StockEtablissement + StockUniteLegale) in the
 * official 3.11 layout with the NAF 2025 columns last: 54 and 35 columns, UTF-8, comma-separated,
 * RFC 4180 quoting only where needed, `\n` line ends, sorted by siren / siret like the real files.
 *
 *   bun bench/sirene/generate.ts --establishments 1000000 --seed 42 --out DIR [--malformed-rate 0.001] [--workers N]
 *
 * Same seed and size give byte-identical files, whatever the number of worker threads. A small share
 * of rows is deliberately broken (stray quote, wrong column count, invalid UTF-8, invalid SIRET
 * checksum); each one is listed, with its 1-based line number (header = line 1), in the result and in
 * `<dir>/malformed.json`. Rows are built in chunks of CHUNK_ESTABLISHMENTS establishments and
 * streamed to disk in order; memory stays flat (a few chunks in flight) whatever the size.
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs"
import { writeFile } from "node:fs/promises"
import { availableParallelism } from "node:os"
import { join, resolve } from "node:path"
import {
  type ChunkResult,
  type ChunkSpec,
  csvLine,
  ETABLISSEMENT_FILE,
  ETABLISSEMENT_HEADER,
  type FocusOptions,
  generateChunk,
  MALFORMED_FILE,
  type MalformedRow,
  malformedJson,
  SIREN_BASE_FROM,
  SIREN_BASE_TO,
  UNITE_LEGALE_FILE,
  UNITE_LEGALE_HEADER
} from "./stock.ts"

export {
  ETABLISSEMENT_FILE,
  ETABLISSEMENT_HEADER,
  type FocusOptions,
  luhnDigit,
  luhnValid,
  MALFORMED_FILE,
  type MalformedKind,
  type MalformedRow,
  UNITE_LEGALE_FILE,
  UNITE_LEGALE_HEADER
} from "./stock.ts"

/** Establishments per chunk: part of the data definition (changing it changes the bytes). */
export const CHUNK_ESTABLISHMENTS = 100_000

export interface GenerateOptions {
  /** Number of establishment rows (the legal units follow, about 0.74 per establishment). */
  readonly establishments: number
  readonly seed: number
  /** Output directory, created when missing. */
  readonly dir: string
  /** Share of broken rows in each file, default 0.001. */
  readonly malformedRate?: number
  /** Over-represent some activities in some departments (the demo sample does). */
  readonly focus?: FocusOptions
  /**
   * Worker threads (at most one per chunk); 0 or 1 builds in this thread. Default: the available cores
   * but one, which the main thread uses to write (so a single thread on a two-core machine).
   */
  readonly workers?: number
}

export interface GenerateResult {
  readonly etabFile: string
  readonly ulFile: string
  readonly establishments: number
  readonly legalUnits: number
  readonly malformed: ReadonlyArray<MalformedRow>
}

/** The chunks of a run: sizes and SIREN ranges proportional to their share of the establishments. */
const planChunks = (
  total: number,
  seed: number,
  malformedRate: number,
  focus: FocusOptions | undefined
): Array<ChunkSpec> => {
  const count = Math.max(1, Math.ceil(total / CHUNK_ESTABLISHMENTS))
  const span = SIREN_BASE_TO - SIREN_BASE_FROM + 1
  const boundary = (establishments: number) =>
    SIREN_BASE_FROM + Math.floor((span * establishments) / Math.max(1, total))
  return Array.from({ length: count }, (_, index) => {
    const start = index * CHUNK_ESTABLISHMENTS
    const end = Math.min(total, start + CHUNK_ESTABLISHMENTS)
    return {
      index,
      seed,
      establishments: end - start,
      baseFrom: boundary(start),
      baseTo: index === count - 1 ? SIREN_BASE_TO : boundary(end) - 1,
      malformedRate,
      ...(focus !== undefined ? { focus } : {})
    }
  })
}

type WorkerReply = { ok: true; result: ChunkResult } | { ok: false; index: number; error: string }

/** Runs the chunks on `workers` threads and hands their results to `take` in chunk order, a few in flight. */
const runChunks = async (
  specs: ReadonlyArray<ChunkSpec>,
  workers: number,
  outputs: { readonly etab: (bytes: Uint8Array) => void; readonly ul: (bytes: Uint8Array) => void },
  take: (result: ChunkResult) => void
): Promise<void> => {
  if (workers <= 1 || specs.length <= 1) {
    // In this thread: bytes go straight to the files, one reused buffer per file.
    for (const spec of specs) take(await generateChunk(spec, outputs))
    return
  }
  const threads = Array.from({ length: workers }, () => new Worker(new URL("./worker.ts", import.meta.url).href))
  const done = new Map<number, ChunkResult>()
  const maxAhead = workers * 2
  let next = 0
  let written = 0
  try {
    await new Promise<void>((resolvePromise, reject) => {
      const feed = (thread: Worker) => {
        if (next < specs.length && next - written < maxAhead) thread.postMessage(specs[next++])
        else idle.push(thread)
      }
      const idle: Array<Worker> = []
      const drain = () => {
        for (let result = done.get(written); result !== undefined; result = done.get(written)) {
          done.delete(written)
          take(result)
          written++
        }
        while (idle.length > 0 && next < specs.length && next - written < maxAhead) feed(idle.shift()!)
        if (written === specs.length) resolvePromise()
      }
      for (const thread of threads) {
        thread.onmessage = (event: MessageEvent<WorkerReply>) => {
          const reply = event.data
          if (!reply.ok) {
            reject(new Error(`chunk ${reply.index}: ${reply.error}`))
            return
          }
          done.set(reply.result.index, reply.result)
          feed(thread)
          try {
            drain()
          } catch (error) {
            reject(error)
          }
        }
        thread.onerror = (event) => reject(new Error(event.message))
        feed(thread)
      }
    })
  } finally {
    for (const thread of threads) thread.terminate()
  }
}

const writeAll = (fd: number, bytes: Uint8Array): void => {
  let from = 0
  while (from < bytes.length) from += writeSync(fd, bytes, from, bytes.length - from)
}

export const generateStock = async (options: GenerateOptions): Promise<GenerateResult> => {
  const total = Math.floor(options.establishments)
  if (!Number.isFinite(total) || total < 0) throw new Error("establishments must be a whole number >= 0")
  const malformedRate = options.malformedRate ?? 0.001
  if (!(malformedRate >= 0 && malformedRate <= 1)) throw new Error("malformedRate must be within 0-1")
  const dir = resolve(options.dir)
  mkdirSync(dir, { recursive: true })
  const etabFile = join(dir, ETABLISSEMENT_FILE)
  const ulFile = join(dir, UNITE_LEGALE_FILE)

  const specs = total === 0 ? [] : planChunks(total, options.seed, malformedRate, options.focus)
  const workers = Math.min(options.workers ?? Math.max(1, availableParallelism() - 1), specs.length)
  const etabFd = openSync(etabFile, "w")
  const ulFd = openSync(ulFile, "w")
  const malformed: Array<MalformedRow> = []
  const ulMalformed: Array<MalformedRow> = []
  let etabLines = 1
  let ulLines = 1
  try {
    writeAll(etabFd, csvLine(ETABLISSEMENT_HEADER))
    writeAll(ulFd, csvLine(UNITE_LEGALE_HEADER))
    const outputs = {
      etab: (bytes: Uint8Array) => writeAll(etabFd, bytes),
      ul: (bytes: Uint8Array) => writeAll(ulFd, bytes)
    }
    await runChunks(specs, workers, outputs, (result) => {
      for (const bytes of result.etab) outputs.etab(bytes)
      for (const bytes of result.ul) outputs.ul(bytes)
      for (const row of result.malformed) {
        if (row.file === ETABLISSEMENT_FILE)
          malformed.push({ file: row.file, line: etabLines + row.row, kind: row.kind })
        else ulMalformed.push({ file: row.file, line: ulLines + row.row, kind: row.kind })
      }
      etabLines += result.etabRows
      ulLines += result.ulRows
    })
  } finally {
    closeSync(etabFd)
    closeSync(ulFd)
  }
  malformed.push(...ulMalformed)
  await writeFile(join(dir, MALFORMED_FILE), malformedJson(malformed))
  return { etabFile, ulFile, establishments: etabLines - 1, legalUnits: ulLines - 1, malformed }
}

// ---------------------------------------------------------------------------------------------------------------------
// CLI

const argValue = (args: ReadonlyArray<string>, name: string): string | undefined => {
  const index = args.indexOf(`--${name}`)
  if (index >= 0) return args[index + 1]
  const inline = args.find((arg) => arg.startsWith(`--${name}=`))
  return inline?.slice(name.length + 3)
}

if (import.meta.main) {
  const args = process.argv.slice(2)
  const establishments = Number(argValue(args, "establishments") ?? 1_000_000)
  const seed = Number(argValue(args, "seed") ?? 42)
  const dir = argValue(args, "out") ?? "./out/sirene-bench"
  const rate = argValue(args, "malformed-rate")
  const workers = argValue(args, "workers")
  const started = performance.now()
  const result = await generateStock({
    establishments,
    seed,
    dir,
    ...(rate !== undefined ? { malformedRate: Number(rate) } : {}),
    ...(workers !== undefined ? { workers: Number(workers) } : {})
  })
  const seconds = (performance.now() - started) / 1000
  const etabBytes = Bun.file(result.etabFile).size
  const ulBytes = Bun.file(result.ulFile).size
  console.log(
    JSON.stringify(
      {
        etabFile: result.etabFile,
        ulFile: result.ulFile,
        establishments: result.establishments,
        legalUnits: result.legalUnits,
        malformed: result.malformed.length,
        seconds: Math.round(seconds * 1000) / 1000,
        establishmentsPerSecond: Math.round(result.establishments / seconds),
        rowsPerSecond: Math.round((result.establishments + result.legalUnits) / seconds),
        etabBytes,
        ulBytes
      },
      null,
      2
    )
  )
}
