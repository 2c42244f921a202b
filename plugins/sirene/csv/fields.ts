/**
 * Quote-aware splitting of one CSV line held as bytes. Lines are found first (by newline), so a
 * broken quote can spoil only its own line: it never swallows the lines after it.
 */

const COMMA = 0x2c
const QUOTE = 0x22
const CR = 0x0d

export type SplitProblem = "broken_quoting"

/**
 * Splits `bytes[start, end)` into fields, writing [fieldStart, fieldEnd) pairs into `bounds`
 * (quoted fields: the bounds exclude the quotes; `quoted[i]` is 1, and `""` pairs remain inside).
 * Returns the field count, or a problem. A quote inside an unquoted field, or text after a closing
 * quote, is broken quoting (RFC 4180).
 */
export const splitFields = (
  bytes: Uint8Array,
  start: number,
  end: number,
  bounds: Int32Array,
  quoted: Uint8Array
): number | SplitProblem => {
  if (end > start && bytes[end - 1] === CR) end--
  let count = 0
  let position = start
  const capacity = bounds.length >> 1
  for (;;) {
    if (count >= capacity) return count + 1 // more fields than the header can hold: the caller rejects
    if (position < end && bytes[position] === QUOTE) {
      let cursor = position + 1
      for (;;) {
        if (cursor >= end) return "broken_quoting" // an unterminated quoted field
        if (bytes[cursor] === QUOTE) {
          if (cursor + 1 < end && bytes[cursor + 1] === QUOTE) {
            cursor += 2
            continue
          }
          break
        }
        cursor++
      }
      bounds[count * 2] = position + 1
      bounds[count * 2 + 1] = cursor
      quoted[count] = 1
      count++
      position = cursor + 1
      if (position === end) return count
      if (bytes[position] !== COMMA) return "broken_quoting"
      position++
      continue
    }
    let cursor = position
    while (cursor < end && bytes[cursor] !== COMMA) {
      if (bytes[cursor] === QUOTE) return "broken_quoting"
      cursor++
    }
    bounds[count * 2] = position
    bounds[count * 2 + 1] = cursor
    quoted[count] = 0
    count++
    if (cursor >= end) return count
    position = cursor + 1
  }
}

const decoder = new TextDecoder("utf-8", { fatal: true })

export class InvalidUtf8 extends Error {
  constructor() {
    super("a field holds bytes that are not UTF-8")
  }
}

/** A field's text with a quoted field's doubled quotes (`""`) undone. */
export const unescapeField = (text: string, quoted: boolean): string =>
  quoted && text.includes('""') ? text.replaceAll('""', '"') : text

/** The text of field `index`, unescaping `""`; throws InvalidUtf8 on bytes that are not UTF-8. */
export const fieldText = (bytes: Uint8Array, bounds: Int32Array, quoted: Uint8Array, index: number): string => {
  const from = bounds[index * 2]!
  const to = bounds[index * 2 + 1]!
  if (from === to) return ""
  let ascii = true
  for (let i = from; i < to; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false
      break
    }
  }
  let text: string
  if (ascii) {
    // One call makes one flat string; `+=` per character would leave a rope of tiny nodes per field.
    text = String.fromCharCode.apply(null, bytes.subarray(from, to) as unknown as number[])
  } else {
    try {
      text = decoder.decode(bytes.subarray(from, to))
    } catch {
      throw new InvalidUtf8()
    }
  }
  return unescapeField(text, quoted[index] === 1)
}

/** Compares field `index` with an ASCII string, byte for byte, without decoding. */
export const fieldEquals = (bytes: Uint8Array, bounds: Int32Array, index: number, ascii: string): boolean => {
  const from = bounds[index * 2]!
  const to = bounds[index * 2 + 1]!
  if (to - from !== ascii.length) return false
  for (let i = 0; i < ascii.length; i++) if (bytes[from + i] !== ascii.charCodeAt(i)) return false
  return true
}

/** True when field `index` starts with the ASCII `prefix`. */
export const fieldStartsWith = (bytes: Uint8Array, bounds: Int32Array, index: number, prefix: string): boolean => {
  const from = bounds[index * 2]!
  const to = bounds[index * 2 + 1]!
  if (to - from < prefix.length) return false
  for (let i = 0; i < prefix.length; i++) if (bytes[from + i] !== prefix.charCodeAt(i)) return false
  return true
}

/** The whole line as text for a rejects file (invalid bytes replaced, so the reason stays readable). */
export const lineText = (bytes: Uint8Array, start: number, end: number): string =>
  new TextDecoder("utf-8").decode(bytes.subarray(start, end > start && bytes[end - 1] === CR ? end - 1 : end))
