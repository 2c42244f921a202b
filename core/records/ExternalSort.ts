/**
 * The external sort behind `writeRecords`: sort runs built in memory and spilled, read back and k-way merged, in
 * groups of FAN_IN when there are more runs than one merge should hold open.
 */
import * as Effect from "effect/Effect"
import type { FileWriteFailed } from "../AtomicFile.ts"
import type { Rec } from "../Record.ts"
import { keyOf } from "./Format.ts"
import { BATCH_BYTES, LineBuffers, writeChunks } from "./LineBuffers.ts"
import type { LineReader } from "./LineReader.ts"
import type { Scratch } from "./Scratch.ts"

/** Sort runs merged at once; more runs are first merged in groups, so open files stay bounded. */
const FAN_IN = 64

/** A sorted run: the sorted prefix of the input holds plain record lines, spilled runs `key TAB record` lines. */
export interface Run {
  readonly path: string
  readonly keyed: boolean
}

/**
 * Keys are written raw unless that would be ambiguous or lossy (a lone surrogate has no UTF-8); then as JSON, which
 * starts with a quote and escapes every tab, newline and lone surrogate. Record lines never hold a raw tab either,
 * so the first tab ends the key.
 */
const encodeKey = (key: string) => (NEEDS_JSON.test(key) ? JSON.stringify(key) : key)
const NEEDS_JSON = /^"|[\t\n\ud800-\udfff]/

const decodeKey = (text: string): string => (text.charCodeAt(0) === 0x22 ? (JSON.parse(text) as string) : text)

class RunSource {
  key = ""
  line = ""
  private lines: Array<string> = []
  private pos = 0

  constructor(
    private readonly reader: LineReader,
    private readonly keyed: boolean
  ) {}

  /** Moves to the next record, false at the end; synchronous while the batch lasts. */
  next(field: string): boolean | Promise<boolean> {
    while (this.pos < this.lines.length) {
      const text = this.lines[this.pos++]!
      if (text === "") continue
      if (this.keyed) {
        const tab = text.indexOf("\t")
        this.key = decodeKey(text.slice(0, tab))
        this.line = text.slice(tab + 1)
      } else {
        this.key = keyOf(JSON.parse(text) as Rec, field)
        this.line = text
      }
      return true
    }
    return this.refill(field)
  }

  private async refill(field: string): Promise<boolean> {
    const lines = await this.reader.next()
    if (lines === undefined) return false
    this.lines = lines
    this.pos = 0
    return this.next(field)
  }
}

/** Opens a run to be merged; the scratch closes it if the write stops first. */
export const openRun = async (scratch: Scratch, run: Run) =>
  new RunSource(await scratch.openReader(run.path), run.keyed)

/** k-way merge of sorted runs; equal keys come out in run order, which keeps the sort stable. */
export async function* mergeRuns(
  sources: ReadonlyArray<RunSource>,
  field: string,
  keyed: boolean
): AsyncGenerator<Uint8Array> {
  const before = (a: number, b: number) => {
    const x = sources[a]!
    const y = sources[b]!
    return x.key < y.key || (x.key === y.key && a < b)
  }
  const heap: Array<number> = []
  const siftDown = (from: number) => {
    let i = from
    for (;;) {
      const left = 2 * i + 1
      let first = i
      if (left < heap.length && before(heap[left]!, heap[first]!)) first = left
      if (left + 1 < heap.length && before(heap[left + 1]!, heap[first]!)) first = left + 1
      if (first === i) return
      const top = heap[i]!
      heap[i] = heap[first]!
      heap[first] = top
      i = first
    }
  }
  for (let i = 0; i < sources.length; i++) if (await sources[i]!.next(field)) heap.push(i)
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(i)
  const out = new LineBuffers()
  while (heap.length > 0) {
    const source = sources[heap[0]!]!
    out.add(source.line, keyed ? encodeKey(source.key) : undefined)
    let more = source.next(field)
    if (more !== true && more !== false) more = await more
    if (!more) {
      const last = heap.pop()!
      if (heap.length > 0) heap[0] = last
    }
    siftDown(0)
    if (out.bytes >= BATCH_BYTES) yield* out.take()
  }
  yield* out.take()
}

