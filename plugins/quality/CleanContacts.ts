/**
 * `quality.clean_contacts` (aliases `quality.clean_contacts_initial`, `quality.clean_contacts_final`):
 * each contact value kept or rejected with a reason (disposable domain, no MX, off the site's
 * domain, premium-rate phone, shared by unrelated companies, suppressed, personal data of a
 * non-diffusible company), and `contacts/no_contact.csv`: the establishments left with no clean
 * email or phone, with why. Rules: docs/contacts.md.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { writeAtomic } from "../../core/AtomicFile.ts"
import type { Rec } from "../../core/Record.ts"
import { defineStep } from "../../core/Step.ts"
import { type Contact, consolidateContacts } from "../contacts/EnrichContacts.ts"
import { loadSuppression, noSuppression, type Suppression } from "../export/Suppression.ts"
import { csvChunks } from "../export/writers/csv.ts"

const Config = Schema.Struct({
  /** Reject addresses on disposable (throw-away) mail domains. @default true */
  reject_disposable: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  /** Reject addresses whose domain has no MX record (MX checked false by enrich.email). @default true */
  reject_mx_false: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  /** Reject addresses that are not on the domain of the company's website. @default false */
  require_site_domain: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** Reject premium-rate phone numbers. @default true */
  reject_premium: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  /** Reject values that unrelated companies share, when quality.dedupe flagged the record. @default true */
  reject_shared: Schema.optionalWith(Schema.Boolean, { default: () => true })
})
export type CleanContactsConfig = typeof Config.Type

export const cleanContactsDefaults: CleanContactsConfig = Schema.decodeUnknownSync(Config)({})

export type RejectReason =
  | "suppressed"
  | "diffusion_p_personal"
  | "disposable_domain"
  | "mx_false"
  | "off_site_domain"
  | "premium_phone"
  | "shared_value"

export type RejectedContact = Contact & { readonly reason: RejectReason }

/** Why an establishment has no clean email or phone. */
export type NoContactReason = "site_rejected" | "no_website" | "none_found" | "all_rejected"

/** Contact values and the SIRENs giving them, to tell a value shared by unrelated companies. */
export class SharedValues {
  readonly #owners = new Map<string, Set<string>>()

  static keyOf = (contact: Pick<Contact, "type" | "value">) =>
    `${contact.type}\u0000${contact.type === "website" ? hostOf(contact.value) : contact.value.toLowerCase()}`

  count(record: Rec, contacts: ReadonlyArray<Contact>): void {
    const siren = sirenOf(record)
    for (const contact of contacts) {
      const key = SharedValues.keyOf(contact)
      const owners = this.#owners.get(key)
      if (owners === undefined) this.#owners.set(key, new Set([siren]))
      else owners.add(siren)
    }
  }

  /** How many other SIRENs give the value. */
  others(record: Rec, contact: Contact): number {
    const owners = this.#owners.get(SharedValues.keyOf(contact))
    if (owners === undefined) return 0
    return owners.size - (owners.has(sirenOf(record)) ? 1 : 0)
  }
}

const sirenOf = (record: Rec): string =>
  typeof record.siren === "string" && record.siren !== "" ? record.siren : String(record.siret ?? "").slice(0, 9)

