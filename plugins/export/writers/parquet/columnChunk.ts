/**
 * One column of a row group, encoded page by page: definition (and, for lists, repetition) levels in
 * the RLE hybrid, values PLAIN or dictionary-encoded, each page ZSTD-compressed as soon as it is cut, so
 * a row group in progress holds its compressed pages and the rows of one page only. At the row group's
 * end the chunk gives its bytes (dictionary page first) and its footer metadata.
 *
 * Encoding choices, as parquet-rs makes them by default for format v1 pages: strings are
 * dictionary-encoded (PLAIN_DICTIONARY) until the dictionary passes 1 MiB, then PLAIN; other types are
 * PLAIN (ZSTD takes their repetition). One difference: a string column whose first page starts with
 * mostly distinct values (identifiers, names, addresses) is PLAIN from the start, since a dictionary
 * there only costs time and bytes.
 */
import type { FieldType } from "../../../../core/Step.ts"
import { encodeUtf8 } from "../valueEncoding.ts"
import { ByteSink } from "./ByteSink.ts"
import { bitWidth, encodeHybrid, encodeLevels } from "./rle.ts"
import { CompactWriter } from "./thrift.ts"

// Parquet enums (parquet.thrift).
export const PhysicalType = { Boolean: 0, Int32: 1, Int64: 2, Double: 5, ByteArray: 6 } as const
const Encoding = { Plain: 0, PlainDictionary: 2, Rle: 3 } as const
const PageType = { Data: 0, Dictionary: 2 } as const
export const CODEC_ZSTD = 6

/** ZSTD level: parquet-rs's default. Levels 3 and above cost more time for a few percent of size. */
const ZSTD_LEVEL = 1
/** A dictionary past this many (UTF-16) characters stops growing: later pages are PLAIN, as parquet-rs does past 1 MiB. */
const DICTIONARY_LIMIT = 1024 * 1024
/** Below this many values a first page says too little to give up on a dictionary. */
const DISTINCT_SAMPLE_MIN = 64
/** Values of a chunk's first page looked at to choose between a dictionary and PLAIN. */
const DISTINCT_SAMPLE = 512

/**
 * Whether more than half of the first values of a page differ: then a dictionary would hold about as
 * much as the values, and building it costs a map entry per value, so the chunk is PLAIN.
 */
const mostlyDistinct = (values: ReadonlyArray<string>, count: number): boolean => {
  const sample = Math.min(count, DISTINCT_SAMPLE)
  if (sample < DISTINCT_SAMPLE_MIN) return false
  const seen = new Set<string>()
  for (let i = 0; i < sample; i++) seen.add(values[i]!)
  return seen.size * 2 > sample
}

export interface ChunkStatistics {
  readonly nullCount?: number
  readonly min?: Uint8Array
  readonly max?: Uint8Array
}

/** What the footer says about one column chunk. */
export interface ChunkMetadata {
  readonly physicalType: number
  readonly path: ReadonlyArray<string>
  readonly encodings: ReadonlyArray<number>
  readonly numValues: number
  readonly uncompressedBytes: number
  readonly compressedBytes: number
  readonly dataPageOffset: number
  readonly dictionaryPageOffset: number | undefined
  readonly statistics: ChunkStatistics | undefined
}

const growInt32 = (array: Int32Array<ArrayBuffer>, needed: number): Int32Array<ArrayBuffer> => {
  if (needed <= array.length) return array
  const bigger = new Int32Array(Math.max(needed, array.length * 2))
  bigger.set(array)
  return bigger
}

const growUint8 = (array: Uint8Array<ArrayBuffer>, needed: number): Uint8Array<ArrayBuffer> => {
  if (needed <= array.length) return array
  const bigger = new Uint8Array(Math.max(needed, array.length * 2))
  bigger.set(array)
  return bigger
}

// ---------------------------------------------------------------------------------------------------
// Values of one page (non-null values only: nulls live in the definition levels).

