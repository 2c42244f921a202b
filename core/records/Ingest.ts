/** The input side of `writeRecords`: records serialized chunk by chunk, into the head file or into sort runs. */
import { createHash } from "node:crypto"
import type { FileHandle } from "node:fs/promises"
import { relieveMemory } from "../MemoryRelief.ts"
import type { Rec } from "../Record.ts"
import { type Run, RunBuffer } from "./ExternalSort.ts"
import { keyOf } from "./Format.ts"
import { BATCH_BYTES, LineBuffers, writeChunks } from "./LineBuffers.ts"
import type { Scratch } from "./Scratch.ts"

/**
 * Takes the input chunk by chunk. While it stays sorted it goes straight to the head file beside the target,
 * which becomes the target; from the first record out of order on, the head is one run and the rest is sorted in runs.
 */
export class Ingest {
  rows = 0
  readonly fields = new Set<string>()
  readonly runs: Array<Run> = []
  sorted = true
  private last: string | undefined
  private readonly text = new LineBuffers()
  private bytes = 0
  private readonly hash = createHash("sha256")
  private current = new RunBuffer()
  private full: Array<RunBuffer> = []
  private headOpen = true

  constructor(
    private readonly scratch: Scratch,
    private readonly head: { readonly path: string; readonly handle: FileHandle },
    private readonly field: string,
    private readonly chunkRows: number
  ) {}

  /** Serializes a chunk in memory and says which disk work it calls for, if any. */
  add(records: Iterable<Rec>): (() => Promise<void>) | undefined {
    for (const record of records) {
      const key = keyOf(record, this.field)
      const line = JSON.stringify(record)
      for (const name in record) if (record[name] !== undefined) this.fields.add(name)
      this.rows++
      if (this.sorted && (this.last === undefined || key >= this.last)) {
        this.last = key
        this.text.add(line)
      } else {
        this.sorted = false
        this.current.add(key, line)
        if (this.current.rows >= this.chunkRows) {
          this.full.push(this.current)
          this.current = new RunBuffer()
        }
      }
    }
    if (this.sorted) return this.text.bytes >= BATCH_BYTES ? () => this.writeHead() : undefined
    return this.headOpen || this.full.length > 0 ? () => this.spill(false) : undefined
  }

  /** Flushes, syncs and closes the head, once it is known to be the whole file. */
  async sealHead() {
    await this.writeHead()
    await this.head.handle.sync()
    await this.scratch.close(this.head.handle)
    return { bytes: this.bytes, sha256: this.hash.digest("hex") }
  }

  async spill(final: boolean) {
    if (this.headOpen) {
      await this.writeHead()
      await this.scratch.close(this.head.handle)
      this.headOpen = false
      this.runs.push({ path: this.head.path, keyed: false })
    }
    if (final && this.current.rows > 0) {
      this.full.push(this.current)
      this.current = new RunBuffer()
    }
    const full = this.full
    this.full = []
    for (const run of full) await this.writeRun(run)
  }

  private async writeHead() {
    this.scratch.check()
    const chunks = this.text.take()
    for (const data of chunks) {
      this.hash.update(data)
      this.bytes += data.byteLength
    }
    await writeChunks(this.head.handle, chunks)
    // Each megabyte written left several of garbage (the records and their JSON text).
    relieveMemory()
  }

  private async writeRun(run: RunBuffer) {
    const path = this.scratch.runPath()
    const handle = await this.scratch.create(path)
    for (const data of run.sorted()) {
      this.scratch.check()
      await writeChunks(handle, [data])
    }
    await this.scratch.close(handle)
    this.runs.push({ path, keyed: true })
  }
}
