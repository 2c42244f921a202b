/** Buffered UTF-8 encoding of record lines, and the loop that writes the buffers to a file. */
import type { FileHandle } from "node:fs/promises"

/** Bytes gathered before a write: few syscalls, bounded memory. */
export const BATCH_BYTES = 1024 * 1024

export const writeChunks = async (handle: FileHandle, chunks: ReadonlyArray<Uint8Array>) => {
  for (const data of chunks) {
    let offset = 0
    while (offset < data.byteLength) offset += (await handle.write(data, offset, data.byteLength - offset)).bytesWritten
  }
}

/**
 * Encodes lines straight into large buffers. `Buffer.from` on a long concatenated string is several times slower,
 * worst of all once a non-ASCII character makes it a two-byte string.
 */
export class LineBuffers {
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
