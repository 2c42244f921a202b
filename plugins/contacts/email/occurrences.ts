/**
 * Every place an address shows on one page, before addresses are merged across the site: visible
 * text (plain, spelled out, split over two lines), `mailto:` links, JSON-LD `email` and microdata
 * `email` properties. Traps are dropped here; ownership is judged from each occurrence's context.
 */
import type { PageLink, PagePart, ParsedPage, ThirdParty } from "../../parse/ParsedPage.ts"
import { partAt } from "./partScope.ts"
import { scanText, type TextMatch } from "./scanText.ts"
import { type Context, ownerOfContext, ownerOfPart } from "./thirdParty.ts"
import { trapOf } from "./traps.ts"

export type Via = "text" | "obfuscated" | "mailto" | "jsonld" | "microdata"

export interface Occurrence {
  readonly address: string
  readonly url: string
  readonly part: PagePart
  readonly via: Via
  readonly obfuscation: string | null
  /** The owner its context names, or null when nothing says it is someone else's. */
  readonly owner: ThirdParty | null
  /** False for a `mailto:` href whose link shows something else (an icon, "Écrivez-nous"). */
  readonly visible: boolean
}

const textOccurrence = (page: ParsedPage, index: number, match: TextMatch, before: string): Occurrence => {
  const block = page.blocks[index]!
  const part = partAt(page.blocks, index, match.start)
  return {
    address: match.address,
    url: page.url,
    part: block.part,
    via: match.obfuscation === null ? "text" : "obfuscated",
    obfuscation: match.obfuscation,
    owner: ownerOfContext({ part, heading: block.heading, before }),
    visible: true
  }
}

/** An address cut by a line break (`distribatsinistres@<br>gmail.com`): the line ends in its @ or the next starts with it. */
const OPEN_AT_END = /(?:[@\uff20]|[[(]\s*(?:at|@|arobase)\s*[\])]|\barobase)$/i
const OPEN_AT_START = /^(?:[@\uff20]|[[(]\s*(?:at|@|arobase)\s*[\])])/i
/** Characters such a line can end (or the next start) with: a cheap test before the regexes (block texts are trimmed). */
const END_CHARS = new Set(["@", "\uff20", "]", ")", "e", "E"])
const START_CHARS = new Set(["@", "\uff20", "[", "("])

const splitAcrossLines = (page: ParsedPage, index: number, into: Occurrence[]): void => {
  const block = page.blocks[index]!
  const next = page.blocks[index + 1]
  if (next === undefined || !(END_CHARS.has(block.text.at(-1) ?? "") || START_CHARS.has(next.text[0] ?? ""))) return
  if (!(OPEN_AT_END.test(block.text.slice(-16)) || OPEN_AT_START.test(next.text))) return
  const head = block.text.slice(-80)
  const joined = `${head} ${next.text.slice(0, 80)}`
  for (const match of scanText(joined)) {
    if (match.start >= head.length || match.end <= head.length + 1) continue
    if (trapOf(match.address, { text: joined, start: match.start, end: match.end }) !== null) continue
    const inBlock = { ...match, start: block.text.length - head.length + match.start }
    into.push({
      ...textOccurrence(page, index, inBlock, joined.slice(0, match.start)),
      via: "obfuscated",
      obfuscation: match.obfuscation === null || match.obfuscation === "split" ? "split" : `split+${match.obfuscation}`
    })
  }
}

const fromText = (page: ParsedPage, into: Occurrence[]): void => {
  page.blocks.forEach((block, index) => {
    for (const match of scanText(block.text)) {
      if (trapOf(match.address, { text: block.text, start: match.start, end: match.end }) !== null) continue
      into.push(textOccurrence(page, index, match, block.text.slice(0, match.start)))
    }
    splitAcrossLines(page, index, into)
  })
}

/** A value that must be one address and nothing else (a mailto target, a JSON-LD `email`). */
export const soleAddress = (value: string): string | null => {
  const trimmed = value.trim().replace(/^mailto:/i, "")
  const matches = scanText(trimmed)
  const only = matches[0]
  if (matches.length !== 1 || only === undefined || only.start !== 0 || only.end !== trimmed.length) return null
  return trapOf(only.address) === null ? only.address : null
}

/** `mailto:a@x.fr,b@y.fr?subject=…` → its addresses, percent-decoded. */
export const mailtoAddresses = (href: string): string[] => {
  const target = href.replace(/^mailto:(\/\/)?/i, "").split("?")[0] ?? ""
  let decoded = target
  try {
    decoded = decodeURIComponent(target)
  } catch {
    // A stray "%" is not an escape: keep the target as written.
  }
  return decoded
    .split(/[,;]/)
    .map(soleAddress)
    .filter((address): address is string => address !== null)
}

/** The link's context: its block's part and heading, and the block text before the link's text. */
export const linkContext = (page: ParsedPage, link: PageLink): Context => {
  const block = page.blocks[link.block]
  const at = block === undefined || link.text === "" ? -1 : block.text.indexOf(link.text)
  if (block === undefined || at < 0) return { part: link.part, heading: block?.heading ?? null, before: "" }
  const part = link.part === block.part ? partAt(page.blocks, link.block, at) : link.part
  return { part, heading: block.heading, before: block.text.slice(0, at) }
}

const fromMailto = (page: ParsedPage): Occurrence[] =>
  page.links.flatMap((link) => {
    if (!/^mailto:/i.test(link.href)) return []
    const addresses = mailtoAddresses(link.href)
    const shown = scanText(link.text).map((match) => match.address)
    // A link showing one address while its href holds another is a template copied without its
    // href updated: the reader sees (and writes to) the shown one, so the href is not trusted.
    const stale = shown.length > 0 && addresses.every((address) => !shown.includes(address))
    if (stale) return []
    const owner = ownerOfContext(linkContext(page, link))
    return addresses.map((address) => ({
      address,
      url: page.url,
      part: link.part,
      via: "mailto" as const,
      obfuscation: null,
      owner,
      visible: shown.includes(address)
    }))
  })

/** `email` values anywhere in a JSON-LD object (the organisation, its contactPoint, its founder…). */
const jsonLdEmails = (node: unknown, into: string[]): void => {
  if (Array.isArray(node)) {
    for (const member of node) jsonLdEmails(member, into)
  } else if (typeof node === "object" && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "email" && typeof value === "string") into.push(value)
      else if (key === "email" && Array.isArray(value)) into.push(...value.filter((v) => typeof v === "string"))
      else jsonLdEmails(value, into)
    }
  }
}

const fromStructuredData = (page: ParsedPage): Occurrence[] => {
  const found: Occurrence[] = []
  const add = (value: string, via: Via, part: PagePart) => {
    const address = soleAddress(value)
    if (address === null) return
    found.push({ address, url: page.url, part, via, obfuscation: null, owner: ownerOfPart(part, null), visible: true })
  }
  const fromJsonLd: string[] = []
  jsonLdEmails(page.jsonLd, fromJsonLd)
  for (const value of fromJsonLd) add(value, "jsonld", "main")
  for (const item of page.microdata) for (const value of item.props.email ?? []) add(value, "microdata", item.part)
  return found
}

/** Every occurrence of an address on the page, in page order within each source. */
export const occurrencesOn = (page: ParsedPage): Occurrence[] => {
  const found: Occurrence[] = []
  fromText(page, found)
  found.push(...fromMailto(page), ...fromStructuredData(page))
  return found
}
