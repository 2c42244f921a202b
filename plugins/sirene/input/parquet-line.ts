/** The bridge from Parquet rows to the collector's byte-level filters, which work on split CSV lines. */

/**
 * Lays a row's values out like a split CSV line — bytes plus field bounds at the header's column
 * indexes — so the collector's byte-level tests (CompiledFilter.keep, fieldEquals, ...) apply to
 * Parquet rows unchanged. Null is the empty field. The returned buffers are reused by the next call.
 */
export const rowAsLine = (
  header: { readonly columns: ReadonlyMap<string, number>; readonly count: number },
  names: ReadonlyArray<string>
) => {
  const targets = names.flatMap((name) => {
    const index = header.columns.get(name)
    return index === undefined ? [] : [[name, index] as const]
  })
  const bounds = new Int32Array((header.count + 1) * 2)
  const encoder = new TextEncoder()
  let bytes = new Uint8Array(4096)
  return (row: Readonly<Record<string, string | null | undefined>>): { bytes: Uint8Array; bounds: Int32Array } => {
    let at = 0
    for (const [name, index] of targets) {
      const text = row[name] ?? ""
      if (at + text.length * 3 > bytes.length) {
        const larger = new Uint8Array(Math.max(bytes.length * 2, at + text.length * 3))
        larger.set(bytes.subarray(0, at))
        bytes = larger
      }
      const from = at
      let ascii = true
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i)
        if (code >= 0x80) {
          ascii = false
          break
        }
        bytes[at + i] = code
      }
      at += ascii ? text.length : encoder.encodeInto(text, bytes.subarray(from)).written
      bounds[index * 2] = from
      bounds[index * 2 + 1] = at
    }
    return { bytes, bounds }
  }
}
