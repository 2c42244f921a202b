/**
 * Record files: the key-sorted JSON-lines files in which the runner materializes each step's output, and the
 * merge-join that feeds a step with several parents. Everything moves in bounded chunks, so memory stays flat.
 */
import { createHash } from "node:crypto"
import { type FileHandle, mkdir, open, rename, rm } from "node:fs/promises"
import { basename, dirname, join } from "node:path"
import { Chunk, Data, Effect, Option, Stream } from "effect"
import { FileWriteFailed, TEMP_MARKER, tempPathFor, writeAtomic } from "./AtomicFile.ts"
import { RECORD_KEY, type Rec } from "./Record.ts"

export class RecordFileError extends Data.TaggedError("RecordFileError")<{
  readonly path: string
  readonly line?: number
  readonly reason: "Unreadable" | "BadJson" | "NotSorted"
  readonly cause?: unknown
}> {
  override get message(): string {
    const where = this.line === undefined ? this.path : `${this.path}:${this.line}`
    const detail = this.cause === undefined ? "" : `: ${String((this.cause as Error)?.message ?? this.cause)}`
    if (this.reason === "NotSorted") return `record file ${where} is not sorted by key`
    return this.reason === "BadJson" ? `invalid JSON record at ${where}${detail}` : `cannot read ${where}${detail}`
  }
}

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

const READ_BYTES = 64 * 1024
/** Bytes gathered before a write: few syscalls, bounded memory. */
const BATCH_BYTES = 1024 * 1024
const EMIT_ROWS = 4096
/** Sort runs merged at once; more runs are first merged in groups, so open files stay bounded. */
const FAN_IN = 64

/** Records without a key sort first, as "". */
const keyOf = (record: Rec, key: string): string => {
  const value = record[key]
  return value === undefined || value === null ? "" : typeof value === "string" ? value : String(value)
}

const readFailure = (path: string) => (cause: unknown) =>
  cause instanceof RecordFileError ? cause : new RecordFileError({ path, reason: "Unreadable", cause })

const writeChunks = async (handle: FileHandle, chunks: ReadonlyArray<Uint8Array>) => {
  for (const data of chunks) {
    let offset = 0
    while (offset < data.byteLength) offset += (await handle.write(data, offset, data.byteLength - offset)).bytesWritten
  }
}

/**
 * Encodes lines straight into large buffers. `Buffer.from` on a long concatenated string is several times slower,
 * worst of all once a non-ASCII character makes it a two-byte string.
 */
class LineBuffers {
  private buffer = Buffer.allocUnsafe(0)
  private used = 0
  private done: Array<Uint8Array> = []
  private doneBytes = 0

  get bytes() {
    return this.doneBytes + this.used
  }

  /** Appends `prefix` TAB `text` (or just `text`) and a newline. */
  add(text: string, prefix?: string) {
    // A UTF-16 code unit never takes more than 3 bytes in UTF-8.
    const room = 3 * (text.length + (prefix === undefined ? 0 : prefix.length + 1)) + 1
    if (room > this.buffer.byteLength - this.used) {
      this.seal()
      this.buffer = Buffer.allocUnsafe(Math.max(BATCH_BYTES, room))
    }
    if (prefix !== undefined) {
      this.used += this.buffer.write(prefix, this.used)
      this.buffer[this.used++] = 0x09
    }
    this.used += this.buffer.write(text, this.used)
    this.buffer[this.used++] = 0x0a
  }

  /** Hands over everything added so far; the buffers are never written again. */
  take(): Array<Uint8Array> {
    this.seal()
    const done = this.done
    this.done = []
    this.doneBytes = 0
    return done
  }

  private seal() {
    if (this.used === 0) return
    this.done.push(this.buffer.subarray(0, this.used))
    this.doneBytes += this.used
    this.buffer = this.buffer.subarray(this.used)
    this.used = 0
  }
}

