/**
 * Label matching without caring for case or accents ("Hébergé", "HEBERGE", "hébergé" alike), on a
 * copy of the text with the same length, so that a position found in the folded text is the same
 * position in the text as written.
 */

const foldedChars = new Map<string, string>()

const foldChar = (char: string): string => {
  let out = foldedChars.get(char)
  if (out === undefined) {
    // The base letter of an accented one is the first code unit of its canonical decomposition.
    const base = char.normalize("NFD").charAt(0)
    out = base.length === 1 ? base : char
    foldedChars.set(char, out)
  }
  return out
}

const NON_ASCII = /[\u0080-\uffff]/g

/** The same blocks are folded by several scanners: the last few thousand are kept. */
const recent = new Map<string, string>()
const RECENT_MAX = 4096

/** Lower case without accents, one code unit for one code unit. */
export const fold = (text: string): string => {
  const cached = recent.get(text)
  if (cached !== undefined) return cached
  const lower = text.toLowerCase()
  // Lower-casing keeps the length but for a few letters (the dotted capital I): fold those one by one.
  const folded =
    lower.length === text.length
      ? lower.replace(NON_ASCII, foldChar)
      : [...text].map((char) => (char.toLowerCase().length === 1 ? foldChar(char.toLowerCase()) : char)).join("")
  if (recent.size >= RECENT_MAX) recent.clear()
  recent.set(text, folded)
  return folded
}
