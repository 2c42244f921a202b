/**
 * The main thread's side of the Parquet encoder worker (`encodeWorker.ts`). One worker per process,
 * spawned on the first Parquet write: runs that write none never pay for it (a thread, parquet-wasm's
 * code and WebAssembly memory: about 60 MB). It keeps the process alive only while a file is being
 * written, and a worker that fails or exits fails the files in progress; the next write starts a new one.
 *
 * A job sends batches of rows (parts of row groups, decision 023): `send` resolves while no more than
 * `maxWaiting` batches wait for the worker's writer, so this thread builds the next batch while the
 * worker encodes, and memory stays at about one row group in transit, whatever the file's size.
 */

import { projectPath } from "../../../../core/ProjectRoot.ts"
import { type EncoderReply, type EncoderRequest, transferable } from "./protocol.ts"

/** The worker failed, exited, or could not encode what it was sent. */
export class ParquetEncoderFailed extends Error {
  override readonly name = "ParquetEncoderFailed"
}

interface JobHandlers {
  readonly onReply: (reply: EncoderReply) => void
  readonly onFailure: (error: Error) => void
}

let worker: Worker | undefined
let nextJob = 1
const active = new Map<number, JobHandlers>()

const failAll = (error: Error) => {
  const failed = [...active.values()]
  active.clear()
  worker = undefined
  for (const handlers of failed) handlers.onFailure(error)
}

const spawn = (): Worker => {
  const created = new Worker(projectPath("plugins/export/writers/encoder/encodeWorker.ts"))
  created.onmessage = (event: MessageEvent<EncoderReply>) => active.get(event.data.job)?.onReply(event.data)
  created.onerror = (event) => {
    if (worker === created) failAll(new ParquetEncoderFailed(`the Parquet encoder failed: ${event.message}`))
    created.terminate()
  }
  created.addEventListener("close", () => {
    if (worker === created) failAll(new ParquetEncoderFailed("the Parquet encoder exited"))
  })
  return created
}

const request = (message: EncoderRequest, transfer: ArrayBuffer[] = []) => {
  worker ??= spawn()
  worker.postMessage(message, transfer)
}

const register = (job: number, handlers: JobHandlers) => {
  worker ??= spawn()
  if (active.size === 0) worker.ref()
  active.set(job, handlers)
}

const release = (job: number) => {
  if (!active.delete(job)) return
  if (active.size === 0) worker?.unref()
}

/**
 * Starts the worker ahead of the first write (a step's warm-up): its start, mostly compiling
 * parquet-wasm's 5 MB of WebAssembly (about 65 ms), then overlaps the run's earlier work instead of
 * delaying the first file. It does not keep the process alive; a worker already running is left as is.
 */
export const startEncoder = (): void => {
  if (worker) return
  worker = spawn()
  worker.unref()
}

/** Encoded bytes a job may hold unread before its sender waits. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024

export interface EncodeJob {
  /** Sends one batch (an Arrow IPC stream); resolves when the worker may be sent the next. */
  send(ipc: Uint8Array): Promise<void>
  /** No more batches. */
  end(): void
  /** Abandons the file: `chunks` ends with the given error, the worker drops what it holds. */
  cancel(reason: Error): void
  /** The file's bytes, in order; fails when encoding does. */
  readonly chunks: AsyncIterable<Uint8Array>
}

/**
 * Starts encoding a file whose row groups hold at most `rowGroupRows` rows. `maxWaiting` batches may
 * wait for the worker before `send` does: a row group's worth when it is sent in parts.
 */
export const openEncodeJob = (rowGroupRows: number, maxWaiting = 1): EncodeJob => {
  const job = nextJob++
  const chunks: Array<Uint8Array> = []
  /** Encoded bytes received and not yet read: the sender waits while they pile up (slow storage). */
  let buffered = 0
  let finished = false
  let failure: Error | undefined
  let wakeReader: (() => void) | undefined
  /** Batches sent and not yet taken by the worker's writer (at most `maxWaiting` are waited for). */
  let untaken = 0
  let wakeSender: (() => void) | undefined
  const wakeReading = () => {
    wakeReader?.()
    wakeReader = undefined
  }
  const wakeSending = () => {
    wakeSender?.()
    wakeSender = undefined
  }
  const settle = (error?: Error) => {
    if (finished) return
    finished = true
    failure = error
    release(job)
    wakeReading()
    wakeSending()
  }
  register(job, {
    onReply: (reply) => {
      switch (reply.kind) {
        case "taken":
          untaken--
          wakeSending()
          return
        case "chunk":
          chunks.push(new Uint8Array(reply.bytes))
          buffered += reply.bytes.byteLength
          wakeReading()
          return
        case "done":
          return settle()
        case "failed":
          return settle(new ParquetEncoderFailed(reply.error))
      }
    },
    onFailure: (error) => settle(error)
  })
  request({ kind: "open", job, rowGroupRows })

  return {
    send: async (ipc) => {
      if (finished) throw failure ?? new ParquetEncoderFailed("the Parquet file was already finished")
      const buffer = transferable(ipc)
      untaken++
      request({ kind: "batch", job, ipc: buffer }, [buffer])
      while ((untaken > maxWaiting || buffered > MAX_BUFFERED_BYTES) && !finished)
        await new Promise<void>((resolve) => {
          wakeSender = resolve
        })
      if (failure) throw failure
      if (finished) throw new ParquetEncoderFailed("the Parquet encoder finished the file before its last row group")
    },
    end: () => {
      if (!finished) request({ kind: "end", job })
    },
    cancel: (reason) => {
      if (finished) return
      request({ kind: "cancel", job })
      settle(reason)
    },
    chunks: {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const chunk = chunks.shift()
          if (chunk !== undefined) {
            buffered -= chunk.byteLength
            wakeSending()
            yield chunk
            continue
          }
          if (finished) break
          await new Promise<void>((resolve) => {
            wakeReader = resolve
          })
        }
        if (failure) throw failure
      }
    }
  }
}

/** The row count in the footer of the Parquet file at `path`, read by the worker's parquet-wasm. */
export const footerRows = (path: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const job = nextJob++
    register(job, {
      onReply: (reply) => {
        release(job)
        if (reply.kind === "footer") resolve(reply.rows)
        else reject(new ParquetEncoderFailed(reply.kind === "failed" ? reply.error : `unexpected ${reply.kind}`))
      },
      onFailure: reject
    })
    request({ kind: "footer", job, path })
  })