/**
 * One sort run in memory: its `key TAB record` lines encoded back to back as they arrive, then copied out in key
 * order. Sorting strings scattered over the heap, then encoding them in that order, was three times slower.
 */
export class RunBuffer {
  private bytes = Buffer.allocUnsafe(64 * 1024)
  private used = 0
  private readonly starts: Array<number> = []
  private readonly keys: Array<string> = []

  get rows() {
    return this.keys.length
  }

  add(key: string, line: string) {
    const prefix = encodeKey(key)
    const room = 3 * (prefix.length + line.length) + 2
    if (room > this.bytes.byteLength - this.used) {
      const bigger = Buffer.allocUnsafe(Math.max(2 * this.bytes.byteLength, this.used + room))
      this.bytes.copy(bigger, 0, 0, this.used)
      this.bytes = bigger
    }
    this.starts.push(this.used)
    this.keys.push(key)
    this.used += this.bytes.write(prefix, this.used)
    this.bytes[this.used++] = 0x09
    this.used += this.bytes.write(line, this.used)
    this.bytes[this.used++] = 0x0a
  }

  /** The lines in key order, equal keys in arrival order, in chunks of about BATCH_BYTES. */
  *sorted(): Generator<Uint8Array> {
    const { bytes, starts } = this
    let out = Buffer.allocUnsafe(BATCH_BYTES)
    let used = 0
    for (const i of this.order()) {
      const start = starts[i]!
      const end = starts[i + 1] ?? this.used
      if (end - start > out.byteLength - used) {
        yield out.subarray(0, used)
        out = Buffer.allocUnsafe(Math.max(BATCH_BYTES, end - start))
        used = 0
      }
      used += bytes.copy(out, used, start, end)
    }
    yield out.subarray(0, used)
  }

  /**
   * Indices by (key, arrival). The native sort of `key NUL index` strings is twice as fast as a comparator; it orders
   * like (key, index) as long as no key holds a NUL, else the comparator is used.
   */
  private order(): Array<number> {
    const keys = this.keys
    if (keys.some((key) => key.includes("\u0000"))) {
      return keys.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : a - b))
    }
    // base + i: indices of one width, so they compare as numbers
    const base = 10 ** String(keys.length).length
    const width = String(base).length
    const tagged = keys.map((key, i) => `${key}\u0000${base + i}`).sort()
    return tagged.map((tag) => Number(tag.slice(tag.length - width)) - base)
  }
}

/** Merges groups of FAN_IN runs into single runs until one merge can take them all. */
export const reduceRuns = (
  scratch: Scratch,
  runs: ReadonlyArray<Run>,
  field: string
): Effect.Effect<Array<Run>, FileWriteFailed> =>
  Effect.gen(function* () {
    let current = [...runs]
    while (current.length > FAN_IN) {
      const next: Array<Run> = []
      for (let i = 0; i < current.length; i += FAN_IN) {
        const group = current.slice(i, i + FAN_IN)
        next.push(group.length === 1 ? group[0]! : yield* scratch.io(() => mergeToRun(scratch, group, field)))
      }
      current = next
    }
    return current
  })

const mergeToRun = async (scratch: Scratch, group: ReadonlyArray<Run>, field: string): Promise<Run> => {
  const sources = await Promise.all(group.map((run) => openRun(scratch, run)))
  const path = scratch.runPath()
  const handle = await scratch.create(path)
  for await (const data of mergeRuns(sources, field, true)) {
    scratch.check()
    await writeChunks(handle, [data])
  }
  await scratch.close(handle)
  await Promise.all(group.map((run) => scratch.remove(run.path)))
  return { path, keyed: true }
}