const hostOf = (url: string): string => {
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`).hostname.replace(/^www\./, "")
  } catch {
    return url.toLowerCase()
  }
}

const isContact = (value: unknown): value is Contact =>
  typeof value === "object" && value !== null && typeof (value as Contact).value === "string"

/** The record's contacts: enrich.contacts' set, or consolidated here when that step is not in the profile. */
export const contactsOf = (record: Rec): Contact[] =>
  record.contacts === undefined
    ? consolidateContacts(record)
    : Array.isArray(record.contacts)
      ? record.contacts.filter(isContact)
      : []

const flagged = (record: Rec, prefix: string) =>
  Array.isArray(record.dedupe_flags) && record.dedupe_flags.some((flag) => String(flag).startsWith(prefix))

/** The first rule a contact breaks, or null when it is clean. Rules are checked in this order. */
export const rejectReason = (
  record: Rec,
  contact: Contact,
  config: CleanContactsConfig,
  suppression: Suppression = noSuppression,
  shared?: SharedValues
): RejectReason | null => {
  if (suppression.suppressesCompany(record) || suppression.matchesText(contact.value)) return "suppressed"
  if (record.diffusion === "P" && contact.personal) return "diffusion_p_personal"
  if (contact.type === "email") {
    if (config.reject_disposable && contact.disposable === true) return "disposable_domain"
    if (config.reject_mx_false && contact.mx === false) return "mx_false"
    if (config.require_site_domain && !onSiteDomain(record, contact)) return "off_site_domain"
  }
  if (contact.type === "phone" && config.reject_premium && contact.kind === "premium") return "premium_phone"
  if (config.reject_shared && shared !== undefined) {
    // quality.dedupe says whether the record shares a phone or its domain; the index says which value.
    const kindFlag = contact.type === "phone" ? "shared_phone" : "shared_domain"
    if (contact.type !== "social" && flagged(record, kindFlag) && shared.others(record, contact) > 0)
      return "shared_value"
  }
  return null
}

/** enrich.email's verdict when it has one, else the address's domain against the website's. */
const onSiteDomain = (record: Rec, contact: Contact) => {
  if (contact.on_site_domain !== null) return contact.on_site_domain
  const website = typeof record.website === "string" ? hostOf(record.website) : null
  const domain = contact.value.slice(contact.value.lastIndexOf("@") + 1)
  return website !== null && (domain === website || domain.endsWith(`.${website}`) || website.endsWith(`.${domain}`))
}

const isChannel = (contact: Contact) => contact.type === "email" || contact.type === "phone"

export interface Cleaned {
  readonly clean: Contact[]
  readonly rejected: RejectedContact[]
  /** Set when no clean email or phone is left. */
  readonly noContact: NoContactReason | null
}

/** Splits a record's contacts into clean and rejected ones and tells why no channel is left, if so. */
export const cleanRecord = (
  record: Rec,
  config: CleanContactsConfig,
  suppression: Suppression = noSuppression,
  shared?: SharedValues
): Cleaned => {
  const clean: Contact[] = []
  const rejected: RejectedContact[] = []
  for (const contact of contactsOf(record)) {
    const reason = rejectReason(record, contact, config, suppression, shared)
    if (reason === null) clean.push(contact)
    else rejected.push({ ...contact, reason })
  }
  const noContact: NoContactReason | null = clean.some(isChannel)
    ? null
    : rejected.some(isChannel)
      ? "all_rejected"
      : record.match_status === "rejected"
        ? "site_rejected"
        : typeof record.website !== "string" || record.website === ""
          ? "no_website"
          : "none_found"
  return { clean, rejected, noContact }
}

const NO_CONTACT_FILE = "contacts/no_contact.csv"
/**
 * The first pass of a profile that cleans twice (`hybrid`: `_initial`, then `_final`) writes its
 * list apart, so the two never record the same file with different contents.
 */
const NO_CONTACT_INITIAL_FILE = "contacts/no_contact_initial.csv"
const noContactFile = (invokedAs: string) =>
  invokedAs === "quality.clean_contacts_initial" ? NO_CONTACT_INITIAL_FILE : NO_CONTACT_FILE
const NO_CONTACT_COLUMNS = [
  { name: "siret", type: "string" },
  { name: "siren", type: "string" },
  { name: "reason", type: "string" },
  { name: "rejected", type: "string" }
] as const

export const cleanContactsStep = defineStep<CleanContactsConfig>({
  id: "quality.clean_contacts",
  aliases: ["quality.clean_contacts_initial", "quality.clean_contacts_final"],
  description:
    "Contact rejects with reasons (disposable, no MX, off-site domain, premium phone, shared, suppressed); contacts/no_contact.csv",
  kind: "transform",
  after: ["enrich.contacts", "enrich.*", "crawl.site", "correlation.checks", "quality.dedupe", "scraper.maps"],
  reads: {
    siret: { type: "string", description: "Establishment identifier" },
    siren: { type: "string", description: "Legal unit identifier", optional: true },
    contacts: { type: "object[]", description: "Consolidated contacts (enrich.contacts)", optional: true },
    website: { type: "string", description: "Website", optional: true },
    match_status: { type: "string", description: "correlation.checks' verdict", optional: true },
    dedupe_flags: {
      type: "string[]",
      description: "quality.dedupe's shared_domain / shared_phone flags",
      optional: true
    },
    diffusion: { type: "string", description: "SIRENE diffusion status (P: no personal data)", optional: true }
  },
  writes: {
    contacts_clean: {
      type: "object[]",
      description: "The contacts that passed every rule (same items as `contacts`)",
      personal: true
    },
    contacts_rejected: {
      type: "object[]",
      description:
        "The contacts left out, each with `reason`: suppressed, diffusion_p_personal, disposable_domain, mx_false, off_site_domain, premium_phone, shared_value",
      personal: true
    },
    no_contact_reason: {
      type: "string",
      description: "Set when no clean email or phone is left: all_rejected, site_rejected, no_website, none_found"
    }
  },
  outputs: [
    {
      path: NO_CONTACT_FILE,
      description: "Establishments left with no clean email or phone, with the reason",
      optional: true
    },
    {
      path: NO_CONTACT_INITIAL_FILE,
      description: "The same after the first cleaning pass (quality.clean_contacts_initial)",
      optional: true
    }
  ],
  config: Config,
  readsJob: true,
  version: "1",
  run: (input, context) =>
    Stream.unwrap(
      Effect.gen(function* () {
        const config = context.config
        const suppression = yield* loadSuppression(context)
        const shared = config.reject_shared ? new SharedValues() : undefined
        if (shared !== undefined)
          yield* Stream.runForEach(input, (record) => Effect.sync(() => shared.count(record, contactsOf(record))))
        // Suppressed companies are left out of no_contact.csv like every other export file.
        let rows = 0
        const noContactRows = input.pipe(
          Stream.filter((record) => !suppression.suppressesCompany(record)),
          Stream.map((record): Rec | null => {
            const { noContact, rejected } = cleanRecord(record, config, suppression, shared)
            if (noContact === null) return null
            rows++
            const reasons = [...new Set(rejected.filter(isChannel).map((contact) => contact.reason))].sort()
            return {
              siret: record.siret,
              siren: sirenOf(record),
              reason: noContact,
              rejected: reasons.join(";") || null
            }
          }),
          Stream.filter((row): row is Rec => row !== null)
        )
        yield* writeAtomic(
          context.path(noContactFile(context.invokedAs)),
          csvChunks(NO_CONTACT_COLUMNS, Stream.toAsyncIterable(noContactRows))
        )
        yield* context.recordOutput(noContactFile(context.invokedAs), {
          rows,
          schema: NO_CONTACT_COLUMNS.map((column) => column.name)
        })
        const tally = { clean: 0, rejected: 0 }
        const clean = (record: Rec): Rec => {
          const result = cleanRecord(record, config, suppression, shared)
          tally.clean += result.clean.length
          tally.rejected += result.rejected.length
          return {
            ...record,
            contacts_clean: result.clean.length === 0 ? null : result.clean,
            contacts_rejected: result.rejected.length === 0 ? null : result.rejected,
            no_contact_reason: result.noContact
          }
        }
        const finish = Effect.suspend(() =>
          Effect.all([
            context.measure("contacts_clean", tally.clean),
            context.measure("contacts_rejected", tally.rejected),
            context.measure("rows_without_contact", rows)
          ])
        )
        return Stream.map(input, clean).pipe(Stream.concat(Stream.fromEffect(finish).pipe(Stream.drain)))
      })
    )
})
