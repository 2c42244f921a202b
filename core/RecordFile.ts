/**
 * Record files: the key-sorted JSON-lines files in which the runner materializes each step's output, and the
 * merge-join that feeds a step with several parents. Everything moves in bounded chunks, so memory stays flat.
 */
import { mkdir, rename } from "node:fs/promises"
import { dirname } from "node:path"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { type FileWriteFailed, syncDirectory, tempPathFor, writeAtomic } from "./AtomicFile.ts"
import { relieveMemory } from "./MemoryRelief.ts"
import { RECORD_KEY, type Rec } from "./Record.ts"
import { mergeRuns, openRun, reduceRuns } from "./records/ExternalSort.ts"
import { type RecordFileError, readFailure } from "./records/Format.ts"
import { Ingest } from "./records/Ingest.ts"
import { joinNext, openJoin } from "./records/MergeJoin.ts"
import { RecordReader } from "./records/RecordReader.ts"
import { Scratch } from "./records/Scratch.ts"

export { RecordFileError } from "./records/Format.ts"

export interface RecordFileContract {
  readonly rows: number
  readonly bytes: number
  readonly sha256: string
  /** Sorted union of the field names seen. */
  readonly fields: ReadonlyArray<string>
}

export interface WriteOptions {
  /** Field the file is sorted by. @default RECORD_KEY */
  readonly key?: string
  /** Rows held in memory per sort run when the input is not sorted. @default 50_000 */
  readonly chunkRows?: number
  /** Where sort runs are spilled. @default dirname(path) */
  readonly tmpDir?: string
}

/** A stream over a resource opened once and pulled one batch at a time until it answers undefined. */
const pullStream = <S extends { readonly close: () => Promise<unknown> }, A>(
  path: string,
  acquire: () => Promise<S>,
  pull: (source: S) => Promise<Array<A> | undefined>
): Stream.Stream<A, RecordFileError> =>
  Stream.unwrapScoped(
    Effect.acquireRelease(Effect.tryPromise({ try: acquire, catch: readFailure(path) }), (source) =>
      Effect.promise(() => source.close())
    ).pipe(
      Effect.map((source) =>
        Stream.repeatEffectChunkOption(
          Effect.tryPromise({ try: () => pull(source), catch: readFailure(path) }).pipe(
            Effect.mapError(Option.some),
            Effect.flatMap((batch) =>
              batch === undefined ? Effect.fail(Option.none()) : Effect.succeed(Chunk.unsafeFromArray(batch))
            )
          )
        )
      )
    )
  )

const parsedBatch = async (reader: RecordReader): Promise<Array<Rec> | undefined> => {
  // The previous batch's records are garbage by now, in bulk: parsing a record file makes the most.
  relieveMemory()
  return reader.next()
}

/** Streams the records of a record file, in bounded chunks. A line that is not a JSON object fails with BadJson. */
export const readRecords = (path: string): Stream.Stream<Rec, RecordFileError> =>
  pullStream(path, () => RecordReader.open(path), parsedBatch)

/**
 * Inner merge-join of key-sorted record files: a record is kept when its key is in every file, its fields merged
 * with later files overriding earlier ones. The i-th duplicate of a key in one file pairs with the i-th in the others.
 * Only the current key group of each file is held in memory; a file out of order fails with NotSorted.
 */
export const mergeRecords = (
  paths: ReadonlyArray<string>,
  options?: { readonly key?: string }
): Stream.Stream<Rec, RecordFileError> => {
  const [first] = paths
  if (first === undefined) return Stream.empty
  if (paths.length === 1) return readRecords(first)
  return pullStream(
    first,
    () => openJoin(paths, options?.key ?? RECORD_KEY),
    ({ sources }) => joinNext(sources)
  )
}

const contractOf = (ingest: Ingest, digest: { readonly bytes: number; readonly sha256: string }) => ({
  rows: ingest.rows,
  bytes: digest.bytes,
  sha256: digest.sha256,
  fields: [...ingest.fields].sort()
})

/**
 * Writes the stream as a key-sorted record file, atomically. A sorted stream (the usual case) is written straight
 * through; otherwise it is sorted externally: runs of `chunkRows` rows sorted in memory (stable), spilled to temp files
 * named with TEMP_MARKER, then k-way merged. Temp files are removed on success, failure and interruption.
 */
export const writeRecords = <E, R>(
  path: string,
  records: Stream.Stream<Rec, E, R>,
  options?: WriteOptions
): Effect.Effect<RecordFileContract, E | RecordFileError | FileWriteFailed, R> => {
  const field = options?.key ?? RECORD_KEY
  const chunkRows = Math.max(1, options?.chunkRows ?? 50_000)
  return Effect.acquireUseRelease(
    Effect.sync(() => new Scratch(path, options?.tmpDir ?? dirname(path))),
    (scratch) =>
      Effect.gen(function* () {
        // The head lives beside the target (not in tmpDir) so that, sorted, it can be renamed into place.
        const headPath = tempPathFor(path)
        const handle = yield* scratch.io(async () => {
          await Promise.all([mkdir(dirname(path), { recursive: true }), mkdir(scratch.tmpDir, { recursive: true })])
          return scratch.create(headPath)
        })
        const ingest = new Ingest(scratch, { path: headPath, handle }, field, chunkRows)
        yield* Stream.runForEachChunk(records, (chunk) => {
          const work = ingest.add(chunk)
          return work === undefined ? Effect.void : scratch.io(work)
        })
        if (ingest.sorted) {
          const digest = yield* scratch.io(() => ingest.sealHead())
          yield* Effect.uninterruptible(
            scratch.io(async () => {
              await rename(headPath, path)
              scratch.forget(headPath)
              await syncDirectory(dirname(path))
            })
          )
          return contractOf(ingest, digest)
        }
        yield* scratch.io(() => ingest.spill(true))
        const runs = yield* reduceRuns(scratch, ingest.runs, field)
        const sources = yield* scratch.io(() => Promise.all(runs.map((run) => openRun(scratch, run))))
        return contractOf(ingest, yield* writeAtomic(path, mergeRuns(sources, field, false)))
      }),
    (scratch) => scratch.cleanup
  )
}
