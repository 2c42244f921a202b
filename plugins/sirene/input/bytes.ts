/**
 * Input files as streams of byte chunks: plain CSV, or the published .zip (its CSV entry is
 * inflated on the fly by zlib, never unpacked to disk). Parquet is recognised by its magic bytes.
 */
import { createReadStream } from "node:fs"
import { open, stat } from "node:fs/promises"
import { createInflateRaw } from "node:zlib"

export type InputFormat = "csv" | "zip" | "parquet"

const NEWLINE = 0x0a

/** Big reads: the scanner's cost is per call as much as per byte. */
const CHUNK = 4 * 1024 * 1024

export class InputUnreadable extends Error {
  constructor(
    readonly file: string,
    reason: string
  ) {
    super(`${file}: ${reason}`)
  }
}

export const detectFormat = async (file: string): Promise<InputFormat> => {
  const handle = await open(file, "r")
  try {
    const head = new Uint8Array(4)
    const { bytesRead } = await handle.read(head, 0, 4, 0)
    if (bytesRead >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return "zip"
    if (bytesRead >= 4 && String.fromCharCode(...head) === "PAR1") return "parquet"
    return "csv"
  } finally {
    await handle.close()
  }
}

/**
 * Reads a plain file, or only its bytes [start, end), in large chunks into one reused buffer (each
 * chunk is copied on by lineBlocks).
 */
export async function* fileChunks(file: string, start = 0, end = Number.POSITIVE_INFINITY): AsyncGenerator<Uint8Array> {
  const handle = await open(file, "r")
  const buffer = new Uint8Array(CHUNK)
  try {
    for (let position = start; position < end; ) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, end - position), position)
      if (bytesRead === 0) return
      position += bytesRead
      yield buffer.subarray(0, bytesRead)
    }
  } finally {
    await handle.close()
  }
}

/**
 * Where to cut a file in two halves of whole lines: just after the first newline at or after the
 * middle (the file's size when there is none), so the first half holds the header line.
 */
export const splitPoint = async (file: string, size: number): Promise<number> => {
  const handle = await open(file, "r")
  // Lines are a few hundred bytes: one small read nearly always finds the newline.
  const buffer = new Uint8Array(64 * 1024)
  try {
    for (let position = Math.floor(size / 2); position < size; ) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position)
      if (bytesRead === 0) break
      const at = buffer.subarray(0, bytesRead).indexOf(NEWLINE)
      if (at !== -1) return position + at + 1
      position += bytesRead
    }
    return size
  } finally {
    await handle.close()
  }
}

/** The first entry of a zip archive, inflated as it streams (the SIRENE zips hold one CSV each). */
async function* zipEntryChunks(file: string): AsyncGenerator<Uint8Array> {
  const handle = await open(file, "r")
  let dataStart: number
  let method: number
  try {
    const header = Buffer.alloc(30)
    await handle.read(header, 0, 30, 0)
    if (header.readUInt32LE(0) !== 0x04034b50) throw new InputUnreadable(file, "not a zip file")
    method = header.readUInt16LE(8)
    dataStart = 30 + header.readUInt16LE(26) + header.readUInt16LE(28)
  } finally {
    await handle.close()
  }
  const raw = createReadStream(file, { start: dataStart, highWaterMark: CHUNK })
  if (method === 0) {
    // Stored: the entry is the bytes up to the central directory; only deflated archives are published.
    throw new InputUnreadable(file, "zip entries stored without compression are not supported; unzip it first")
  }
  if (method !== 8) throw new InputUnreadable(file, `zip compression method ${method} is not supported (deflate only)`)
  const inflate = raw.pipe(createInflateRaw({ chunkSize: CHUNK }))
  for await (const chunk of inflate) yield chunk as Uint8Array
}

/** Byte chunks of a CSV input, whether plain or zipped. */
export const csvChunks = (file: string, format: InputFormat): AsyncIterable<Uint8Array> =>
  format === "zip" ? zipEntryChunks(file) : fileChunks(file)

/** Size on disk, for progress. */
export const sizeOf = async (file: string) => (await stat(file)).size

/**
 * Re-cuts byte chunks into blocks that end on a line boundary, so every line lies whole inside
 * one block. One buffer is reused for the whole file: a block is only valid until the next one is
 * asked for (callers keep decoded strings, never the bytes), which keeps the scan's memory flat
 * instead of leaving a trail of 4 MiB garbage buffers.
 */
export async function* lineBlocks(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let buffer = new Uint8Array(CHUNK * 2)
  let filled = 0
  for await (const chunk of chunks) {
    if (filled + chunk.length > buffer.length) {
      const larger = new Uint8Array(Math.max(buffer.length * 2, filled + chunk.length))
      larger.set(buffer.subarray(0, filled))
      buffer = larger
    }
    buffer.set(chunk, filled)
    filled += chunk.length
    const last = buffer.lastIndexOf(NEWLINE, filled - 1)
    if (last === -1) continue
    yield buffer.subarray(0, last + 1)
    buffer.copyWithin(0, last + 1, filled)
    filled -= last + 1
  }
  if (filled > 0) yield buffer.subarray(0, filled)
}