interface PageValues {
  readonly physicalType: number
  /** Non-null values in the current page. */
  count: number
  push(value: unknown): void
  /** Encodes the page's values into `sink`; returns the page's encoding. Clears the page. */
  encodePage(sink: ByteSink): number
  /** The dictionary page's values and count, if pages of this chunk used one. */
  dictionary(sink: ByteSink): number
  statistics(): Pick<ChunkStatistics, "min" | "max">
  /** Forgets the chunk (dictionary, statistics): the next row group starts afresh. */
  resetChunk(): void
}

/** PLAIN BYTE_ARRAY: each value's UTF-8 length (4 bytes, little-endian), then its bytes. */
const plainStrings = (sink: ByteSink, values: ReadonlyArray<string>, count: number) => {
  // Room for the worst case (3 bytes per UTF-16 unit) once per page, not once per value.
  let room = 4 * count
  for (let i = 0; i < count; i++) room += values[i]!.length * 3
  sink.ensure(room)
  const bytes = sink.bytes
  let at = sink.length
  for (let i = 0; i < count; i++) {
    const length = encodeUtf8(bytes, at + 4, values[i]!)
    bytes[at] = length & 0xff
    bytes[at + 1] = (length >>> 8) & 0xff
    bytes[at + 2] = (length >>> 16) & 0xff
    bytes[at + 3] = length >>> 24
    at += 4 + length
  }
  sink.length = at
}

class StringValues implements PageValues {
  readonly physicalType = PhysicalType.ByteArray
  count = 0
  private page: Array<string> = []
  private indices = new Int32Array(1024)
  private readonly index = new Map<string, number>()
  private entries: Array<string> = []
  private characters = 0
  /** Undecided until the chunk's first page with values; then dictionary until the limit, or plain. */
  private mode: "undecided" | "dictionary" | "plain" = "undecided"

  push(value: unknown) {
    this.page[this.count++] = value as string
  }

  encodePage(sink: ByteSink): number {
    const count = this.count
    this.count = 0
    if (count === 0) return Encoding.Plain
    if (this.mode === "dictionary" && this.characters > DICTIONARY_LIMIT) this.mode = "plain"
    if (this.mode === "undecided") this.mode = mostlyDistinct(this.page, count) ? "plain" : "dictionary"
    if (this.mode !== "plain") {
      const before = this.entries.length
      const indices = growInt32(this.indices, count)
      this.indices = indices
      for (let i = 0; i < count; i++) {
        const text = this.page[i]!
        let id = this.index.get(text)
        if (id === undefined) {
          id = this.entries.length
          this.index.set(text, id)
          this.entries.push(text)
          this.characters += text.length
        }
        indices[i] = id
      }
      if (this.characters > DICTIONARY_LIMIT && before > 0) {
        // This page would overflow the dictionary: its new entries are dropped, and it goes PLAIN.
        for (let i = before; i < this.entries.length; i++) this.index.delete(this.entries[i]!)
        this.entries.length = before
        this.mode = "plain"
      }
      if (this.mode === "dictionary") {
        const width = bitWidth(this.entries.length - 1)
        sink.byte(width)
        encodeHybrid(sink, indices, count, width)
        this.page.length = 0
        return Encoding.PlainDictionary
      }
    }
    plainStrings(sink, this.page, count)
    this.page.length = 0
    return Encoding.Plain
  }

  dictionary(sink: ByteSink): number {
    plainStrings(sink, this.entries, this.entries.length)
    return this.entries.length
  }

  // No min/max for strings: UTF-8 byte order differs from JavaScript's UTF-16 order, and the datasets'
  // string columns are not what readers prune on.
  statistics() {
    return {}
  }

  resetChunk() {
    this.index.clear()
    this.entries = []
    this.characters = 0
    this.mode = "undecided"
  }
}

/** Fixed-width numbers: INT64 (bigint), INT32 (number) or DOUBLE, PLAIN, little-endian, with min/max. */
class FixedValues<T extends number | bigint> implements PageValues {
  count = 0
  private values: BigInt64Array | Int32Array | Float64Array
  private min: T | undefined
  private max: T | undefined
  constructor(
    readonly physicalType: number,
    private readonly make: (length: number) => BigInt64Array | Int32Array | Float64Array
  ) {
    this.values = make(1024)
  }

