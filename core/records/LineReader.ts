/** Reads a record file as lines, in 64 KiB chunks, with a file handle of its own and a count of the lines read. */
import { type FileHandle, open } from "node:fs/promises"
import { RecordFileError, readFailure } from "./Format.ts"

const READ_BYTES = 64 * 1024

/** Splits a file into lines, 64 KiB at a time; a UTF-8 character split across reads is decoded whole. */
export class LineReader {
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
