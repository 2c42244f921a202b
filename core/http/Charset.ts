/**
 * Turning body bytes into text. Many French sites still serve windows-1252 or ISO-8859-1, often
 * without saying so or saying the wrong thing. Order: byte-order mark, then the Content-Type charset,
 * then a `<meta>` declaration in the first bytes, then UTF-8; a declared UTF-8 that does not decode
 * falls back to windows-1252 (the usual truth behind such pages).
 */

export interface Decoded {
  readonly text: string
  /** The WHATWG encoding name used, e.g. "utf-8", "windows-1252". */
  readonly charset: string
  /** Where the charset came from. */
  readonly source: "bom" | "header" | "meta" | "default" | "fallback"
}

const META_SCAN_BYTES = 4096

/** The charset parameter of a Content-Type header value, lower-cased. */
export const charsetOfContentType = (contentType: string | null | undefined): string | undefined => {
  const match = contentType ? /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType) : null
  return match?.[1]?.toLowerCase()
}

/** `<meta charset=…>` or `<meta http-equiv="Content-Type" content="…charset=…">` in the first bytes. */
export const charsetOfMeta = (bytes: Uint8Array): string | undefined => {
  const head = new TextDecoder("windows-1252").decode(bytes.subarray(0, META_SCAN_BYTES))
  const direct = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)
  return direct?.[1]?.toLowerCase()
}

/** Loose decoders by label (null: unknown label); a page names one of a handful. */
const decoders = new Map<string, TextDecoder | null>()

/** A TextDecoder for a label, or undefined when the label is unknown. */
const decoderFor = (label: string): TextDecoder | undefined => {
  let decoder = decoders.get(label)
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(label as "utf-8")
    } catch {
      decoder = null
    }
    // Labels come from the web: the cache stays small whatever a site declares.
    if (decoders.size < 64) decoders.set(label, decoder)
  }
  return decoder ?? undefined
}

const bomCharset = (bytes: Uint8Array): string | undefined => {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return "utf-8"
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le"
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be"
  return undefined
}

/** Decodes a text body; never throws (unknown labels and invalid bytes fall back). */
export const decodeBody = (bytes: Uint8Array, contentType: string | null | undefined): Decoded => {
  const bom = bomCharset(bytes)
  if (bom) return { text: new TextDecoder(bom as "utf-8").decode(bytes), charset: bom, source: "bom" }
  // The <meta> scan (a 4 KiB decode and a regex) only when the header names no charset we know.
  const fromHeader = declaredDecoding(bytes, charsetOfContentType(contentType), "header")
  if (fromHeader !== undefined) return fromHeader
  const fromMeta = declaredDecoding(bytes, charsetOfMeta(bytes), "meta")
  if (fromMeta !== undefined) return fromMeta
  const utf8 = tryUtf8(bytes)
  if (utf8 !== undefined) return { text: utf8, charset: "utf-8", source: "default" }
  return { text: new TextDecoder("windows-1252").decode(bytes), charset: "windows-1252", source: "fallback" }
}

/** The body decoded as a declared charset says; undefined when there is no label or it is unknown. */
const declaredDecoding = (
  bytes: Uint8Array,
  label: string | undefined,
  source: Decoded["source"]
): Decoded | undefined => {
  if (label === undefined) return undefined
  const loose = decoderFor(label)
  if (loose === undefined) return undefined
  const charset = loose.encoding
  if (charset !== "utf-8") return { text: loose.decode(bytes), charset, source }
  const strict = tryUtf8(bytes)
  if (strict !== undefined) return { text: strict, charset, source }
  return { text: new TextDecoder("windows-1252").decode(bytes), charset: "windows-1252", source: "fallback" }
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true })

const tryUtf8 = (bytes: Uint8Array): string | undefined => {
  try {
    return strictUtf8.decode(bytes)
  } catch {
    return undefined
  }
}