  push(value: unknown) {
    if (this.count === this.values.length) {
      const bigger = this.make(this.values.length * 2)
      bigger.set(this.values as never)
      this.values = bigger
    }
    const v = value as T
    this.values[this.count++] = v as never
    if (this.min === undefined || v < this.min) this.min = v
    if (this.max === undefined || v > this.max) this.max = v
  }

  encodePage(sink: ByteSink): number {
    sink.append(new Uint8Array(this.values.buffer, 0, this.count * this.values.BYTES_PER_ELEMENT))
    this.count = 0
    return Encoding.Plain
  }

  dictionary(): number {
    return 0
  }

  statistics() {
    if (this.min === undefined || this.max === undefined) return {}
    const one = this.make(2)
    // The spec's rule for floating-point zero: min is written -0, max +0.
    const floating = one instanceof Float64Array
    one[0] = (floating && this.min === 0 ? -0 : this.min) as never
    one[1] = (floating && this.max === 0 ? 0 : this.max) as never
    const width = one.BYTES_PER_ELEMENT
    const bytes = new Uint8Array(one.buffer)
    return { min: bytes.slice(0, width), max: bytes.slice(width, 2 * width) }
  }

  resetChunk() {
    this.min = undefined
    this.max = undefined
  }
}

/** BOOLEAN: PLAIN is one bit per value, least significant first. */
class BooleanValues implements PageValues {
  readonly physicalType = PhysicalType.Boolean
  count = 0
  private values = new Uint8Array(1024)
  private seen = 0 // bit 0: a false was seen, bit 1: a true

  push(value: unknown) {
    this.values = growUint8(this.values, this.count + 1)
    this.values[this.count++] = value ? 1 : 0
    this.seen |= value ? 2 : 1
  }

  encodePage(sink: ByteSink): number {
    const bytes = (this.count + 7) >> 3
    sink.ensure(bytes)
    sink.bytes.fill(0, sink.length, sink.length + bytes)
    for (let i = 0; i < this.count; i++) if (this.values[i]) sink.bytes[sink.length + (i >> 3)]! |= 1 << (i & 7)
    sink.length += bytes
    this.count = 0
    return Encoding.Plain
  }

  dictionary(): number {
    return 0
  }

  statistics() {
    if (this.seen === 0) return {}
    return { min: Uint8Array.of(this.seen & 1 ? 0 : 1), max: Uint8Array.of(this.seen & 2 ? 1 : 0) }
  }

  resetChunk() {
    this.seen = 0
  }
}

// ---------------------------------------------------------------------------------------------------
// The chunk: levels, pages, metadata.

const pageHeader = (
  type: number,
  uncompressed: number,
  compressed: number,
  numValues: number,
  encoding: number
): Uint8Array => {
  const header = new CompactWriter().begin().i32(1, type).i32(2, uncompressed).i32(3, compressed)
  if (type === PageType.Dictionary) header.struct(7).i32(1, numValues).i32(2, encoding).end()
  else header.struct(5).i32(1, numValues).i32(2, encoding).i32(3, Encoding.Rle).i32(4, Encoding.Rle).end()
  return header.end().finish()
}

interface Page {
  readonly bytes: ReadonlyArray<Uint8Array>
  readonly uncompressed: number
}

export class ColumnChunkWriter {
  /** Level entries of the current page (one per row, or per list entry for lists). */
  private levelCount = 0
  private definitions = new Uint8Array(1024)
  private repetitions: Uint8Array<ArrayBuffer> | undefined
  private nullCount = 0
  private numValues = 0
  private readonly pages: Array<Page> = []
  private readonly encodings = new Set<number>([Encoding.Rle])
  private readonly body = new ByteSink(64 * 1024)
  private readonly values: PageValues
  readonly path: ReadonlyArray<string>
  private readonly maxDefinition: number

  constructor(name: string, type: FieldType) {
    this.values = valuesOf(type)
    const list = type === "string[]"
    this.path = list ? [name, "list", "item"] : [name]
    this.maxDefinition = list ? 3 : 1
    if (list) this.repetitions = new Uint8Array(1024)
  }

