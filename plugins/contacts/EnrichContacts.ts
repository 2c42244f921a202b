/**
 * `enrich.contacts`: one consolidated contact set per company from every source upstream (the
 * site's emails, phones and social profiles, the website, the Places provider's phone and website),
 * each value once, with the provenance of its best source and the steps that gave it.
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { Rec } from "../../core/Record.ts"
import { defineStep } from "../../core/Step.ts"
import type { Phone } from "./phone/normalize.ts"

export type ContactType = "email" | "phone" | "website" | "social"

/** One contact value and where it comes from (the `contacts` and `contacts_clean` items). */
export interface Contact {
  readonly type: ContactType
  /** Email (lower case), phone (E.164), website URL or social profile URL. */
  readonly value: string
  /** email: generic, nominative; phone: landline, mobile, premium…; social: the platform; website: site. */
  readonly kind: string
  /** The value can identify a person (a named address, a mobile, a person's profile). */
  readonly personal: boolean
  /** The step that found it (the first source when several did). */
  readonly source_step: string
  /** Every step that gave the value, in source order. */
  readonly sources: ReadonlyArray<string>
  readonly url: string | null
  readonly part: string | null
  readonly via: string | null
  readonly confidence: number | null
  readonly fetched_at: string | null
  /** Email checks from enrich.email (null for other types or when not checked). */
  readonly mx: boolean | null
  readonly disposable: boolean | null
  readonly on_site_domain: boolean | null
}

/** Ordered by type, then by source order (upstream steps already sort by kind and confidence). */
const TYPE_ORDER: ReadonlyArray<ContactType> = ["email", "phone", "website", "social"]

export interface ConsolidateOptions {
  /** Steps writing the fields, as the profile names them (provenance); defaults are the built-in ids. */
  readonly steps?: Partial<Record<"email" | "phone" | "social" | "website" | "maps", string>>
  /** Phone parser for the Places phone (as written there); without it the value is kept as given. */
  readonly toPhone?: (dialable: string) => Phone | undefined
}

const objects = (value: unknown): ReadonlyArray<Record<string, unknown>> =>
  Array.isArray(value) ? value.filter((item): item is Record<string, unknown> => typeof item === "object" && item) : []

const str = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null)
const num = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null)
const bool = (value: unknown): boolean | null => (typeof value === "boolean" ? value : null)

