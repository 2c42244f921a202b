/**
 * The phone numbers of a site: every distinct number once, in E.164 with its region and line type,
 * told apart as the company's own, a fax, or a third party's (the host's, the agency's).
 */
import type { Found, ParsedPage, SitePages } from "../../parse/ParsedPage.ts"
import { confidenceOf } from "./confidence.ts"
import type { PhoneType } from "./normalize.ts"
import type { PhoneOccurrence } from "./PhoneOccurrence.ts"
import { phonesInLinks, phonesInStructuredData } from "./phonesInMarkup.ts"
import { phonesInText } from "./phonesInText.ts"

export type { PhoneType } from "./normalize.ts"

export interface PhoneFound extends Found {
  /** E.164: "+33698521832", "+262262…". */
  readonly value: string
  readonly type: PhoneType
  /** ISO 3166 region libphonenumber gives (FR, GP, MQ, GF, RE, YT, PM, NC, PF…). */
  readonly region: string
  /** Labelled as a fax ("Fax", "Télécopie", "Téléc.") wherever it is labelled: not a contact phone. */
  readonly fax: boolean
  readonly asWritten: string
}

interface Candidate {
  readonly occurrence: PhoneOccurrence
  readonly page: ParsedPage
  readonly confidence: number
  /** Order of discovery, for a stable output. */
  readonly order: number
}

const occurrencesOf = (page: ParsedPage): PhoneOccurrence[] => {
  const inText = phonesInText(page.blocks)
  const shown = new Set(inText.map((occurrence) => occurrence.phone.e164))
  return [...inText, ...phonesInLinks(page, shown), ...phonesInStructuredData(page)]
}

/** Own beats a third party's (a number the site shows as its own is its own), then confidence, then first seen. */
const better = (a: Candidate, b: Candidate): boolean => {
  const aOwn = a.occurrence.thirdParty === null
  const bOwn = b.occurrence.thirdParty === null
  if (aOwn !== bOwn) return aOwn
  if (a.confidence !== b.confidence) return a.confidence > b.confidence
  return a.order < b.order
}

/**
 * A fax when some place labels it a fax and none labels it a phone: bare numbers and `tel:` links
 * say nothing either way, and "Tél/Fax" makes it a phone.
 */
const isFax = (candidates: ReadonlyArray<Candidate>): boolean =>
  candidates.some((candidate) => candidate.occurrence.role === "fax") &&
  !candidates.some((candidate) => candidate.occurrence.role === "phone")

const toFound = (best: Candidate, fax: boolean): PhoneFound => {
  const { occurrence, page } = best
  return {
    value: occurrence.phone.e164,
    url: page.url,
    part: occurrence.part,
    via: occurrence.via,
    confidence: best.confidence,
    thirdParty: occurrence.thirdParty,
    fetchedAt: page.fetchedAt,
    type: occurrence.phone.type,
    region: occurrence.phone.region,
    fax,
    asWritten: occurrence.asWritten
  }
}

/** Own phones first, then own faxes, then third parties' numbers; by confidence, then first seen. */
const rank = (phone: PhoneFound): number => (phone.thirdParty !== null ? 2 : phone.fax ? 1 : 0)

/**
 * Every distinct phone number of a site's pages, once, at its best occurrence.
 *
 * @example
 * const site = { domain: null, pages: [parseHtml(html, { url: "https://www.acme.fr/contact" })] }
 * extractPhones(site) // [{ value: "+33698521832", type: "mobile", region: "FR", fax: false, … }]
 */
export const extractPhones = (site: SitePages): PhoneFound[] => {
  const byNumber = new Map<string, Candidate[]>()
  let order = 0
  for (const page of site.pages) {
    for (const occurrence of occurrencesOf(page)) {
      const confidence = confidenceOf(occurrence.evidence, occurrence.part, occurrence.phone.valid)
      const candidate: Candidate = { occurrence, page, confidence, order: order++ }
      const list = byNumber.get(occurrence.phone.e164)
      if (list === undefined) byNumber.set(occurrence.phone.e164, [candidate])
      else list.push(candidate)
    }
  }
  const found: Array<{ phone: PhoneFound; order: number }> = []
  for (const candidates of byNumber.values()) {
    const best = candidates.reduce((a, b) => (better(b, a) ? b : a))
    // Whether it is a fax is read from the places of the same ownership as the best one.
    const owned = candidates.filter(
      (candidate) => (candidate.occurrence.thirdParty === null) === (best.occurrence.thirdParty === null)
    )
    found.push({
      phone: toFound(best, isFax(owned)),
      order: Math.min(...candidates.map((candidate) => candidate.order))
    })
  }
  return found
    .sort((a, b) => rank(a.phone) - rank(b.phone) || b.phone.confidence - a.phone.confidence || a.order - b.order)
    .map(({ phone }) => phone)
}
