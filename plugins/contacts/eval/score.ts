/**
 * Precision and recall of extracted values against labels, per field, over all sites: a value the
 * extractor gives as the site's own is a true positive when labelled, neutral when the labels say
 * extracting it is neither required nor wrong (a fax, an address only in a href, data only a browser
 * shows), and a false positive otherwise (traps, the host's or agency's values, noise).
 */

import type { SiteContacts } from "../extractContacts.ts"
import { normalizeSocialUrl } from "../social/extractSocial.ts"

import { FIELDS, type Field } from "./fields.ts"

export { FIELDS, type Field }

export interface FieldTruth {
  /** The site's own values: each must be found. */
  readonly own: ReadonlyArray<string>
  /** Neither required nor an error when found. */
  readonly neutral: ReadonlyArray<string>
}

export interface SiteTruth {
  readonly id: string
  /** Fields the site is labelled for (a field left out is not scored for that site). */
  readonly fields: Partial<Record<Field, FieldTruth>>
}

export interface FieldScore {
  readonly tp: number
  readonly fp: number
  readonly fn: number
  /** 1 when nothing was extracted. */
  readonly precision: number
  /** 1 when nothing was labelled. */
  readonly recall: number
  readonly falsePositives: ReadonlyArray<{ readonly site: string; readonly value: string }>
  readonly misses: ReadonlyArray<{ readonly site: string; readonly value: string }>
}

/** Comparison forms: emails lower-cased, identifiers as digits, social links by normalised URL. */
export const normalizeValue = (field: Field, value: string): string => {
  switch (field) {
    case "emails":
      return value.trim().toLowerCase()
    case "phones":
      return value.replace(/[^\d+]/g, "")
    case "siren":
    case "siret":
      return value.replace(/\D/g, "")
    case "social":
      return normalizeSocialUrl(value.trim())
  }
}

/** What the extractors gave as the site's own, per field (faxes and third-party values left out). */
export const ownValues = (contacts: SiteContacts): Record<Field, string[]> => ({
  emails: contacts.emails.filter((email) => email.thirdParty === null).map((email) => email.value),
  phones: contacts.phones.filter((phone) => phone.thirdParty === null && !phone.fax).map((phone) => phone.value),
  siren: contacts.identity.siren.filter((siren) => siren.thirdParty === null).map((siren) => siren.value),
  siret: contacts.identity.siret.filter((siret) => siret.thirdParty === null).map((siret) => siret.value),
  social: contacts.social.filter((link) => link.thirdParty === null).map((link) => link.value)
})

const ratio = (part: number, whole: number) => (whole === 0 ? 1 : Math.round((part / whole) * 10_000) / 10_000)

export const scoreField = (
  field: Field,
  sites: ReadonlyArray<{ readonly truth: SiteTruth; readonly found: Readonly<Record<Field, ReadonlyArray<string>>> }>
): FieldScore => {
  let tp = 0
  let fp = 0
  let fn = 0
  const falsePositives: Array<{ site: string; value: string }> = []
  const misses: Array<{ site: string; value: string }> = []
  for (const { truth, found } of sites) {
    const labelled = truth.fields[field]
    if (labelled === undefined) continue
    const own = new Set(labelled.own.map((value) => normalizeValue(field, value)))
    const neutral = new Set(labelled.neutral.map((value) => normalizeValue(field, value)))
    const extracted = new Set(found[field].map((value) => normalizeValue(field, value)))
    for (const value of extracted) {
      if (own.has(value)) tp++
      else if (!neutral.has(value)) {
        fp++
        falsePositives.push({ site: truth.id, value })
      }
    }
    for (const value of own) {
      if (!extracted.has(value)) {
        fn++
        misses.push({ site: truth.id, value })
      }
    }
  }
  return { tp, fp, fn, precision: ratio(tp, tp + fp), recall: ratio(tp, tp + fn), falsePositives, misses }
}

export interface Target {
  readonly precision: number
  readonly recall: number
}

export const meets = (score: FieldScore, target: Target) =>
  score.precision >= target.precision && score.recall >= target.recall
