/**
 * UTF-8 for the Arrow row builder, written out in JavaScript because it runs once per value: a call
 * into the runtime (`Buffer.write`) cost more than the work itself on the short values of registry
 * rows. Measured on 44k normalised rows (24 columns), with the date arithmetic of `core/CalendarDate.ts`:
 * the row builder went from 81 to 51 ms.
 */

/** Strings longer than this are encoded by the runtime; shorter ones in JavaScript (see `encodeUtf8`). */
const NATIVE_ENCODE_FROM = 64

/**
 * Writes `text` as UTF-8 at `at` (room for 3 bytes per UTF-16 unit is there) and returns the bytes
 * written. A native `Buffer.write` per value costs more in the call than in the encoding for the short
 * values of registry rows (13 characters on average): this loop encodes 44k rows' strings in about half
 * the time. Lone surrogates become U+FFFD, as `Buffer.write` makes them.
 */
export const encodeUtf8 = (bytes: Buffer, at: number, text: string): number => {
  const length = text.length
  if (length > NATIVE_ENCODE_FROM) return bytes.write(text, at, "utf8")
  let out = at
  for (let i = 0; i < length; i++) {
    let code = text.charCodeAt(i)
    if (code < 0x80) {
      bytes[out++] = code
    } else if (code < 0x800) {
      bytes[out++] = 0xc0 | (code >> 6)
      bytes[out++] = 0x80 | (code & 0x3f)
    } else {
      if (code >= 0xd800 && code <= 0xdfff) {
        const next = i + 1 < length ? text.charCodeAt(i + 1) : 0
        if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00)
          i++
          bytes[out++] = 0xf0 | (code >> 18)
          bytes[out++] = 0x80 | ((code >> 12) & 0x3f)
          bytes[out++] = 0x80 | ((code >> 6) & 0x3f)
          bytes[out++] = 0x80 | (code & 0x3f)
          continue
        }
        code = 0xfffd
      }
      bytes[out++] = 0xe0 | (code >> 12)
      bytes[out++] = 0x80 | ((code >> 6) & 0x3f)
      bytes[out++] = 0x80 | (code & 0x3f)
    }
  }
  return out - at
}