/** The rename is only durable once the directory entry itself is flushed. */
const syncDirectory = async (dir: string) => {
  const handle = await open(dir, "r").catch(() => undefined)
  // Some filesystems refuse fsync on directories; the rename is still atomic there.
  await handle?.sync().catch(() => undefined)
  await handle?.close()
}

/** Splits a file into lines, 64 KiB at a time; a UTF-8 character split across reads is decoded whole. */
class LineReader {
  /** Lines handed out so far, which numbers them (1-based, empty lines included). */
  lines = 0
  private readonly buffer = Buffer.allocUnsafe(READ_BYTES)
  private readonly decoder = new TextDecoder("utf-8", { fatal: true })
  private partial: Array<string> = []
  private ended = false

  private constructor(
    readonly handle: FileHandle,
    readonly path: string
  ) {}

  static async open(path: string): Promise<LineReader> {
    try {
      return new LineReader(await open(path, "r"), path)
    } catch (cause) {
      throw readFailure(path)(cause)
    }
  }

  /** The next complete lines, or undefined at the end of the file. */
  async next(): Promise<Array<string> | undefined> {
    while (!this.ended) {
      const text = await this.read()
      if (text === undefined) {
        this.ended = true
        const last = this.partial.join("")
        this.partial = []
        return last === "" ? undefined : this.count([last])
      }
      const parts = text.split("\n")
      if (parts.length === 1) {
        this.partial.push(text)
        continue
      }
      if (this.partial.length > 0) {
        this.partial.push(parts[0]!)
        parts[0] = this.partial.join("")
        this.partial = []
      }
      const rest = parts.pop()!
      if (rest !== "") this.partial.push(rest)
      return this.count(parts)
    }
    return undefined
  }

  close = () => this.handle.close().catch(() => undefined)

  private async read(): Promise<string | undefined> {
    try {
      const { bytesRead } = await this.handle.read(this.buffer, 0, this.buffer.byteLength, null)
      if (bytesRead > 0) return this.decoder.decode(this.buffer.subarray(0, bytesRead), { stream: true })
      this.decoder.decode() // throws on a character cut off at the end of the file
      return undefined
    } catch (cause) {
      throw new RecordFileError({ path: this.path, line: this.lines + 1, reason: "Unreadable", cause })
    }
  }

  private count(lines: Array<string>) {
    this.lines += lines.length
    return lines
  }
}

const parseRecord = (text: string, path: string, line: number): Rec => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    throw new RecordFileError({ path, line, reason: "BadJson", cause })
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RecordFileError({ path, line, reason: "BadJson", cause: new Error("not a JSON object") })
  }
  return value as Rec
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

const parsedLines = async (reader: LineReader): Promise<Array<Rec> | undefined> => {
  for (;;) {
    const lines = await reader.next()
    if (lines === undefined) return undefined
    const first = reader.lines - lines.length + 1
    const records: Array<Rec> = []
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i]!
      if (text !== "") records.push(parseRecord(text, reader.path, first + i))
    }
    if (records.length > 0) return records
  }
}

/** Streams the records of a record file, in bounded chunks. A line that is not a JSON object fails with BadJson. */
export const readRecords = (path: string): Stream.Stream<Rec, RecordFileError> =>
  pullStream(path, () => LineReader.open(path), parsedLines)

/** One file of a merge-join, read one key group at a time; checks the order as it goes. */
class KeyGroups {
  key = ""
  group: Array<Rec> = []
  done = false
  private records: Array<Rec> = []
  private keys: Array<string> = []
  private pos = 0
  private previous: string | undefined

  constructor(
    private readonly reader: LineReader,
    private readonly field: string
  ) {}

  /** Loads the next key group; synchronous while the current batch holds all of it. */
  advance(): Promise<void> | undefined {
    const start = this.pos
    const key = this.keys[start]
    if (key !== undefined) {
      let end = start + 1
      while (end < this.keys.length && this.keys[end] === key) end++
      if (end < this.keys.length) {
        this.key = key
        this.group = this.records.slice(start, end)
        this.pos = end
        return undefined
      }
    }
    return this.advanceAcrossBatches()
  }

