/**
 * How sure we are that a number is the company's phone, from how it was found. A small fixed rule
 * set rather than a model, so every score can be explained:
 *
 * | Evidence                                                     | Confidence |
 * | ------------------------------------------------------------ | ---------- |
 * | `tel:` link whose number is also shown on the page           | 0.95       |
 * | labelled "Tél", "Téléphone", "Portable"… right before it     | 0.9        |
 * | JSON-LD or microdata `telephone`                             | 0.9        |
 * | `tel:` link whose number is not shown ("Appelez-nous")       | 0.85       |
 * | WhatsApp link (wa.me)                                        | 0.8        |
 * | bare number in the footer, header, contact or legal part     | 0.8        |
 * | bare number elsewhere in the text                            | 0.7        |
 *
 * Then: −0.2 when libphonenumber knows the length of the number but not its range (a new or
 * mistyped range), since a bare string of digits that dials nothing is often no phone at all.
 * A host's or agency's number keeps its score: `thirdParty` says it is not the company's.
 */
import type { PagePart } from "../../parse/ParsedPage.ts"

export type Evidence = "tel_visible" | "labelled" | "structured" | "tel_hidden" | "whatsapp" | "bare"

/** The parts where sites put their own contact details. */
const DETAILS_PARTS: ReadonlySet<PagePart> = new Set(["footer", "header", "contact", "legal"])

const BASE: Readonly<Record<Exclude<Evidence, "bare">, number>> = {
  tel_visible: 0.95,
  labelled: 0.9,
  structured: 0.9,
  tel_hidden: 0.85,
  whatsapp: 0.8
}

const UNKNOWN_RANGE_PENALTY = 0.2

export const confidenceOf = (evidence: Evidence, part: PagePart, valid: boolean): number => {
  const base = evidence === "bare" ? (DETAILS_PARTS.has(part) ? 0.8 : 0.7) : BASE[evidence]
  return valid ? base : Math.round((base - UNKNOWN_RANGE_PENALTY) * 100) / 100
}