/** The host of a URL without `www.`, for comparing websites. */
const hostOf = (url: string): string | null => {
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`).hostname.replace(/^www\./, "")
  } catch {
    return null
  }
}

const provenanceOf = (detail: Record<string, unknown>) => ({
  url: str(detail.url),
  part: str(detail.part),
  via: str(detail.via),
  confidence: num(detail.confidence),
  fetched_at: str(detail.fetched_at)
})

const NO_CHECKS = { mx: null, disposable: null, on_site_domain: null }

/** Every contact of a record, before merging repeats, in source order. */
const candidates = (record: Rec, options: ConsolidateOptions): Contact[] => {
  const step = {
    email: "enrich.email",
    phone: "enrich.phone",
    social: "enrich.linkedin",
    website: "dumps.collect",
    maps: "scraper.maps",
    ...options.steps
  }
  const siteRejected = record.match_status === "rejected"
  const out: Contact[] = []
  const add = (contact: Omit<Contact, "sources">) => out.push({ ...contact, sources: [contact.source_step] })
  // A rejected site is not the company's: nothing found on it speaks for the company (enforced upstream too).
  if (!siteRejected) {
    for (const detail of objects(record.email_details)) {
      const value = str(detail.value)?.toLowerCase()
      if (value === undefined || value === null) continue
      const kind = str(detail.kind) ?? "unknown"
      add({
        type: "email",
        value,
        kind,
        personal: kind !== "generic",
        source_step: step.email,
        ...provenanceOf(detail),
        mx: bool(detail.mx),
        disposable: bool(detail.disposable),
        on_site_domain: bool(detail.on_site_domain)
      })
    }
    for (const detail of objects(record.phone_details)) {
      const value = str(detail.value)
      if (value === null) continue
      const kind = str(detail.type) ?? "unknown"
      add({
        type: "phone",
        value,
        kind,
        personal: kind === "mobile",
        source_step: step.phone,
        ...provenanceOf(detail),
        ...NO_CHECKS
      })
    }
    const website = str(record.website)
    if (website !== null)
      add({
        type: "website",
        value: website,
        kind: "site",
        personal: false,
        source_step: step.website,
        url: website,
        part: null,
        via: str(record.website_source),
        confidence: num(record.match_score),
        fetched_at: null,
        ...NO_CHECKS
      })
    for (const detail of objects(record.social_details)) {
      const value = str(detail.value)
      if (value === null) continue
      const platform = str(detail.platform) ?? "other"
      // A person's LinkedIn profile (not a company page) identifies that person.
      const personal = platform === "linkedin" && detail.company_page !== true
      add({
        type: "social",
        value,
        kind: platform,
        personal,
        source_step: step.social,
        ...provenanceOf(detail),
        ...NO_CHECKS
      })
    }
  }
  const mapsPhone = str(record.maps_phone)
  if (mapsPhone !== null) {
    const parsed = options.toPhone?.(mapsPhone.replace(/[\s.\-/()]/g, ""))
    add({
      type: "phone",
      value: parsed?.e164 ?? mapsPhone,
      kind: parsed?.type ?? "unknown",
      personal: parsed?.type === "mobile",
      source_step: step.maps,
      url: null,
      part: null,
      via: "maps",
      confidence: null,
      fetched_at: null,
      ...NO_CHECKS
    })
  }
  const mapsWebsite = str(record.maps_website)
  // correlation.checks moves a rejected site to `rejected_website`.
  const rejectedHost = siteRejected ? hostOf(str(record.rejected_website) ?? str(record.website) ?? "") : null
  if (mapsWebsite !== null && (rejectedHost === null || hostOf(mapsWebsite) !== rejectedHost))
    add({
      type: "website",
      value: mapsWebsite,
      kind: "site",
      personal: false,
      source_step: step.maps,
      url: null,
      part: null,
      via: "maps",
      confidence: null,
      fetched_at: null,
      ...NO_CHECKS
    })
  return out
}

/** The same value from several sources: websites compared by host, the rest as written. */
const keyOf = (contact: Contact) =>
  `${contact.type}\u0000${contact.type === "website" ? (hostOf(contact.value) ?? contact.value) : contact.value.toLowerCase()}`

/**
 * The record's consolidated contacts: each value once (first source's provenance, every source
 * listed), ordered email, phone, website, social, then by source order. A company whose owner
 * objected to diffusion (SIRENE statut P) keeps no personal value.
 */
export const consolidateContacts = (record: Rec, options: ConsolidateOptions = {}): Contact[] => {
  const merged = new Map<string, Contact>()
  for (const contact of candidates(record, options)) {
    const key = keyOf(contact)
    const seen = merged.get(key)
    if (seen === undefined) merged.set(key, contact)
    else if (!seen.sources.includes(contact.source_step))
      merged.set(key, { ...seen, sources: [...seen.sources, contact.source_step] })
  }
  const all = [...merged.values()].filter((contact) => record.diffusion !== "P" || !contact.personal)
  return all
    .map((contact, index) => ({ contact, index }))
    .sort((a, b) => TYPE_ORDER.indexOf(a.contact.type) - TYPE_ORDER.indexOf(b.contact.type) || a.index - b.index)
    .map(({ contact }) => contact)
}

export const CONTACT_DESCRIPTION =
  "type (email, phone, website, social), value, kind, personal, source_step, sources, url, part, via, confidence, fetched_at, mx, disposable, on_site_domain"

export const enrichContactsStep = defineStep({
  id: "enrich.contacts",
  description: "One consolidated contact set per company from every source, each value with provenance and confidence",
  kind: "transform",
  after: [
    "enrich.email",
    "enrich.phone",
    "enrich.linkedin",
    "enrich.domain",
    "scraper.maps",
    "enrich.address",
    "correlation.checks"
  ],
  reads: {
    email_details: { type: "object[]", description: "Emails with provenance (enrich.email)", optional: true },
    phone_details: { type: "object[]", description: "Phones with provenance (enrich.phone)", optional: true },
    social_details: {
      type: "object[]",
      description: "Social profiles with provenance (enrich.linkedin)",
      optional: true
    },
    website: { type: "string", description: "Website", optional: true },
    maps_phone: { type: "string", description: "Phone from a Places provider", optional: true },
    maps_website: { type: "string", description: "Website from a Places provider", optional: true },
    rejected_website: { type: "string", description: "A website correlation.checks rejected", optional: true },
    match_status: {
      type: "string",
      description: "correlation.checks' verdict: a rejected site gives nothing",
      optional: true
    },
    diffusion: { type: "string", description: "SIRENE diffusion status (P: no personal data)", optional: true }
  },
  writes: {
    contacts: {
      type: "object[]",
      description: `Every contact value of the company, once each, with provenance: ${CONTACT_DESCRIPTION}`,
      personal: true
    }
  },
  version: "1",
  run: (input, context) =>
    Stream.unwrap(
      Effect.gen(function* () {
        const { toPhone } = yield* Effect.promise(() => import("./phone/normalize.ts"))
        const writer = (field: string) => context.upstreamFields.find((declared) => declared.name === field)?.step
        const steps = Object.fromEntries(
          (
            [
              ["email", writer("email_details")],
              ["phone", writer("phone_details")],
              ["social", writer("social_details")],
              ["website", writer("website")],
              ["maps", writer("maps_phone") ?? writer("maps_website")]
            ] as const
          ).filter((entry): entry is readonly [(typeof entry)[0], string] => entry[1] !== undefined)
        )
        let withContact = 0
        const enrich = (record: Rec): Rec => {
          const contacts = consolidateContacts(record, { steps, toPhone })
          if (contacts.length > 0) withContact++
          return { ...record, contacts: contacts.length === 0 ? null : contacts }
        }
        const finish = Effect.suspend(() => context.measure("records_with_contact", withContact))
        return Stream.map(input, enrich).pipe(Stream.concat(Stream.fromEffect(finish).pipe(Stream.drain)))
      })
    )
})
