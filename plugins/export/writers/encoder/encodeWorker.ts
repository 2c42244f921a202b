/**
 * The Parquet encoder worker: parquet-wasm (the Rust `parquet` crate in WebAssembly) turns the row
 * groups it is sent, as Arrow IPC, into file bytes, which it posts back. It runs on its own thread so
 * that encoding, most of a Parquet write's time, overlaps the main thread building the next row group
 * (and, in a step, reading and writing records). parquet-wasm and its WebAssembly memory live here
 * only. Writer settings are fixed (see `writerProperties`), so equal rows give equal bytes.
 */
import {
  Compression,
  EnabledStatistics,
  ParquetFile,
  transformParquetStream,
  type RecordBatch as WasmRecordBatch,
  Table as WasmTable,
  WriterPropertiesBuilder,
  WriterVersion
} from "parquet-wasm/node"
import { type EncoderReply, type EncoderRequest, messageOf, transferable } from "./protocol.ts"

declare const self: Worker

/**
 * Parsable as `<application> version <version> (build <build>)`, the form parquet-mr expects before it
 * trusts binary column statistics; fixed, so files do not change with the library's version string.
 */
const CREATED_BY = "filon version 1 (build parquet-wasm)"

/**
 * ZSTD (built into parquet-wasm's default build) at the crate's default level, format v1 data pages
 * (read by every engine), dictionary encoding and page statistics as parquet-rs does by default, and a
 * fixed `created_by`. parquet-rs writes no clock time. (Measured on 44k dataset rows: SNAPPY, LZ4_RAW or
 * no compression encode no faster; the time is in the encoding, not the codec.)
 */
const writerProperties = (rowGroupRows: number) =>
  new WriterPropertiesBuilder()
    .setCompression(Compression.ZSTD)
    .setWriterVersion(WriterVersion.V1)
    .setDictionaryEnabled(true)
    .setStatisticsEnabled(EnabledStatistics.Page)
    .setMaxRowGroupSize(rowGroupRows)
    .setCreatedBy(CREATED_BY)
    .build()

const post = (reply: EncoderReply, transfer: ArrayBuffer[] = []) => self.postMessage(reply, transfer)

/** One file being written: row groups wait in `queue` until the writer pulls them. */
interface Job {
  readonly queue: Array<ArrayBuffer | null>
  waiting: ((ipc: ArrayBuffer | null) => void) | null
  cancelled: boolean
  /** A row group that could not be decoded: parquet-wasm drops errors of batches after the first. */
  failure: string | null
}

const jobs = new Map<number, Job>()

/** The next row group, or null once the job has ended (or was cancelled). */
const nextIpc = (job: Job): Promise<ArrayBuffer | null> =>
  job.queue.length > 0
    ? Promise.resolve(job.queue.shift()!)
    : new Promise((resolve) => {
        job.waiting = resolve
      })

const deliver = (job: Job, ipc: ArrayBuffer | null) => {
  const waiting = job.waiting
  if (waiting) {
    job.waiting = null
    waiting(ipc)
  } else job.queue.push(ipc)
}

const batches = (id: number, job: Job): ReadableStream<WasmRecordBatch> =>
  new ReadableStream<WasmRecordBatch>(
    {
      pull: async (controller) => {
        const ipc = await nextIpc(job)
        if (ipc === null || job.cancelled) return controller.close()
        post({ kind: "taken", job: id })
        let table: WasmTable | undefined
        try {
          table = WasmTable.fromIPCStream(new Uint8Array(ipc))
          controller.enqueue(table.recordBatch(0)!)
        } catch (error) {
          job.failure = messageOf(error)
          controller.error(error)
        } finally {
          table?.free()
        }
      }
    },
    // Zero: a row group is decoded only when the writer asks for it.
    { highWaterMark: 0 }
  )

const encode = async (id: number, job: Job, rowGroupRows: number) => {
  try {
    const output = await transformParquetStream(batches(id, job), writerProperties(rowGroupRows))
    const reader = output.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (job.cancelled) {
        await reader.cancel().catch(() => undefined)
        break
      }
      const bytes = transferable(value)
      post({ kind: "chunk", job: id, bytes }, [bytes])
    }
    if (job.cancelled) return
    post(job.failure === null ? { kind: "done", job: id } : { kind: "failed", job: id, error: job.failure })
  } catch (error) {
    if (!job.cancelled) post({ kind: "failed", job: id, error: job.failure ?? messageOf(error) })
  } finally {
    jobs.delete(id)
  }
}

const footerRows = async (path: string): Promise<number> => {
  const file = await ParquetFile.fromFile(Bun.file(path))
  try {
    return file.metadata().fileMetadata().numRows()
  } finally {
    file.free()
  }
}

self.onmessage = (event: MessageEvent<EncoderRequest>) => {
  const request = event.data
  switch (request.kind) {
    case "open": {
      const job: Job = { queue: [], waiting: null, cancelled: false, failure: null }
      jobs.set(request.job, job)
      void encode(request.job, job, request.rowGroupRows)
      return
    }
    case "batch":
    case "end": {
      const job = jobs.get(request.job)
      if (job) deliver(job, request.kind === "batch" ? request.ipc : null)
      return
    }
    case "cancel": {
      const job = jobs.get(request.job)
      if (job) {
        job.cancelled = true
        deliver(job, null)
      }
      return
    }
    case "footer":
      footerRows(request.path).then(
        (rows) => post({ kind: "footer", job: request.job, rows }),
        (error) => post({ kind: "failed", job: request.job, error: messageOf(error) })
      )
  }
}
