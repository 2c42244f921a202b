/**
 * `quality.score`: a 0-100 score per row (docs/quality-score.md).
 *
 * Registry share R = Σ weight(field) for filled fields / Σ weight(field) for all weighted fields. A field
 * counts as filled when it is not null, not empty and not an empty list; `is_active` counts only when
 * true, and `headcount_band` only when known (not "NN" nor empty).
 *
 * Without enrichment upstream (no step of the profile writes contact fields, e.g. `quick`):
 *   score = round(100 × R) − penalty
 * With enrichment upstream, a contact component C (0-1: clean generic email, callable phone, accepted
 * website) joins with `contact_weight` points (default 20), so registry completeness still dominates:
 *   score = round((100 − contact_weight) × R + contact_weight × C) − penalty
 * `penalty` is `duplicate_penalty` when the row is a duplicate SIRET; the score is floored at 0.
 */
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { Rec } from "../../core/Record.ts"
import { defineStep, type FieldMap } from "../../core/Step.ts"
import type { Contact } from "../contacts/EnrichContacts.ts"
import { contactsOf } from "./CleanContacts.ts"

/** Registry-only weights: identity and how to reach the place by post weigh most. */
export const DEFAULT_WEIGHTS: Readonly<Record<string, number>> = {
  name: 15,
  address_line: 15,
  postcode: 5,
  city: 5,
  naf: 10,
  naf_label: 5,
  is_active: 15,
  headcount_band: 5,
  created_on: 5,
  legal_category: 5,
  department: 5,
  company_category: 5,
  website: 0,
  emails: 0,
  phones: 0
}

/** Shares of the contact component C (they sum to 1). */
export const CONTACT_SHARES = { email: 0.4, phone: 0.4, website: 0.2 } as const

/** Fields whose presence upstream turns the contact component on. */
export const CONTACT_FIELDS: ReadonlyArray<string> = [
  "contacts",
  "contacts_clean",
  "email",
  "email_details",
  "phone",
  "phone_details",
  "match_status"
]

/** Contact fields the score and quality.enrich_score look at, all optional (absent in registry-only profiles). */
export const CONTACT_READS: FieldMap = {
  contacts: { type: "object[]", description: "Contact set (enrich.contacts)", optional: true },
  contacts_clean: { type: "object[]", description: "Clean contacts (quality.clean_contacts)", optional: true },
  email_details: { type: "object[]", description: "Emails with checks (enrich.email)", optional: true },
  phone_details: { type: "object[]", description: "Phones with types (enrich.phone)", optional: true },
  social_details: { type: "object[]", description: "Social profiles (enrich.linkedin)", optional: true },
  email: { type: "string", description: "Best generic email (enrich.email)", optional: true },
  email_mx: { type: "boolean", description: "MX check of `email`", optional: true },
  phone: { type: "string", description: "Main phone (enrich.phone)", optional: true },
  phone_type: { type: "string", description: "Type of `phone`", optional: true },
  website: { type: "string", description: "Website", optional: true },
  linkedin_url: { type: "string", description: "LinkedIn company page", optional: true },
  match_status: { type: "string", description: "correlation.checks' verdict on the website", optional: true }
}

const Config = Schema.Struct({
  /** Points per field (merged over the defaults; 0 removes a field). */
  weights: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.Number.pipe(Schema.nonNegative()) }), {
    default: () => ({})
  }),
  /** Points taken from a duplicate SIRET row. @default 20 */
  duplicate_penalty: Schema.optionalWith(Schema.Number.pipe(Schema.nonNegative()), { default: () => 20 }),
  /**
   * Points (out of 100) of the contact component when the profile has enrichment steps; 0 turns it off.
   * @default 20
   */
  contact_weight: Schema.optionalWith(Schema.Number.pipe(Schema.between(0, 100)), { default: () => 20 })
})

const counts = (field: string, value: unknown) => {
  if (field === "is_active") return value === true
  if (field === "headcount_band") return typeof value === "string" && value !== "" && value !== "NN"
  return value !== null && value !== undefined && value !== "" && !(Array.isArray(value) && value.length === 0)
}

/** Registry share R: earned and total weight of one record. */
const registryShare = (record: Rec, weights: Readonly<Record<string, number>>) => {
  let total = 0
  let earned = 0
  // for-in, not Object.entries: this runs once per record.
  for (const field in weights) {
    const weight = weights[field]!
    if (weight <= 0) continue
    total += weight
    if (counts(field, record[field])) earned += weight
  }
  return { total, earned }
}

const penaltyOf = (record: Rec, duplicatePenalty: number) => {
  const flags = record.quality_flags
  return Array.isArray(flags) && flags.includes("duplicate_siret") ? duplicatePenalty : 0
}

/** The registry-only score of one record under `weights` (exported for tests and the documentation). */
export const scoreOf = (record: Rec, weights: Readonly<Record<string, number>>, duplicatePenalty: number): number => {
  const { total, earned } = registryShare(record, weights)
  return total === 0 ? 0 : Math.max(0, Math.round((100 * earned) / total) - penaltyOf(record, duplicatePenalty))
}

