/**
 * Name heuristics: the domains a French company most likely registered, from its denomination, display
 * name and enseigne. Pure functions: legal forms, accents and punctuation go; "&" becomes "et" (or
 * nothing); initials ("S.N.C.F.") join; variants are hyphenated and joined, with and without small
 * words ("de", "la"…), with and without the city, on .fr, .com and .eu, best guesses first.
 */

/** Legal forms and their noise words: never part of a domain. */
const LEGAL_FORMS = new Set([
  "sarl",
  "sarlu",
  "sas",
  "sasu",
  "sa",
  "eurl",
  "snc",
  "sci",
  "scp",
  "scm",
  "scop",
  "scic",
  "sca",
  "scs",
  "sel",
  "selarl",
  "selas",
  "selafa",
  "selca",
  "ei",
  "eirl",
  "gie",
  "gaec",
  "earl",
  "sem",
  "spa",
  "ste",
  "societe",
  "ets",
  "etablissements",
  "etablissement",
  "entreprise"
])

/** Words a domain often drops ("boulangerie-de-la-gare" → "boulangerie-gare"). */
const SMALL_WORDS = new Set(["de", "du", "des", "la", "le", "les", "l", "d", "et", "a", "au", "aux", "en", "sur"])

/**
 * Trades that alone name thousands of businesses: a domain made of one of them is someone else's
 * (or a directory), so a name reduced to one such word gives no candidate.
 */
const GENERIC_WORDS = new Set([
  "boulangerie",
  "patisserie",
  "restaurant",
  "garage",
  "pharmacie",
  "coiffure",
  "conseil",
  "consulting",
  "immobilier",
  "transport",
  "transports",
  "plomberie",
  "electricite",
  "batiment",
  "menuiserie",
  "informatique",
  "services",
  "holding",
  "boucherie",
  "fleuriste",
  "cafe",
  "bar",
  "hotel",
  "taxi",
  "auto",
  "immo",
  "france"
])

export const DEFAULT_TLDS = ["fr", "com", "eu"] as const

/** Lower-case ASCII words: accents dropped, ligatures spelled out, "&" as "et", initials joined. */
export const nameWords = (text: string): string[] => {
  const ascii = text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[œŒ]/g, "oe")
    .replace(/[æÆ]/g, "ae")
    .toLowerCase()
    // Initials: "s.n.c.f." or "a.b.c" → "sncf", "abc".
    .replace(/\b(?:[a-z0-9]\.){2,}[a-z0-9]?\.?/g, (initials) => initials.replace(/\./g, ""))
    .replace(/&/g, " et ")
    // Apostrophes (straight and typographic) end an elided word: "l'atelier" → "l atelier".
    .replace(/['’`]/g, " ")
    // Bracketed parts are sole-proprietor usage names or remarks: keep their words.
    .replace(/[^a-z0-9]+/g, " ")
    .trim()
  return ascii === "" ? [] : ascii.split(/\s+/)
}

/** The words that make the name: legal forms dropped (anywhere: "SARL X", "X SARL", "X (SAS)"). */
export const coreWords = (text: string): string[] => nameWords(text).filter((word) => !LEGAL_FORMS.has(word))

/** Words a page must show to be about this name: core words without small words. */
export const significantWords = (text: string): string[] =>
  coreWords(text).filter((word) => !SMALL_WORDS.has(word) && word.length > 1)

const validLabel = (label: string): boolean =>
  label.length >= 3 && label.length <= 63 && /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(label) && !label.includes("--")

/** Domain labels for one name, best first: hyphenated, joined, then without small words, without "et". */
export const labelsOf = (text: string): string[] => {
  const words = coreWords(text)
  if (words.length === 0) return []
  const withoutSmall = words.filter((word) => !SMALL_WORDS.has(word))
  const withoutEt = words.filter((word) => word !== "et")
  if (withoutSmall.length === 1 && GENERIC_WORDS.has(withoutSmall[0]!)) return []
  if (withoutSmall.length === 0) return []
  const labels: string[] = []
  for (const variant of [words, withoutEt, withoutSmall]) {
    labels.push(variant.join("-"), variant.join(""))
  }
  return [...new Set(labels)].filter(validLabel)
}

export interface NameSources {
  /** Display name (`name`): the enseigne or trading name, else the legal name. */
  readonly name?: string | null | undefined
  /** Denomination (`legal_name`). */
  readonly legalName?: string | null | undefined
  /** The establishment's sign, when known apart from the display name. */
  readonly enseigne?: string | null | undefined
  readonly city?: string | null | undefined
}

export interface CandidateOptions {
  /** Top-level domains, in order of preference. @default ["fr", "com", "eu"] */
  readonly tlds?: ReadonlyArray<string>
  /** Also the name followed by the city ("boulangerie-martin-lyon"). @default true */
  readonly withCity?: boolean
}

/** Interleaves lists, first items of each first, without repeats. */
const interleave = (lists: ReadonlyArray<ReadonlyArray<string>>): string[] => {
  const out = new Set<string>()
  const longest = Math.max(0, ...lists.map((list) => list.length))
  for (let index = 0; index < longest; index++) for (const list of lists) if (list[index]) out.add(list[index]!)
  return [...out]
}

/**
 * Candidate domains for a company, most likely first: for each name (enseigne, display name,
 * denomination) its labels on each TLD (.fr before .com before .eu), then with the city.
 *
 * @example
 * candidateDomains({ legalName: "SARL BOULANGERIE MARTIN" }).slice(0, 4)
 * // ["boulangerie-martin.fr", "boulangeriemartin.fr", "boulangerie-martin.com", "boulangeriemartin.com"]
 */
export const candidateDomains = (sources: NameSources, options: CandidateOptions = {}): string[] => {
  const tlds = options.tlds ?? DEFAULT_TLDS
  const names = [sources.enseigne, sources.name, sources.legalName].filter(
    (value): value is string => typeof value === "string" && value.trim() !== ""
  )
  const labelLists = names.map(labelsOf)
  const cityWords = sources.city
    ? coreWords(sources.city.replace(/\bcedex\b.*$/i, "")).filter((w) => !/^\d+$/.test(w))
    : []
  const cityLabel = cityWords.join("-")
  const plain = interleave(labelLists)
  // Per TLD in turn: the two first labels (hyphenated and joined of the best name) lead on every TLD.
  const byTld = (labels: ReadonlyArray<string>) => {
    const head = labels.slice(0, 2)
    const tail = labels.slice(2)
    return [
      ...tlds.flatMap((tld) => head.map((label) => `${label}.${tld}`)),
      ...tlds.flatMap((tld) => tail.map((label) => `${label}.${tld}`))
    ]
  }
  const domains = byTld(plain)
  if ((options.withCity ?? true) && cityLabel !== "") {
    const withCity = plain
      .filter((label) => !label.endsWith(cityLabel.replace(/-/g, "")) && !label.endsWith(cityLabel))
      .flatMap((label) =>
        label.includes("-") ? [`${label}-${cityLabel}`] : [`${label}${cityLabel.replace(/-/g, "")}`]
      )
      .filter(validLabel)
    domains.push(...byTld(withCity))
  }
  return [...new Set(domains)]
}
