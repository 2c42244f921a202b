/**
 * The growable byte buffer the Parquet writer encodes into, reused from page to page: pages (`rle.ts`,
 * `columnChunk.ts`) and Thrift metadata (`thrift.ts`).
 */
export class ByteSink {
  /** A Buffer, for `encodeUtf8` and its little-endian writes; bytes past `length` are not defined. */
  bytes: Buffer
  length = 0
  constructor(capacity = 1024) {
    this.bytes = Buffer.allocUnsafe(capacity)
  }
  ensure(extra: number) {
    if (this.length + extra <= this.bytes.length) return
    const bigger = Buffer.allocUnsafe(Math.max(this.length + extra, this.bytes.length * 2))
    this.bytes.copy(bigger, 0, 0, this.length)
    this.bytes = bigger
  }
  byte(value: number) {
    this.ensure(1)
    this.bytes[this.length++] = value
  }
  varint(value: number) {
    this.ensure(5)
    while (value >= 0x80) {
      this.bytes[this.length++] = (value & 0x7f) | 0x80
      value >>>= 7
    }
    this.bytes[this.length++] = value
  }
  uint32(value: number) {
    this.ensure(4)
    const b = this.bytes
    b[this.length++] = value & 0xff
    b[this.length++] = (value >>> 8) & 0xff
    b[this.length++] = (value >>> 16) & 0xff
    b[this.length++] = (value >>> 24) & 0xff
  }
  append(bytes: Uint8Array) {
    this.ensure(bytes.length)
    this.bytes.set(bytes, this.length)
    this.length += bytes.length
  }
  view(): Uint8Array {
    return this.bytes.subarray(0, this.length)
  }
  reset() {
    this.length = 0
  }
}
