/**
 * The inner merge-join of key-sorted record files behind `mergeRecords`: each file is read one key group at a time,
 * and groups of equal keys are merged into records.
 */
import type { Rec } from "../Record.ts"
import { keyOf, parseRecord, RecordFileError } from "./Format.ts"
import { LineReader } from "./LineReader.ts"

const EMIT_ROWS = 4096

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
export const joinNext = async (sources: ReadonlyArray<KeyGroups>): Promise<Array<Rec> | undefined> => {
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

export const openJoin = async (paths: ReadonlyArray<string>, field: string) => {
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