  private level(definition: number, repetition: number) {
    const at = this.levelCount++
    if (at === this.definitions.length) {
      this.definitions = growUint8(this.definitions, at + 1)
      if (this.repetitions) this.repetitions = growUint8(this.repetitions, at + 1)
    }
    this.definitions[at] = definition
    if (this.repetitions) this.repetitions[at] = repetition
  }

  /** Appends one row's converted value (null when missing). */
  push(value: unknown) {
    if (this.repetitions === undefined) {
      if (value === null) {
        this.level(0, 0)
        this.nullCount++
      } else {
        this.level(1, 0)
        this.values.push(value)
      }
      return
    }
    // A list: null (0), empty (1), or entries, each null (2) or a value (3), the first at repetition 0.
    if (value === null) return this.level(0, 0)
    const entries = value as ReadonlyArray<string | null>
    if (entries.length === 0) return this.level(1, 0)
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]
      if (entry === null || entry === undefined) this.level(2, i === 0 ? 0 : 1)
      else {
        this.level(3, i === 0 ? 0 : 1)
        this.values.push(entry)
      }
    }
  }

  /** Ends the current data page (nothing when it holds no row). */
  cutPage() {
    if (this.levelCount === 0) return
    const body = this.body
    body.reset()
    if (this.repetitions) encodeLevels(body, this.repetitions, this.levelCount, 1)
    encodeLevels(body, this.definitions, this.levelCount, this.maxDefinition)
    const encoding = this.values.encodePage(body)
    this.encodings.add(encoding)
    this.pages.push(this.compressed(PageType.Data, body.view(), this.levelCount, encoding))
    this.numValues += this.levelCount
    this.levelCount = 0
  }

  private compressed(type: number, raw: Uint8Array, numValues: number, encoding: number): Page {
    const data = Bun.zstdCompressSync(raw, { level: ZSTD_LEVEL })
    const header = pageHeader(type, raw.length, data.length, numValues, encoding)
    return { bytes: [header, data], uncompressed: header.length + raw.length }
  }

  /**
   * The chunk's bytes, written from file offset `offset`, and its metadata; then the writer is ready
   * for the next row group's chunk.
   */
  finish(offset: number): { bytes: Array<Uint8Array>; metadata: ChunkMetadata } {
    this.cutPage()
    const bytes: Array<Uint8Array> = []
    let uncompressed = 0
    let compressed = 0
    const add = (page: Page) => {
      for (const part of page.bytes) {
        bytes.push(part)
        compressed += part.length
      }
      uncompressed += page.uncompressed
    }
    let dictionaryPageOffset: number | undefined
    const body = this.body
    body.reset()
    const entries = this.values.dictionary(body)
    if (entries > 0) {
      dictionaryPageOffset = offset
      add(this.compressed(PageType.Dictionary, body.view(), entries, Encoding.PlainDictionary))
    }
    const dataPageOffset = offset + compressed
    for (const page of this.pages) add(page)
    const statistics: ChunkStatistics | undefined =
      this.repetitions === undefined ? { nullCount: this.nullCount, ...this.values.statistics() } : undefined
    const metadata: ChunkMetadata = {
      physicalType: this.values.physicalType,
      path: this.path,
      encodings: [...this.encodings].sort((a, b) => a - b),
      numValues: this.numValues,
      uncompressedBytes: uncompressed,
      compressedBytes: compressed,
      dataPageOffset,
      dictionaryPageOffset,
      statistics
    }
    this.pages.length = 0
    this.encodings.clear()
    this.encodings.add(Encoding.Rle)
    this.nullCount = 0
    this.numValues = 0
    this.values.resetChunk()
    return { bytes, metadata }
  }
}

const valuesOf = (type: FieldType): PageValues => {
  switch (type) {
    case "integer":
    case "datetime":
      return new FixedValues<bigint>(PhysicalType.Int64, (n) => new BigInt64Array(n))
    case "number":
      return new FixedValues<number>(PhysicalType.Double, (n) => new Float64Array(n))
    case "date":
      return new FixedValues<number>(PhysicalType.Int32, (n) => new Int32Array(n))
    case "boolean":
      return new BooleanValues()
    default:
      return new StringValues()
  }
}
