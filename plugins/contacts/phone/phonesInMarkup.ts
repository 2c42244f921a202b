/**
 * Phone numbers in what the page says to machines: `tel:`/`callto:` and WhatsApp links, JSON-LD
 * `telephone`/`faxNumber` and microdata `telephone`/`faxNumber`. These are written for a program
 * to dial, yet often by hand: `tel:+330963286273`, `tel:0033…`, `tel:01.23.45.67.89`, `tel:+33(0)6…`.
 */
import type { PageLink, ParsedPage, TextBlock } from "../../parse/ParsedPage.ts"
import type { Evidence } from "./confidence.ts"
import { type Phone, toPhone } from "./normalize.ts"
import { findWrittenNumbers } from "./notation.ts"
import type { PhoneOccurrence, PhoneRole } from "./PhoneOccurrence.ts"
import { isPlaceholder } from "./placeholders.ts"
import { linesAbove, ownerOf } from "./thirdParty.ts"

const decode = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * The digits one hand-written dialling string dials, forgiving what browsers and phones forgive:
 * any separators, "(0)" after the calling code, a trunk 0 kept after +33 (`+330963286273`), "00"
 * for "+", "33…" without the "+" (WhatsApp's form), a national number missing its trunk 0.
 */
export const dialableOf = (raw: string): string | undefined => {
  const text = decode(raw)
    .replace(/^\s*(?:tel|callto|sms):(?:\/\/)?/i, "")
    .split(/[?;,]/)[0]!
    .replace(/\(\s*0\s*\)/g, "")
  const international = /^\s*(?:\+|00)/.test(text)
  const digits = text.replace(/\D/g, "")
  const afterCode = international && digits.startsWith("00") ? digits.slice(2) : digits
  if (international || /^33\d{9,10}$/.test(digits)) {
    if (afterCode.startsWith("33")) return `+33${afterCode.slice(2).replace(/^0(?=\d{9}$)/, "")}`
    return international ? `+${afterCode}` : undefined
  }
  if (/^0\d{9}$/.test(digits)) return digits
  if (/^[1-9]\d{8}$/.test(digits)) return `0${digits}`
  return undefined
}

/** A structured value may hold several numbers ("01 23 45 67 89 / 06 12 34 56 78"): each is read as text first. */
const dialablesOfValue = (value: string): string[] => {
  const written = findWrittenNumbers(value)
  if (written.length > 0) return written.map((number) => number.dialable)
  const single = dialableOf(value)
  return single === undefined ? [] : [single]
}

const accepted = (dialable: string | undefined): Phone | undefined => {
  if (dialable === undefined) return undefined
  const phone = toPhone(dialable)
  return phone === undefined || isPlaceholder(phone.national) ? undefined : phone
}

const WHATSAPP = /^https?:\/\/(?:wa\.me\/|(?:api|web)\.whatsapp\.com\/send\/?\?(?:.*&)?phone=)(\+?[\d\s.%-]{8,20})/i

const textBeforeLink = (blocks: ReadonlyArray<TextBlock>, link: PageLink): string => {
  const text = blocks[link.block]?.text ?? ""
  const at = link.text === "" ? -1 : text.indexOf(link.text)
  return at < 0 ? text : text.slice(0, at)
}

/**
 * `tel:` links and WhatsApp links. `shown` holds the numbers visible in the page's text: a link
 * whose number is also shown is the surest sign of the site's own phone.
 */
export const phonesInLinks = (page: ParsedPage, shown: ReadonlySet<string>): PhoneOccurrence[] => {
  const found: PhoneOccurrence[] = []
  for (const link of page.links) {
    if (link.part === "form") continue
    const isTel = /^\s*(?:tel|callto):/i.test(link.href)
    const whatsapp = isTel ? null : WHATSAPP.exec(link.href)
    if (!isTel && whatsapp === null) continue
    const phone = accepted(dialableOf(isTel ? link.href : `+${whatsapp![1]!.replace(/^\+/, "")}`))
    if (phone === undefined) continue
    const evidence: Evidence = !isTel ? "whatsapp" : shown.has(phone.e164) ? "tel_visible" : "tel_hidden"
    found.push({
      phone,
      asWritten: link.href,
      part: link.part,
      via: isTel ? "tel" : "whatsapp",
      evidence,
      role: "either",
      thirdParty: ownerOf(phone.e164, link.part, textBeforeLink(page.blocks, link), linesAbove(page.blocks, link.block))
    })
  }
  return found
}

/** Schema.org properties that hold a number, and what each says it is. */
const PROPERTIES: ReadonlyArray<readonly [string, PhoneRole]> = [
  ["telephone", "phone"],
  ["faxNumber", "fax"]
]

const stringsOf = (value: unknown): string[] => {
  if (typeof value === "string") return [value]
  if (typeof value === "number") return [String(value)]
  if (Array.isArray(value)) return value.flatMap(stringsOf)
  return []
}

/**
 * Keys under which a JSON-LD object describes someone other than the site's owner (the agency
 * credited as the page's author or creator): their numbers are skipped, not claimed.
 */
const OTHER_PARTIES = new Set(["author", "creator", "provider", "funder", "sponsor"])

const walkJsonLd = (node: unknown, visit: (record: Record<string, unknown>) => void, depth = 0) => {
  if (depth > 8) return
  if (Array.isArray(node)) {
    for (const member of node) walkJsonLd(member, visit, depth + 1)
    return
  }
  if (typeof node !== "object" || node === null) return
  const record = node as Record<string, unknown>
  visit(record)
  for (const [key, value] of Object.entries(record)) {
    if (!OTHER_PARTIES.has(key)) walkJsonLd(value, visit, depth + 1)
  }
}

const structured = (
  value: string,
  role: PhoneRole,
  via: "jsonld" | "microdata",
  part: PhoneOccurrence["part"]
): PhoneOccurrence[] =>
  dialablesOfValue(value).flatMap((dialable) => {
    const phone = accepted(dialable)
    if (phone === undefined) return []
    const evidence: Evidence = "structured"
    return [{ phone, asWritten: value, part, via, evidence, role, thirdParty: ownerOf(phone.e164, part, "") }]
  })

/** JSON-LD and microdata `telephone` and `faxNumber`. */
export const phonesInStructuredData = (page: ParsedPage): PhoneOccurrence[] => {
  const found: PhoneOccurrence[] = []
  for (const object of page.jsonLd) {
    walkJsonLd(object, (record) => {
      for (const [property, role] of PROPERTIES) {
        for (const value of stringsOf(record[property])) found.push(...structured(value, role, "jsonld", "main"))
      }
    })
  }
  for (const item of page.microdata) {
    for (const [property, role] of PROPERTIES) {
      for (const value of item.props[property] ?? []) {
        found.push(...structured(value.replace(/^tel:/i, ""), role, "microdata", item.part))
      }
    }
  }
  return found
}
