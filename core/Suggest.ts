/**
 * "Did you mean …?" for job keys, step ids and CLI options: the closest known word by edit distance.
 */

/** Lower case, with `-` and `_` treated alike, so `naf-include` and `NAF_Include` both match `naf_include`. */
const normalize = (word: string) => word.toLowerCase().replaceAll("-", "_")

/** Optimal string alignment distance: Levenshtein plus swaps of two adjacent characters. */
const editDistance = (a: string, b: string): number => {
  if (a === b) return 0
  if (a.length === 0) return b.length
  if (b.length === 0) return a.length
  // rows[i][j] is the distance between the first i characters of a and the first j of b.
  const rows: Array<Array<number>> = []
  for (let i = 0; i <= a.length; i++) {
    rows.push(Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  }
  const at = (i: number, j: number) => rows[i]?.[j] ?? Number.POSITIVE_INFINITY
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i]!
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1)
      row[j] = best
    }
  }
  return at(a.length, b.length)
}

/**
 * The candidate closest to `word`, or `undefined` when none is within `max(2, floor(word.length / 3))` edits.
 * Case and the difference between `-` and `_` do not count; on a tie the first candidate wins.
 */
export const closestMatch = (word: string, candidates: ReadonlyArray<string>): string | undefined => {
  const wanted = normalize(word)
  const limit = Math.max(2, Math.floor(word.length / 3))
  let best: { readonly candidate: string; readonly distance: number } | undefined
  for (const candidate of candidates) {
    const distance = editDistance(wanted, normalize(candidate))
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { candidate, distance }
  }
  return best?.candidate
}
