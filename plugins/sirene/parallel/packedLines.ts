/**
 * Kept lines as a scan worker sends them back: their bytes packed end to end in a few large
 * buffers (transferred, not copied), line numbers and ends in typed arrays, SIRENs as strings. A
 * thousand small objects would each be cloned; this is a handful of buffers whatever the count.
 */

export interface PackedLines {
  /** Each buffer holds the bytes of `rows` consecutive lines; the last one may have room to spare. */
  readonly segments: ReadonlyArray<{ readonly buffer: ArrayBuffer; readonly rows: number }>
  /** Where each line ends in its segment; it starts where the previous one ended (0 for a segment's first). */
  readonly ends: Int32Array
  readonly lines: Int32Array
  readonly sirens: ReadonlyArray<string>
}

const FIRST_SEGMENT = 1024 * 1024
/** Segments stop doubling here: offsets stay far from Int32 limits, and growing never copies what is packed. */
const LARGEST_SEGMENT = 64 * 1024 * 1024

/** Packs lines as they are kept; `pack()` ends it and lists the buffers to transfer. */
export const linePacker = () => {
  const segments: Array<{ buffer: ArrayBuffer; rows: number }> = []
  const ends: number[] = []
  const lines: number[] = []
  const sirens: string[] = []
  let segment = new Uint8Array(0)
  let used = 0
  let rows = 0
  const seal = () => {
    if (rows > 0) segments.push({ buffer: segment.buffer as ArrayBuffer, rows })
  }
  return {
    add(bytes: Uint8Array, start: number, end: number, line: number, siren: string) {
      const length = end - start
      if (used + length > segment.length) {
        seal()
        const size = Math.min(LARGEST_SEGMENT, Math.max(FIRST_SEGMENT, segment.length * 2))
        segment = new Uint8Array(Math.max(size, length))
        used = 0
        rows = 0
      }
      segment.set(bytes.subarray(start, end), used)
      used += length
      rows++
      ends.push(used)
      lines.push(line)
      sirens.push(siren)
    },
    pack(): { packed: PackedLines; transfer: ArrayBuffer[] } {
      seal()
      const packed = { segments, ends: Int32Array.from(ends), lines: Int32Array.from(lines), sirens }
      return {
        packed,
        transfer: [...segments.map(({ buffer }) => buffer), packed.ends.buffer, packed.lines.buffer]
      }
    }
  }
}

/** Calls `take` for each packed line, in order, with a view of its bytes (no copy). */
export const unpackLines = (
  packed: PackedLines,
  take: (line: number, siren: string, bytes: Uint8Array) => void
): void => {
  let row = 0
  for (const { buffer, rows } of packed.segments) {
    const bytes = new Uint8Array(buffer)
    let start = 0
    for (const last = row + rows; row < last; row++) {
      const end = packed.ends[row]!
      take(packed.lines[row]!, packed.sirens[row]!, bytes.subarray(start, end))
      start = end
    }
  }
}
