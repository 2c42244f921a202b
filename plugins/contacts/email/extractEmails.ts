/**
 * The email addresses of one site: every distinct address found on its pages, once, with whose it
 * is (the company's own, or the host's, the agency's, a platform's, a public body's), how it was
 * written and how sure we are. Own addresses come first.
 *
 * @example
 * const emails = extractEmails({ domain: "acme.fr", pages: [parseHtml(html, { url })] })
 * const own = emails.filter((email) => email.thirdParty === null)
 */
import type { Found, SitePages, ThirdParty } from "../../parse/ParsedPage.ts"
import { addressKind } from "./addressKind.ts"
import { isDisposableDomain, isFreeMail, isOnDomain, ownerOfDomain, registrableDomain } from "./domains.ts"
import { creditedDomains } from "./linkedDomains.ts"
import { type Occurrence, occurrencesOn } from "./occurrences.ts"

export interface EmailFound extends Found {
  /** A role or business mailbox (`contact@`, `accueil@`) or a person's (`prenom.nom@`, `p.nom@`): personal data. */
  readonly kind: "generic" | "nominative"
  /** On the site's own domain or a subdomain of it; null when the site's domain is unknown. */
  readonly onSiteDomain: boolean | null
  /** On a throwaway-mailbox domain (the `disposable-email-domains-js` list). */
  readonly disposable: boolean
  /** How the kept occurrence was written ("[at]", " arobase ", "[at]+[dot]", "split"…), or null when plain. */
  readonly obfuscation: string | null
}

/**
 * Confidence that an address is the company's own and read right, from its best occurrence:
 * - how it was found: a mailto link showing its own address, JSON-LD or microdata 0.9; plain text
 *   0.85; spelled-out text 0.8 (decoding is one more step that can go wrong); a spelled " at " 0.6;
 *   a mailto href the reader never sees (the link shows an icon or "Écrivez-nous") 0.7;
 * - +0.05 when the address is confirmed: found by two different means (mailto and text, text and
 *   JSON-LD) or on two pages; +0.05 in a legal notice or contact section, where a company states
 *   its own address;
 * - on the site's own domain: at least 0.95;
 * - in a form: halved (form text is mostly hints);
 * - someone else's (thirdParty set): 0.05, however well it was read.
 */
const baseConfidence = (occurrence: Occurrence): number => {
  if (occurrence.via === "mailto") return occurrence.visible ? 0.9 : 0.7
  if (occurrence.via === "jsonld" || occurrence.via === "microdata") return 0.9
  if (occurrence.via === "text") return 0.85
  return occurrence.obfuscation === " at " ? 0.6 : 0.8
}

const confidenceOf = (best: Occurrence, all: ReadonlyArray<Occurrence>, onSite: boolean | null): number => {
  let confidence = baseConfidence(best)
  const confirmed = new Set(all.map((occurrence) => occurrence.via)).size > 1 || new Set(all.map((o) => o.url)).size > 1
  if (confirmed) confidence += 0.05
  if (best.part === "legal" || best.part === "contact") confidence += 0.05
  if (onSite === true) confidence = Math.max(confidence, 0.95)
  if (best.part === "form") confidence /= 2
  return Math.min(0.99, Math.round(confidence * 100) / 100)
}

/** Own before third-party, then the more certain way of finding it. */
const better = (left: Occurrence, right: Occurrence): boolean => {
  if ((left.owner === null) !== (right.owner === null)) return left.owner === null
  return baseConfidence(left) > baseConfidence(right)
}

/**
 * Whose the address is. Its domain decides first (the site's own; a known host, platform or
 * public body; a domain the credits link to), then a role address on a company domain in the host
 * section; otherwise it is the site's own as soon as one occurrence stands in the site's own
 * context, and the owner its context names if none does.
 */