/** What a record offers to reach the company, from its clean contacts when quality.clean_contacts ran. */
export interface Channels {
  /** A generic address (contact@…) not known to lack MX and not disposable. */
  readonly genericEmail: boolean
  /** A nominative address passing the same checks. */
  readonly nominativeEmail: boolean
  /** A phone that is not premium-rate. */
  readonly phone: boolean
  /** accepted (correlation.checks accepted it), unverified (no verdict), rejected, or none. */
  readonly website: "accepted" | "unverified" | "rejected" | "none"
  /** A LinkedIn company page. */
  readonly linkedin: boolean
}

const str = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null)

/** The contacts to judge: `contacts_clean` when present (null: none left), else the record's contact set. */
const judgedContacts = (record: Rec): ReadonlyArray<Contact> => {
  if (record.contacts_clean !== undefined) {
    return Array.isArray(record.contacts_clean)
      ? record.contacts_clean.filter((c): c is Contact => typeof c === "object" && c !== null && "value" in c)
      : []
  }
  return contactsOf(record)
}

const usableEmail = (c: Contact) => c.type === "email" && c.mx !== false && c.disposable !== true

/** The channels of one record (exported for tests and quality.enrich_score). */
export const channelsOf = (record: Rec): Channels => {
  const contacts = judgedContacts(record)
  let genericEmail = contacts.some((c) => usableEmail(c) && c.kind === "generic")
  const nominativeEmail = contacts.some((c) => usableEmail(c) && c.kind !== "generic")
  let phone = contacts.some((c) => c.type === "phone" && c.kind !== "premium")
  // Records without contact details (a custom profile): the plain fields of enrich.email / enrich.phone.
  if (contacts.length === 0 && record.contacts_clean === undefined) {
    genericEmail = str(record.email) !== null && record.email_mx !== false
    phone = str(record.phone) !== null && record.phone_type !== "premium"
  }
  const hasSite = contacts.some((c) => c.type === "website") || str(record.website) !== null
  const website =
    record.match_status === "accepted" && hasSite
      ? "accepted"
      : record.match_status === "rejected"
        ? "rejected"
        : hasSite && (record.match_status === undefined || record.match_status === null)
          ? "unverified"
          : "none"
  const linkedin =
    contacts.some((c) => c.type === "social" && c.kind === "linkedin" && !c.personal) ||
    /linkedin\.com\/(company|school|showcase)\//i.test(str(record.linkedin_url) ?? "")
  return { genericEmail, nominativeEmail, phone, website, linkedin }
}

/** Contact component C, 0-1: generic email 0.4, callable phone 0.4, website 0.2 (half when unverified). */
export const contactShare = (record: Rec): number => {
  const channels = channelsOf(record)
  const site = channels.website === "accepted" ? 1 : channels.website === "unverified" ? 0.5 : 0
  return (
    (channels.genericEmail ? CONTACT_SHARES.email : 0) +
    (channels.phone ? CONTACT_SHARES.phone : 0) +
    CONTACT_SHARES.website * site
  )
}

/**
 * The score of one record. `contactWeight` 0 (no enrichment upstream) gives exactly `scoreOf`; otherwise
 * round((100 − contactWeight) × R + contactWeight × C) − penalty, floored at 0.
 */
export const scoreWithContacts = (
  record: Rec,
  weights: Readonly<Record<string, number>>,
  duplicatePenalty: number,
  contactWeight: number
): number => {
  if (contactWeight <= 0) return scoreOf(record, weights, duplicatePenalty)
  const { total, earned } = registryShare(record, weights)
  const registry = total === 0 ? 0 : earned / total
  const raw = (100 - contactWeight) * registry + contactWeight * contactShare(record)
  return Math.max(0, Math.round(raw) - penaltyOf(record, duplicatePenalty))
}

export const qualityScore = defineStep({
  id: "quality.score",
  description: "Scores each row 0-100 from the completeness of its fields and, when enriched, its contacts.",
  kind: "transform",
  needs: ["normalize.standardize"],
  after: ["quality.checks", "quality.validation", "quality.clean_contacts", "enrich.*", "correlation.*"],
  reads: {
    siret: { type: "string", description: "Establishment identifier" },
    ...CONTACT_READS
  },
  writes: {
    quality_score: {
      type: "integer",
      description:
        "0-100: weighted share of filled key fields plus, in enriched profiles, a contact component (docs/quality-score.md), minus a duplicate penalty"
    }
  },
  config: Config,
  // 2: contact component in enriched profiles (registry-only profiles score as in 1).
  version: "2",
  run: (input, context) => {
    const weights = { ...DEFAULT_WEIGHTS, ...context.config.weights }
    const enriched = context.upstreamFields.some((declared) => CONTACT_FIELDS.includes(declared.name))
    const contactWeight = enriched ? context.config.contact_weight : 0
    return Stream.map(input, (record) => ({
      ...record,
      quality_score: scoreWithContacts(record, weights, context.config.duplicate_penalty, contactWeight)
    }))
  }
})
