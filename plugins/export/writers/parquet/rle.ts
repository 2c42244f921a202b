/**
 * Parquet's RLE / bit-packing hybrid encoding, used for definition and repetition levels and for
 * dictionary indices. A value repeated 8 times or more becomes a run (count, value); anything else is
 * bit-packed in groups of 8, least significant bit first. Only the last group may be padded: a reader
 * stops at the page's value count.
 */
import type { ByteSink } from "./ByteSink.ts"

/** Bits needed to store values up to `max` (at least 1: some readers refuse a width of 0). */
export const bitWidth = (max: number): number => {
  let width = 1
  while (max >= 2 ** width) width++
  return width
}

const runLength = (values: ArrayLike<number>, from: number, count: number): number => {
  const value = values[from]
  let end = from + 1
  while (end < count && values[end] === value) end++
  return end - from
}

/** Groups of 8 per bit-packed run at most: a header of one byte whatever the width. */
const MAX_GROUPS = 63

/**
 * Appends the first `count` of `values` (each below 2^width, width at most 24) in the hybrid encoding,
 * without a length prefix.
 */
export const encodeHybrid = (sink: ByteSink, values: ArrayLike<number>, count: number, width: number): void => {
  const valueBytes = (width + 7) >> 3
  let i = 0
  while (i < count) {
    const run = runLength(values, i, count)
    if (run >= 8) {
      sink.varint(run << 1)
      sink.ensure(valueBytes)
      let value = values[i]!
      for (let b = 0; b < valueBytes; b++) {
        sink.bytes[sink.length++] = value & 0xff
        value >>>= 8
      }
      i += run
      continue
    }
    // Bit-packed groups until a run of 8 starts on a group boundary (or the values end).
    const start = i
    let groups = 0
    do {
      i += 8
      groups++
    } while (i < count && groups < MAX_GROUPS && runLength(values, i, count) < 8)
    sink.varint((groups << 1) | 1)
    const end = Math.min(i, count)
    sink.ensure(groups * width)
    const out = sink.bytes
    let at = sink.length
    let buffer = 0
    let bits = 0
    for (let v = start; v < start + groups * 8; v++) {
      buffer |= (v < end ? values[v]! : 0) << bits
      bits += width
      while (bits >= 8) {
        out[at++] = buffer & 0xff
        buffer >>>= 8
        bits -= 8
      }
    }
    sink.length = at
  }
}

/** Levels of a v1 data page: the hybrid encoding behind its 4-byte little-endian length. */
export const encodeLevels = (sink: ByteSink, levels: ArrayLike<number>, count: number, maxLevel: number): void => {
  const at = sink.length
  sink.uint32(0)
  encodeHybrid(sink, levels, count, bitWidth(maxLevel))
  const length = sink.length - at - 4
  const b = sink.bytes
  b[at] = length & 0xff
  b[at + 1] = (length >>> 8) & 0xff
  b[at + 2] = (length >>> 16) & 0xff
  b[at + 3] = (length >>> 24) & 0xff
}
