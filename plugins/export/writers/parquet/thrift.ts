/**
 * The Thrift compact protocol, write side only: what a Parquet footer and page headers need (structs,
 * lists of structs or strings, i32/i64, binary, bool). Field ids are written as deltas from the previous
 * field of the same struct, so each struct keeps its own last id (a stack, for nested structs).
 * Integers beyond 2^53 never occur in our metadata (sizes, offsets, counts), so plain numbers are used.
 */
import { ByteSink } from "./ByteSink.ts"

/** Compact-protocol type codes, as they appear in field headers and list headers. */
export const CompactType = { True: 1, False: 2, I32: 5, I64: 6, Binary: 8, List: 9, Struct: 12 } as const
export type CompactType = (typeof CompactType)[keyof typeof CompactType]

const textEncoder = new TextEncoder()

export class CompactWriter {
  private readonly sink = new ByteSink()
  private lastIds: Array<number> = []
  private lastId = 0

  /** Unsigned LEB128; `value` is a non-negative integer below 2^53 (ByteSink's varint stops at 2^32). */
  private varint(value: number) {
    const sink = this.sink
    sink.ensure(10)
    while (value >= 0x80) {
      sink.bytes[sink.length++] = (value % 0x80) | 0x80
      value = Math.floor(value / 0x80)
    }
    sink.bytes[sink.length++] = value
  }

  /** ZigZag then varint: small negative numbers stay short. */
  private signed(value: number) {
    this.varint(value >= 0 ? value * 2 : -value * 2 - 1)
  }

  private fieldHeader(id: number, type: CompactType) {
    const delta = id - this.lastId
    if (delta > 0 && delta <= 15) this.sink.byte((delta << 4) | type)
    else {
      this.sink.byte(type)
      this.signed(id)
    }
    this.lastId = id
  }

  i32(id: number, value: number): this {
    this.fieldHeader(id, CompactType.I32)
    this.signed(value)
    return this
  }

  i64(id: number, value: number): this {
    this.fieldHeader(id, CompactType.I64)
    this.signed(value)
    return this
  }

  bool(id: number, value: boolean): this {
    this.fieldHeader(id, value ? CompactType.True : CompactType.False)
    return this
  }

  binary(id: number, value: Uint8Array | string): this {
    this.fieldHeader(id, CompactType.Binary)
    this.rawBinary(value)
    return this
  }

  private rawBinary(value: Uint8Array | string) {
    const bytes = typeof value === "string" ? textEncoder.encode(value) : value
    this.varint(bytes.length)
    this.sink.append(bytes)
  }

  /** Opens a struct-typed field: its own fields follow, then `end()`. */
  struct(id: number): this {
    this.fieldHeader(id, CompactType.Struct)
    return this.begin()
  }

  /** Opens a struct that is not a field (the message itself, or a list element). */
  begin(): this {
    this.lastIds.push(this.lastId)
    this.lastId = 0
    return this
  }

  /** Closes the innermost open struct. */
  end(): this {
    this.sink.byte(0)
    this.lastId = this.lastIds.pop() ?? 0
    return this
  }

  /** A list field of `size` elements of `type`; struct elements are each written with begin()..end(). */
  list(id: number, type: CompactType, size: number): this {
    this.fieldHeader(id, CompactType.List)
    if (size < 15) this.sink.byte((size << 4) | type)
    else {
      this.sink.byte(0xf0 | type)
      this.varint(size)
    }
    return this
  }

  /** An i32 element of a list. */
  element32(value: number): this {
    this.signed(value)
    return this
  }

  /** A list of strings, as a field. */
  strings(id: number, values: ReadonlyArray<string>): this {
    this.list(id, CompactType.Binary, values.length)
    for (const value of values) this.rawBinary(value)
    return this
  }

  /** The bytes written so far (a copy: the writer may be reused). */
  finish(): Uint8Array {
    return this.sink.view().slice()
  }
}