const ownerOf = (
  address: string,
  occurrences: ReadonlyArray<Occurrence>,
  site: SitePages,
  credited: ReadonlyMap<string, ThirdParty>
): ThirdParty | null => {
  const domain = address.slice(address.lastIndexOf("@") + 1)
  if (site.domain !== null && isOnDomain(domain, site.domain)) return null
  const byDomain = ownerOfDomain(domain) ?? credited.get(registrableDomain(domain))
  if (byDomain !== undefined && byDomain !== null) return byDomain
  // A host's role mailbox (support@, contact@ at its own domain) in the host section is the host's,
  // even where boilerplate repeats it elsewhere; a free-mail or personal one may be a self-hosting owner's.
  const inHostSection = occurrences.some((occurrence) => occurrence.owner === "host")
  if (inHostSection && !isFreeMail(domain) && addressKind(address) === "generic") return "host"
  if (occurrences.some((occurrence) => occurrence.owner === null)) return null
  return occurrences[0]?.owner ?? null
}

const toFound = (
  occurrences: ReadonlyArray<Occurrence>,
  site: SitePages,
  credited: ReadonlyMap<string, ThirdParty>,
  fetchedAt: ReadonlyMap<string, number | null>
): EmailFound => {
  const best = occurrences.reduce((kept, next) => (better(next, kept) ? next : kept))
  const domain = best.address.slice(best.address.lastIndexOf("@") + 1)
  const onSiteDomain = site.domain === null ? null : isOnDomain(domain, site.domain)
  const thirdParty = ownerOf(best.address, occurrences, site, credited)
  return {
    value: best.address,
    url: best.url,
    part: best.part,
    via: best.via,
    confidence: thirdParty === null ? confidenceOf(best, occurrences, onSiteDomain) : 0.05,
    thirdParty,
    fetchedAt: fetchedAt.get(best.url) ?? null,
    kind: addressKind(best.address),
    onSiteDomain,
    disposable: isDisposableDomain(domain),
    obfuscation: best.obfuscation
  }
}

/** What markup glues in front of an address: a label (`<b>Email</b><a>contact@…</a>`) or a phone number's digits. */
const GLUED_PREFIX = /^(?:\d+|e-?mail|mail|courriel|m[eé]l|adresse|t[eé]l)$/

/**
 * `emailcontact@acme.fr` or `contact@acme.frou` beside `contact@acme.fr`: a text-only address that
 * is another address with a label or digits glued on its front, or the next word glued on its end
 * (`<a>contact@acme.fr</a>ou par téléphone`), is that other address read with its neighbour.
 */
const isGluedCopy = (address: string, occurrences: ReadonlyArray<Occurrence>, all: ReadonlySet<string>): boolean => {
  if (occurrences.some((occurrence) => occurrence.via !== "text")) return false
  for (const other of all) {
    if (other.length >= address.length) continue
    // Two letters at least: `acme.com` is not `acme.co` with a word glued on.
    if (address.startsWith(other) && /^[a-z]{2,}$/.test(address.slice(other.length))) return true
    if (address.endsWith(other) && GLUED_PREFIX.test(address.slice(0, address.length - other.length))) return true
  }
  return false
}

/** Every distinct address on the site's pages: own ones first, then by confidence, then in page order. */
export const extractEmails = (site: SitePages): EmailFound[] => {
  const byAddress = new Map<string, Occurrence[]>()
  for (const page of site.pages) {
    for (const occurrence of occurrencesOn(page)) {
      const list = byAddress.get(occurrence.address)
      if (list === undefined) byAddress.set(occurrence.address, [occurrence])
      else list.push(occurrence)
    }
  }
  if (byAddress.size === 0) return []
  // Only addresses on a company's own kind of domain can be an agency's by its credit links.
  const candidates = new Set(
    [...byAddress.keys()]
      .map((address) => address.slice(address.lastIndexOf("@") + 1))
      .filter((domain) => !isFreeMail(domain) && ownerOfDomain(domain) === null)
      .map(registrableDomain)
  )
  const credited = creditedDomains(site, candidates)
  const fetchedAt = new Map(site.pages.map((page) => [page.url, page.fetchedAt] as const))
  const addresses = new Set(byAddress.keys())
  const found = [...byAddress.entries()]
    .filter(([address, occurrences]) => !isGluedCopy(address, occurrences, addresses))
    .map(([, occurrences]) => toFound(occurrences, site, credited, fetchedAt))
  // Array.prototype.sort is stable: equal addresses keep their page order.
  return found.sort(
    (left, right) =>
      Number(left.thirdParty !== null) - Number(right.thirdParty !== null) || right.confidence - left.confidence
  )
}