  private async advanceAcrossBatches() {
    const group: Array<Rec> = []
    let key: string | undefined
    do {
      for (; this.pos < this.keys.length; this.pos++) {
        const next = this.keys[this.pos]!
        key ??= next
        if (next !== key) break
        group.push(this.records[this.pos]!)
      }
      if (this.pos < this.keys.length) break
    } while (await this.load())
    this.done = key === undefined
    this.key = key ?? ""
    this.group = group
  }

  private async load(): Promise<boolean> {
    const reader = this.reader
    for (;;) {
      const lines = await reader.next()
      if (lines === undefined) return false
      const first = reader.lines - lines.length + 1
      this.records = []
      this.keys = []
      this.pos = 0
      for (let i = 0; i < lines.length; i++) {
        const text = lines[i]!
        if (text === "") continue
        const record = parseRecord(text, reader.path, first + i)
        const key = keyOf(record, this.field)
        if (this.previous !== undefined && key < this.previous) {
          throw new RecordFileError({ path: reader.path, line: first + i, reason: "NotSorted" })
        }
        this.previous = key
        this.records.push(record)
        this.keys.push(key)
      }
      if (this.records.length > 0) return true
    }
  }
}

/** Inner merge-join of key groups, pairing duplicate keys by occurrence. */
const joinNext = async (sources: ReadonlyArray<KeyGroups>): Promise<Array<Rec> | undefined> => {
  const out: Array<Rec> = []
  while (out.length < EMIT_ROWS && !sources.some((source) => source.done)) {
    let max = ""
    for (const source of sources) if (source.key > max) max = source.key
    let aligned = true
    for (const source of sources) {
      while (!source.done && source.key < max) await source.advance()
      if (source.done) return out.length > 0 ? out : undefined
      if (source.key !== max) aligned = false
    }
    if (!aligned) continue
    let pairs = Number.POSITIVE_INFINITY
    for (const source of sources) pairs = Math.min(pairs, source.group.length)
    for (let i = 0; i < pairs; i++) {
      const merged: Record<string, unknown> = {}
      for (const source of sources) Object.assign(merged, source.group[i])
      out.push(merged)
    }
    for (const source of sources) {
      const loading = source.advance()
      if (loading !== undefined) await loading
    }
  }
  return out.length > 0 ? out : undefined
}

const openJoin = async (paths: ReadonlyArray<string>, field: string) => {
  const readers: Array<LineReader> = []
  const close = () => Promise.all(readers.map((reader) => reader.close()))
  try {
    for (const path of paths) readers.push(await LineReader.open(path))
    const sources = readers.map((reader) => new KeyGroups(reader, field))
    for (const source of sources) await source.advance()
    return { sources, close }
  } catch (error) {
    await close()
    throw error
  }
}

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

/** Temp files and handles of one write. Cleanup waits for the disk work in flight, so nothing reappears after it. */
class Scratch {
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

  async openRun(run: Run) {
    this.check()
    const reader = await LineReader.open(run.path)
    this.track(reader.handle)
    return new RunSource(reader, run.keyed)
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

/** A sorted run: the sorted prefix of the input holds plain record lines, spilled runs `key TAB record` lines. */
interface Run {
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

/** k-way merge of sorted runs; equal keys come out in run order, which keeps the sort stable. */
async function* mergeRuns(
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
class RunBuffer {
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

/**
 * Takes the input chunk by chunk. While it stays sorted it goes straight to the head file beside the target,
 * which becomes the target; from the first record out of order on, the head is one run and the rest is sorted in runs.
 */
class Ingest {
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

/** Merges groups of FAN_IN runs into single runs until one merge can take them all. */
const reduceRuns = (
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
  const sources = await Promise.all(group.map((run) => scratch.openRun(run)))
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
        const sources = yield* scratch.io(() => Promise.all(runs.map((run) => scratch.openRun(run))))
        return contractOf(ingest, yield* writeAtomic(path, mergeRuns(sources, field, false)))
      }),
    (scratch) => scratch.cleanup
  )
}
