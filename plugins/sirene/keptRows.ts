/**
 * The establishments a scan keeps, held until their legal units are joined, in scan order. Each is
 * handed out as a row once, when the join reaches it: packed lines become rows one by one, and what
 * was passed is let go (a packed segment once all its rows were taken), so the kept set shrinks
 * while the records are built instead of living until the last one.
 */

import { firstRowsOf, lineStart, type PackedLines } from "./packedLines.ts"
import type { FieldsOf, KeptRow } from "./scan.ts"

/** `length` and `sirens()` count every row, whether handed out yet or not. */
export interface KeptRows extends Iterable<KeptRow> {
  readonly length: number
  /** Each row's SIREN, in order: what the legal-units scan looks for. */
  sirens(): Iterable<string>
}

/** Rows already built (a Parquet stock's), taken over: each entry is cleared once it was handed out. */
export const keptArray = (built: KeptRow[]): KeptRows => {
  const rows: Array<KeptRow | undefined> = built
  const sirens = built.map((row) => row.siren)
  return {
    length: rows.length,
    sirens: () => sirens,
    *[Symbol.iterator]() {
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]
        if (row === undefined) continue
        rows[i] = undefined
        yield row
      }
    }
  }
}

/**
 * Packed lines of `file` as rows, their columns decoded by `decode` when the row's record is built.
 * `lineOffset` is added to the line numbers (a worker's half of a file numbers its own lines).
 */
export const keptPacked = (
  packed: PackedLines,
  file: string,
  decode: (line: Uint8Array) => FieldsOf,
  lineOffset = 0
): KeptRows => {
  // Only these are kept, never `packed` itself: it holds every segment's buffer.
  const { ends, lines, sirens } = packed
  const segments: Array<ArrayBuffer | undefined> = packed.segments.map((segment) => segment.buffer)
  const firstRows = firstRowsOf(packed)
  const rows = lines.length
  /** Rows handed out so far: iterating again goes on after them. */
  let taken = 0
  return {
    length: rows,
    sirens: () => sirens,
    *[Symbol.iterator]() {
      for (let index = 0; index < segments.length; index++) {
        const buffer = segments[index]
        if (buffer === undefined) continue
        const first = firstRows[index]!
        const end = firstRows[index + 1] ?? rows
        const bytes = new Uint8Array(buffer)
        while (taken < end) {
          const row = taken++
          yield {
            file,
            line: lines[row]! + lineOffset,
            siren: sirens[row]!,
            fields: decode(bytes.subarray(lineStart(ends, row, first), ends[row]!))
          }
        }
        // The rows handed out hold views of the segment: it goes once the last of them is dropped.
        segments[index] = undefined
      }
    }
  }
}

/** Several scans' rows, one after the other. */
export const keptConcat = (parts: ReadonlyArray<KeptRows>): KeptRows => ({
  length: parts.reduce((sum, part) => sum + part.length, 0),
  *sirens() {
    for (const part of parts) yield* part.sirens()
  },
  *[Symbol.iterator]() {
    for (const part of parts) yield* part
  }
})
