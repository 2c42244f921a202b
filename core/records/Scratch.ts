/** The temp files and open handles of one `writeRecords`, and their cleanup on success, failure or interruption. */
import { type FileHandle, open, rm } from "node:fs/promises"
import { basename, join } from "node:path"
import * as Effect from "effect/Effect"
import { FileWriteFailed, TEMP_MARKER } from "../AtomicFile.ts"
import { LineReader } from "./LineReader.ts"

/** Temp files and handles of one write. Cleanup waits for the disk work in flight, so nothing reappears after it. */
export class Scratch {
  private aborted = false
  private readonly paths = new Set<string>()
  private readonly handles = new Set<FileHandle>()
  private inflight: Promise<unknown> = Promise.resolve()
  private runs = 0
  private readonly tag = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`

  constructor(
    readonly target: string,
    readonly tmpDir: string
  ) {}

  io<A>(task: () => Promise<A>): Effect.Effect<A, FileWriteFailed> {
    return Effect.tryPromise({
      try: () => {
        const promise = task()
        this.inflight = promise.catch(() => undefined)
        return promise
      },
      catch: (cause) => new FileWriteFailed({ path: this.target, cause })
    })
  }

  runPath = () => join(this.tmpDir, `${basename(this.target)}${TEMP_MARKER}${this.tag}-run${this.runs++}`)

  check() {
    if (this.aborted) throw new Error("interrupted")
  }

  async create(path: string) {
    this.check()
    this.paths.add(path)
    return this.track(await open(path, "w"))
  }

  /** Opens a temp file for reading; its handle is closed by cleanup if still open. */
  async openReader(path: string) {
    this.check()
    const reader = await LineReader.open(path)
    this.track(reader.handle)
    return reader
  }

  async close(handle: FileHandle) {
    this.handles.delete(handle)
    await handle.close()
  }

  async remove(path: string) {
    this.paths.delete(path)
    await rm(path, { force: true })
  }

  forget(path: string) {
    this.paths.delete(path)
  }

  readonly cleanup = Effect.promise(async () => {
    this.aborted = true
    await this.inflight
    await Promise.all([...this.handles].map((handle) => handle.close().catch(() => undefined)))
    await Promise.all([...this.paths].map((path) => rm(path, { force: true }).catch(() => undefined)))
  })

  private track(handle: FileHandle) {
    this.handles.add(handle)
    return handle
  }
}
