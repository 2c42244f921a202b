/** Company and site names compared as words: case, accents, punctuation and legal forms set aside. */

const LEGAL_FORMS =
  /\b(sarl|sas|sasu|eurl|sa|sci|snc|scop|scp|selarl|selas|sca|gie|ei|eirl|earl|gaec|ets|etablissements?|societe|ste|entreprise|association|asso|groupe|cie|et fils|and co)\b/g
const STOP_WORDS = /\b(le|la|les|l|de|du|des|d|et|en|au|aux|a|the|of|and)\b/g

/** Lower case, no accents, words separated by single spaces; legal forms and stop words dropped when `dropNoise`. */
export const foldName = (name: string, dropNoise = true): string => {
  let folded = name
    .toLowerCase()
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/&/g, " et ")
    .replace(/[^a-z0-9]+/g, " ")
  if (dropNoise) folded = folded.replace(LEGAL_FORMS, " ").replace(STOP_WORDS, " ")
  return folded.replace(/\s+/g, " ").trim()
}

const bigrams = (text: string): Map<string, number> => {
  const counts = new Map<string, number>()
  for (let index = 0; index < text.length - 1; index++) {
    const pair = text.slice(index, index + 2)
    counts.set(pair, (counts.get(pair) ?? 0) + 1)
  }
  return counts
}

/** Sørensen–Dice similarity of two strings' character pairs (0-1), spaces removed. */
export const diceSimilarity = (a: string, b: string): number => {
  const left = a.replace(/ /g, "")
  const right = b.replace(/ /g, "")
  if (left.length < 2 || right.length < 2) return left === right && left !== "" ? 1 : 0
  const pairs = bigrams(left)
  let shared = 0
  for (const [pair, count] of bigrams(right)) {
    const available = pairs.get(pair) ?? 0
    shared += Math.min(available, count)
  }
  return (2 * shared) / (left.length - 1 + (right.length - 1))
}

/**
 * How well a company name matches one of a site's names: 1 when one, without spaces, contains the
 * other (a domain "boulangeriemartin" holds "boulangerie martin"; at least 4 letters), else the best
 * Dice similarity.
 */
export const nameSimilarity = (company: string, siteNames: ReadonlyArray<string>): number => {
  const compact = company.replace(/ /g, "")
  if (compact.length < 2) return 0
  let best = 0
  for (const name of siteNames) {
    const other = name.replace(/ /g, "")
    if (other.length >= 4 && compact.length >= 4 && (other.includes(compact) || compact.includes(other))) return 1
    best = Math.max(best, diceSimilarity(company, name))
  }
  return best
}
