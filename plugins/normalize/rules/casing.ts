/**
 * Readable casing for INSEE's upper-case labels (street names, communes, first names). The rules
 * only change letter case and spacing: they never add accents or expand abbreviations they do not
 * know, so "ST ETIENNE" becomes "St Etienne", not "Saint-Étienne".
 */

const WHITESPACE = /\s+/g
const UNCLEAN_SPACE = /\s\s|[^\S ]/
const ORDINAL = /^\d+(ER|ERE|EME|E|ND|NDE)$/

/** French particles written in lower case inside a label ("Rue de la Paix", "Saint-Germain-en-Laye"). */
const PARTICLES: ReadonlySet<string> = new Set([
  "de",
  "d", // INSEE often drops the apostrophe: "RUE D ALSACE"
  "l",
  "du",
  "des",
  "la",
  "le",
  "les",
  "à",
  "au",
  "aux",
  "en",
  "sur",
  "sous",
  "et",
  "lès",
  "lez",
  "ès"
])

/** Elided particles before an apostrophe ("d'Alsace", "l'Étoile", "Villeneuve-d'Ascq"). */
const ELIDED: ReadonlySet<string> = new Set(["d", "l", "qu", "jusqu"])

/** Abbreviations that stay in capitals: postal services, zones, road classes, well-known bodies. */
const ACRONYMS: ReadonlySet<string> = new Set([
  "BP",
  "CS",
  "TSA",
  "CEDEX",
  "ZA",
  "ZAC",
  "ZAE",
  "ZAD",
  "ZAL",
  "ZC",
  "ZI",
  "ZIL",
  "ZUP",
  "ZUS",
  "ZFU",
  "RN",
  "RD",
  "CD",
  "VC",
  "HLM",
  "SNCF",
  "RER",
  "CHU",
  "CHR",
  "CCI",
  "EDF",
  "PTT"
])

/** Roman numerals 1..39, kept in capitals ("Avenue Pie XII", "Rue Louis XIV"); larger ones clash with words. */
const ROMAN: ReadonlySet<string> = (() => {
  const tens = ["", "X", "XX", "XXX"]
  const units = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"]
  const numerals = new Set<string>()
  for (const ten of tens) for (const unit of units) if (ten + unit !== "") numerals.add(ten + unit)
  return numerals
})()

/** `s` with runs of whitespace collapsed to one space and trimmed; null when nothing is left. */
export const squash = (s: string | null): string | null => {
  if (s === null) return null
  // Most INSEE labels are already clean: test before paying for a replace.
  const squashed = (UNCLEAN_SPACE.test(s) ? s.replace(WHITESPACE, " ") : s).trim()
  return squashed === "" ? null : squashed
}

/** An upper-case `token` with its first letter kept and the rest in lower case. */
const capitalise = (token: string): string => {
  const lower = token.toLowerCase()
  for (let i = 0; i < token.length; i++) {
    const c = token.charAt(i)
    if (c !== lower.charAt(i)) return lower.slice(0, i) + c + lower.slice(i + 1)
  }
  return lower
}

/** One upper-case token between separators; `elided` when an apostrophe follows it ("D" of "D'ALSACE"). */
const caseToken = (token: string, first: boolean, elided: boolean): string => {
  if (ROMAN.has(token) || ACRONYMS.has(token)) return token
  const lower = token.toLowerCase()
  if (!first && (elided ? ELIDED : PARTICLES).has(lower)) return lower
  if (ORDINAL.test(token)) return lower
  return capitalise(token)
}

const SPACE = 32
const HYPHEN = 45
const APOSTROPHE = 39
const RIGHT_QUOTE = 0x2019

/**
 * A label in readable French case: each word capitalised, particles (de, du, des, la, le, les, à,
 * au, aux, en, sur, sous, et, lès, d', l', and d, l written without apostrophe) in lower case except as the very first word when
 * `capitaliseFirst`, roman numerals and known acronyms (BP, CEDEX, ZI, ZAC, RN…) kept in capitals,
 * ordinals in lower case ("2EME" -> "2eme"). Hyphenated and elided words are cased part by part.
 *
 * @example readableCase("DE LA PAIX", false) // "de la Paix"
 * @example readableCase("L'HAY-LES-ROSES", true) // "L'Hay-les-Roses"
 */
export const readableCase = (label: string | null, capitaliseFirst: boolean): string | null => {
  const squashed = squash(label)
  if (squashed === null) return null
  const upper = squashed.toUpperCase()
  let out = ""
  let start = 0
  let first = capitaliseFirst
  for (let i = 0; i <= upper.length; i++) {
    const c = i < upper.length ? upper.charCodeAt(i) : SPACE
    if (c !== SPACE && c !== HYPHEN && c !== APOSTROPHE && c !== RIGHT_QUOTE) continue
    if (i > start) {
      out += caseToken(upper.slice(start, i), first, c === APOSTROPHE || c === RIGHT_QUOTE)
      first = false
    }
    if (i < upper.length) out += upper.charAt(i)
    start = i + 1
  }
  return out
}

/** A person's first name with each part capitalised ("JEAN-PIERRE" -> "Jean-Pierre", "N'GOLO" -> "N'Golo"). */
export const firstNameCase = (name: string | null): string | null => {
  const squashed = squash(name)
  if (squashed === null) return null
  let out = ""
  let startOfPart = true
  for (const c of squashed.toLowerCase()) {
    out += startOfPart ? c.toUpperCase() : c
    startOfPart = c === " " || c === "-" || c === "'" || c === "’"
  }
  return out
}
