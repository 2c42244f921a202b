/**
 * Finds addresses in visible text, plain or written to fool harvesters: `contact[at]acme.fr`,
 * `contact (at) acme (dot) fr`, `contact[@]acme.fr`, `contact [arobase] acme.fr`,
 * `contact arobase acme point fr`, `contact at acme.fr` (only where the text asks for it), and
 * `contact @ acme.fr` (the parser joins inline elements, so an address split over spans arrives
 * with spaces at most). What is matched is decoded, not judged: traps are `traps.ts`'s job.
 */
import { isCommonTld } from "./tlds.ts"

export interface TextMatch {
  /** Decoded and lower-cased. */
  readonly address: string
  /** The obfuscation as written ("[at]", " arobase ", "[at]+[dot]", "split"…), or null for a plain address. */
  readonly obfuscation: string | null
  readonly start: number
  readonly end: number
}

/** Brackets around "at"/"dot": `[at]`, `(at)`, `{at}`, `<at>`, with optional inner spaces. */
const open = String.raw`[\[({<]\s*`
const close = String.raw`\s*[\])}>]`

const AT = [
  String.raw`\s{0,3}[@\uff20]\s{0,3}`,
  String.raw`\s*${open}(?:at|@|arobase|arobas|chez)${close}\s*`,
  String.raw`\s+(?:arobase|arobas)\s+`,
  String.raw`\s+at\s+`
].join("|")

/** Dots inside an address: a real dot, or a bracketed word/dot (`[dot]`, `(point)`, `[.]`). */
const DOT = String.raw`\.|\s*${open}(?:dot|point|pt|\.)${close}\s*`
/** A dot spelled as a word (`acme point fr`): only in the domain of an address whose @ is also spelled out. */
const WORD_DOT = String.raw`\s+(?:dot|point)\s+`

const LOCAL = `[a-z0-9][a-z0-9_+-]*(?:(?:${DOT})[a-z0-9_+-]+)*`
const LABEL = String.raw`[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?`
/** The TLD may run into a following word glued on by markup (`acme.frTél`): `trimGluedTld` cuts it. */
const TLD = String.raw`\p{L}{2,40}(?![\p{L}_-])`

/** Not starting inside a word: `xcontact@…` must not yield `contact@…`. */
const START = String.raw`(?<![\p{L}\p{N}._+-])`

const ADDRESS = new RegExp(`${START}(?<local>${LOCAL})(?<at>${AT})(?<domain>(?:${LABEL}(?:${DOT}))+${TLD})`, "giu")
const SPELLED_ADDRESS = new RegExp(
  `${START}(?<local>${LOCAL})(?<at>${AT})(?<domain>(?:${LABEL}(?:${WORD_DOT}))+${TLD})`,
  "giu"
)

/** Cheap test before the regexes: every form holds "@", "at" or "arobase". */
const maybeAddress = (text: string): boolean => text.includes("@") || /\uff20|arobas|\bat\b/i.test(text)

const MAYBE_SPELLED = /\s(dot|point)\s/i

/** Words that read as " at " in English prose, never as an address's local part. */
const PROSE = new Set(["us", "me", "we", "it", "him", "her", "them", "you", "online", "based", "located", "available"])

/** Labels that announce an address, which an " at " form needs before it to be trusted. */
const EMAIL_LABEL = /(e-?mail|mail|courriel|m[eé]l|[eé]crire|[eé]crivez|contact)\s*:?\s*$/i

