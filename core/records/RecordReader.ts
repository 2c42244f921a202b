/**
 * Reads a record file's records in batches of whole lines: each 1 MiB region is decoded to one
 * string (a strict UTF-8 decoder) and parsed by Bun's JSONL parser, with no string per line.
 * Measured on the 5M-row ingest's files: 44k records (31 MB) in about 160 ms, against 180 ms parsing
 * the bytes directly with the same parser (it transcodes each string value on its own) and 240 ms
 * splitting lines and calling JSON.parse on each.
 *
 * The fast path is taken only when it gives exactly what the line-by-line path would: valid UTF-8
 * (the decoder is strict), one JSON object per line and no empty line (the JSONL parser would
 * accept a value spread over lines, skip blank lines and take arrays). Anything else goes line by
 * line through `parseRecord`, which reports the file, the line and the reason as before.
 */
import { type FileHandle, open } from "node:fs/promises"
import type { Rec } from "../Record.ts"
import { parseRecord, RecordFileError, readFailure } from "./Format.ts"

interface JsonlChunk {
  readonly values: Array<unknown>
  /** Characters consumed: up to the end of the last complete value. */
  readonly read: number
  readonly error: unknown
}

/** Bun's JSONL parser, which bun-types does not declare; without it (an older Bun) every line goes the line path. */
const jsonl = (Bun as unknown as { readonly JSONL?: { readonly parseChunk: (input: string) => JsonlChunk } }).JSONL

/** Bytes read at once; a line longer than this makes the buffer grow. */
const READ_BYTES = 1 << 20
const NEWLINE = 10

export class RecordReader {
  /** Lines consumed so far, which numbers them (1-based, empty lines included). */
  lines = 0
  private buffer = Buffer.allocUnsafe(READ_BYTES)
  /** Unconsumed bytes are buffer[start, end). */
  private start = 0
  private end = 0
  private eof = false
  private readonly decoder = new TextDecoder("utf-8", { fatal: true })

  private constructor(
    readonly handle: FileHandle,
    readonly path: string
  ) {}

  static async open(path: string): Promise<RecordReader> {
    try {
      return new RecordReader(await open(path, "r"), path)
    } catch (cause) {
      throw readFailure(path)(cause)
    }
  }

  close = () => this.handle.close().catch(() => undefined)

  /** The records of the next complete lines (at least one record), or undefined at the end of the file. */
  async next(): Promise<Array<Rec> | undefined> {
    for (;;) {
      const view = this.buffer.subarray(this.start, this.end)
      // Whole lines only: up to the last newline, or everything once the file has ended.
      const lastNewline = view.lastIndexOf(NEWLINE)
      const cut = this.eof ? view.length : lastNewline + 1
      if (cut === 0) {
        if (this.eof) return undefined
        await this.fill()
        continue
      }
      const region = view.subarray(0, cut)
      this.start += cut
      const records = this.fast(region) ?? this.lineByLine(region)
      if (records.length > 0) return records
    }
  }

  /** The region's records when the JSONL parser can vouch for them, else undefined. */
  private fast(region: Uint8Array): Array<Rec> | undefined {
    if (jsonl === undefined) return undefined
    let text: string
    try {
      text = this.decoder.decode(region)
    } catch {
      return undefined // not UTF-8: the line path says where
    }
    const parsed = jsonl.parseChunk(text)
    if (parsed.error) return undefined
    const values = parsed.values
    let lines = countNewlines(region)
    if (region[region.length - 1] !== NEWLINE) lines++
    // Fewer values than lines: an empty line or a value over several lines (the line path decides).
    if (values.length !== lines) return undefined
    // Whatever follows the last value must be blank (the parser stops without an error at "x").
    for (let i = parsed.read; i < text.length; i++) {
      const code = text.charCodeAt(i)
      if (code !== NEWLINE && code !== 13 && code !== 32 && code !== 9) return undefined
    }
    for (const value of values) {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined
    }
    this.lines += lines
    return values as Array<Rec>
  }

  /** The region read the way a record file is defined: line by line, empty lines skipped. */
  private lineByLine(region: Uint8Array): Array<Rec> {
    let text: string
    try {
      text = this.decoder.decode(region)
    } catch (cause) {
      throw new RecordFileError({ path: this.path, line: this.lines + 1, reason: "Unreadable", cause })
    }
    const lines = text.split("\n")
    // A region ends with a newline except at the end of the file: no line after it.
    if (lines[lines.length - 1] === "") lines.pop()
    const records: Array<Rec> = []
    for (const line of lines) {
      this.lines++
      if (line !== "") records.push(parseRecord(line, this.path, this.lines))
    }
    return records
  }

  /** Reads more of the file after what is left unconsumed, growing the buffer for a line longer than it. */
  private async fill() {
    if (this.start > 0) {
      this.buffer.copyWithin(0, this.start, this.end)
      this.end -= this.start
      this.start = 0
    }
    if (this.end === this.buffer.length) {
      const larger = Buffer.allocUnsafe(this.buffer.length * 2)
      this.buffer.copy(larger, 0, 0, this.end)
      this.buffer = larger
    }
    try {
      const { bytesRead } = await this.handle.read(this.buffer, this.end, this.buffer.length - this.end, null)
      if (bytesRead === 0) this.eof = true
      this.end += bytesRead
    } catch (cause) {
      throw new RecordFileError({ path: this.path, line: this.lines + 1, reason: "Unreadable", cause })
    }
  }
}

const countNewlines = (bytes: Uint8Array): number => {
  let count = 0
  let at = bytes.indexOf(NEWLINE)
  while (at !== -1) {
    count++
    at = bytes.indexOf(NEWLINE, at + 1)
  }
  return count
}
