/**
 * Crash-safe file writes: every output is written to a temporary name beside its target,
 * flushed to disk, then renamed into place, so a reader (or `resume`) never sees half a file.
 */
import { createHash } from "node:crypto"
import { mkdir, open, rename, rm, stat } from "node:fs/promises"
import { basename, dirname, join } from "node:path"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
export class FileWriteFailed extends Data.TaggedError("FileWriteFailed")<{
  readonly path: string
  readonly cause: unknown
}> {
  override get message() {
    return `could not write ${this.path}: ${String((this.cause as Error)?.message ?? this.cause)}`
  }
}

export interface FileDigest {
  readonly bytes: number
  readonly sha256: string
}

/** Marker in temporary names, so a resumed run can sweep what a killed writer left behind. */
export const TEMP_MARKER = ".filon-tmp-"

export const tempPathFor = (target: string) =>
  join(dirname(target), `${basename(target)}${TEMP_MARKER}${process.pid}-${Math.random().toString(36).slice(2, 8)}`)

export type Chunk = string | Uint8Array

/** Bytes gathered before a write system call. */
const WRITE_BATCH = 1 << 20

/**
 * Writes the chunks of `content` to `target` atomically and returns its size and sha256.
 * The temporary file is removed when writing fails or is interrupted.
 */
export const writeAtomic = (
  target: string,
  content: AsyncIterable<Chunk> | Iterable<Chunk>
): Effect.Effect<FileDigest, FileWriteFailed> =>
  Effect.acquireUseRelease(
    Effect.sync(() => ({ temp: tempPathFor(target), done: false, pending: undefined as Promise<unknown> | undefined })),
    (state) =>
      Effect.tryPromise({
        try: (signal) => {
          state.pending = write(target, state.temp, content, signal).then((digest) => {
            state.done = true
            return digest
          })
          return state.pending as Promise<FileDigest>
        },
        catch: (cause) => new FileWriteFailed({ path: target, cause })
      }),
    // An interrupted write is abandoned by Effect but keeps running until its next chunk: wait for
    // it to settle, so the temporary file is never removed under a rename still to come.
    (state) =>
      Effect.promise(async () => {
        await state.pending?.catch(() => undefined)
        if (!state.done) await rm(state.temp, { force: true })
      })
  )

const write = async (
  target: string,
  temp: string,
  content: AsyncIterable<Chunk> | Iterable<Chunk>,
  signal: AbortSignal
): Promise<FileDigest> => {
  await mkdir(dirname(target), { recursive: true })
  const hash = createHash("sha256")
  const handle = await open(temp, "w")
  let bytes = 0
  // Producers often yield one line at a time: small chunks are gathered into one write of up to
  // WRITE_BATCH bytes, since a system call per line cost more than the rest of a step.
  let batch: Uint8Array[] = []
  let batched = 0
  const flush = async () => {
    if (batched === 0) return
    const data = batch.length === 1 ? batch[0]! : Buffer.concat(batch, batched)
    batch = []
    batched = 0
    let offset = 0
    while (offset < data.byteLength) {
      const { bytesWritten } = await handle.write(data, offset, data.byteLength - offset)
      offset += bytesWritten
    }
  }
  try {
    for await (const chunk of content as AsyncIterable<Chunk>) {
      if (signal.aborted) throw new Error("interrupted")
      const fresh = typeof chunk === "string"
      const data = fresh ? Buffer.from(chunk, "utf8") : chunk
      if (data.byteLength === 0) continue
      hash.update(data)
      bytes += data.byteLength
      // A producer may reuse its buffer once the chunk is handed over: keep a copy when batching.
      batch.push(fresh || data.byteLength >= WRITE_BATCH ? data : data.slice())
      batched += data.byteLength
      if (batched >= WRITE_BATCH) await flush()
    }
    await flush()
    await handle.sync()
  } finally {
    await handle.close()
  }
  if (signal.aborted) throw new Error("interrupted")
  await rename(temp, target)
  await syncDirectory(dirname(target))
  return { bytes, sha256: hash.digest("hex") }
}

/** Writes a whole string or buffer atomically. */
export const writeFileAtomic = (target: string, content: Chunk) => writeAtomic(target, [content])

/** The rename is only durable once the directory entry itself is flushed. */
export const syncDirectory = async (dir: string) => {
  try {
    const handle = await open(dir, "r")
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic there.
  }
}

const DIGEST_READ_BYTES = 1 << 20

/** Size and sha256 of a file on disk, or undefined when it does not exist. */
export const digestFile = (path: string): Effect.Effect<FileDigest | undefined> =>
  Effect.promise(async () => {
    const info = await stat(path).catch(() => undefined)
    if (!info?.isFile()) return undefined
    // One buffer read into again and again: a stream's 64 KiB chunks took up to twice as long on a 140 MB crawl store.
    const hash = createHash("sha256")
    const handle = await open(path, "r")
    try {
      const buffer = Buffer.allocUnsafe(DIGEST_READ_BYTES)
      let bytes = 0
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null)
        if (bytesRead === 0) break
        hash.update(buffer.subarray(0, bytesRead))
        bytes += bytesRead
      }
      return { bytes, sha256: hash.digest("hex") }
    } finally {
      await handle.close()
    }
  })
