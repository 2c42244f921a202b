/**
 * Is a place the company? A 0-1 confidence from the name (token similarity, legal forms and stop
 * words left out) and the location (same postcode, else same city, else same department). A place
 * whose name is too far, or that lies elsewhere than a company whose postcode or city is known, is
 * rejected whatever its name: a namesake in another town is someone else. Among the candidates left,
 * the most confident wins (a chain's branch at the company's postcode over its other branches).
 */
import type { CompanyQuery, PlaceCandidate } from "./PlacesProvider.ts"

export interface PlaceMatch {
  readonly candidate: PlaceCandidate
  /** 0-1, two decimals. */
  readonly confidence: number
  readonly name: number
  readonly location: number
}

/** Weights of the name and location similarities in the confidence. */
export const NAME_WEIGHT = 0.6
export const LOCATION_WEIGHT = 0.4
/** A name less similar than this is never the company. */
export const MIN_NAME_SIMILARITY = 0.5

const LEGAL_FORMS = new Set([
  "sa",
  "sas",
  "sasu",
  "sarl",
  "eurl",
  "sci",
  "snc",
  "scop",
  "selarl",
  "selas",
  "ei",
  "eirl",
  "scm",
  "gie",
  "societe",
  "ste",
  "ets",
  "etablissements",
  "cie",
  "compagnie",
  "groupe",
  "france"
])
const STOP_WORDS = new Set(["de", "du", "des", "la", "le", "les", "l", "d", "et", "a", "au", "aux", "en", "the", "and"])

const fold = (value: string) => value.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/&/g, " et ")

/** Name words that tell companies apart: no accents, legal forms or stop words. */
export const nameTokens = (name: string): string[] => {
  const words = fold(name)
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== "")
  const kept = words.filter((word) => !LEGAL_FORMS.has(word) && !STOP_WORDS.has(word))
  // A name made only of such words ("Société Générale de France" → "generale") keeps what it has.
  return kept.length > 0 ? kept : words
}

const closeWords = (a: string, b: string): boolean => {
  if (a === b) return true
  if (Math.min(a.length, b.length) < 5) return false
  // One edit apart (a typo, a plural): enough for long words.
  if (Math.abs(a.length - b.length) > 1) return false
  let i = 0
  let j = 0
  let edits = 0
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++
      j++
      continue
    }
    if (++edits > 1) return false
    if (a.length > b.length) i++
    else if (b.length > a.length) j++
    else {
      i++
      j++
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1
}

/**
 * 0-1: Dice coefficient over name words (close words count), or 0.9 when every word of the shorter
 * name is in the longer one ("Dupont" in "Boulangerie Dupont").
 */
export const nameSimilarity = (a: string, b: string): number => {
  const left = nameTokens(a)
  const right = nameTokens(b)
  if (left.length === 0 || right.length === 0) return 0
  const used = new Set<number>()
  let common = 0
  for (const word of left) {
    const at = right.findIndex((other, index) => !used.has(index) && closeWords(word, other))
    if (at !== -1) {
      used.add(at)
      common++
    }
  }
  const dice = (2 * common) / (left.length + right.length)
  const contained = common === Math.min(left.length, right.length)
  return Math.round(Math.max(dice, contained ? 0.9 : 0) * 100) / 100
}

/** "PARIS 2", "Paris 2e Arrondissement", "LYON CEDEX 06" → "paris", "lyon". */
export const cityKey = (city: string): string =>
  fold(city)
    .replace(/\bcedex\b.*$/, "")
    .replace(/\b\d+(er|e|eme)?\b.*$/, "")
    .replace(/\barrondissement\b/, "")
    .replace(/\bst\b/g, "saint")
    .replace(/\bste\b/g, "sainte")
    .replace(/[^a-z]+/g, " ")
    .trim()

const departmentOf = (postcode: string) => (postcode.startsWith("97") ? postcode.slice(0, 3) : postcode.slice(0, 2))

/**
 * 0-1: 1 at the company's postcode, 0.8 in its city, 0.3 in its department, 0 elsewhere; 0.5 when
 * the company's location is unknown (the name alone then decides, less surely).
 */
export const locationSimilarity = (company: CompanyQuery, place: PlaceCandidate): number => {
  const postcode = company.postcode?.trim() || null
  const city = company.city ? cityKey(company.city) : ""
  if (postcode === null && city === "") return 0.5
  if (postcode !== null && place.postcode === postcode) return 1
  const placeCity = place.city ? cityKey(place.city) : ""
  const inCity =
    city !== "" && (placeCity === city || (place.address !== null && ` ${fold(place.address)} `.includes(` ${city} `)))
  if (inCity) return 0.8
  if (postcode !== null && place.postcode !== null && departmentOf(place.postcode) === departmentOf(postcode)) {
    return 0.3
  }
  return 0
}

/** The candidate that is the company, or null when none is sure enough (`minConfidence`). */
export const matchPlace = (
  company: CompanyQuery,
  candidates: ReadonlyArray<PlaceCandidate>,
  minConfidence: number
): PlaceMatch | null => {
  let best: PlaceMatch | null = null
  for (const candidate of candidates) {
    const name = Math.max(0, ...company.names.map((known) => nameSimilarity(known, candidate.name)))
    const location = locationSimilarity(company, candidate)
    if (name < MIN_NAME_SIMILARITY || location === 0) continue
    const confidence = Math.round((NAME_WEIGHT * name + LOCATION_WEIGHT * location) * 100) / 100
    if (confidence < minConfidence) continue
    // Ties keep the provider's order: its relevance ranking.
    if (best === null || confidence > best.confidence) best = { candidate, confidence, name, location }
  }
  return best
}