/** The written form of an @ or a dot, normalised: "[ AT ]" → "[at]", " arobase " kept with its spaces. */
const formOf = (written: string): string | null => {
  const compact = written.toLowerCase().replace(/\s+/g, "")
  if (compact === "@" || compact === ".") return written === compact ? null : "split"
  if (compact === "\uff20") return "\uff20"
  if (/^[[({<]/.test(compact)) return compact
  return ` ${compact} `
}

const ANY_DOT = new RegExp(`${DOT}|${WORD_DOT}`, "giu")

const decodeDots = (part: string): string => part.replace(ANY_DOT, ".")

const dotForms = (part: string): string | null => {
  if (!/[^a-z0-9_+.-]/i.test(part)) return null
  for (const match of part.matchAll(ANY_DOT)) {
    const form = formOf(match[0])
    if (form !== null) return form
  }
  return null
}

/** `acme.frTél` → `acme.fr`: a lower-case TLD followed by a capital is a word glued on by markup. */
const trimGluedTld = (domain: string): string => {
  const glued = /\.([a-z]{2,})([A-Z\u00C0-\u00DD][\p{L}]*)$/u.exec(domain)
  return glued === null ? domain : domain.slice(0, domain.length - glued[2]!.length)
}

/**
 * `06 12 34 56 78contact@acme.fr` → `contact@…`: a phone number glued to the address by inline
 * markup leaves its last digits at the front of the local part.
 */
const unglueNumber = (local: string, before: string): string => {
  const glued = /^(\d+)([a-z][\w.+-]*)$/i.exec(local)
  return glued !== null && /\d[\s.-]$/.test(before) ? glued[2]! : local
}

const toMatch = (match: RegExpExecArray, text: string): TextMatch | null => {
  const { at, domain } = match.groups as { at: string; domain: string }
  // "Instagram @acme.paris": a space before a bare @ and none after is a social handle, not an address.
  if (/^\s+[@\uff20]$/.test(at)) return null
  const local = unglueNumber(match.groups!.local!, text.slice(0, match.index))
  const atForm = formOf(at)
  const trimmedDomain = trimGluedTld(domain)
  const decodedDomain = decodeDots(trimmedDomain).toLowerCase()
  const tld = decodedDomain.slice(decodedDomain.lastIndexOf(".") + 1)
  if (!/^[a-z]{2,24}$/.test(tld)) return null
  const domainForm = dotForms(trimmedDomain) ?? dotForms(local)
  const obfuscated = atForm !== null || domainForm !== null
  // A spelled-out address must end in a TLD people use: "instagram @la.belle.peinture" is a handle.
  if (obfuscated && !isCommonTld(tld)) return null
  if (atForm === " at ") {
    const localWord = decodeDots(local).toLowerCase()
    if (PROSE.has(localWord) || decodedDomain.startsWith("www.")) return null
    if (domainForm === null && !EMAIL_LABEL.test(text.slice(Math.max(0, match.index - 40), match.index))) return null
  }
  const forms = [atForm, domainForm].filter((form): form is string => form !== null)
  const uniqueForms = [...new Set(forms)]
  return {
    address: `${decodeDots(local)}@${decodedDomain}`.toLowerCase(),
    obfuscation: uniqueForms.length === 0 ? null : uniqueForms.join("+"),
    start: match.index + match.groups!.local!.length - local.length,
    end: match.index + match.groups!.local!.length + at.length + trimmedDomain.length
  }
}

/** Every address written in `text`, in order of appearance. */
export const scanText = (text: string): TextMatch[] => {
  if (!maybeAddress(text)) return []
  const found: TextMatch[] = []
  for (const match of text.matchAll(ADDRESS)) {
    const result = toMatch(match, text)
    if (result !== null) found.push(result)
  }
  if (!MAYBE_SPELLED.test(text)) return found
  for (const match of text.matchAll(SPELLED_ADDRESS)) {
    // A plain @ with a spelled dot ("contact@acme.fr point de vente") is prose after an address.
    if (/^[\s@\uff20]*$/.test(match.groups?.at ?? "")) continue
    const result = toMatch(match, text)
    if (result === null) continue
    if (found.some((other) => other.start < result.end && result.start < other.end)) continue
    found.push(result)
  }
  return found.sort((left, right) => left.start - right.start)
}
