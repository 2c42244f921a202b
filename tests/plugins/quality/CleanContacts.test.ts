/**
 * quality.clean_contacts, record by record: each reject reason, the order rules apply in, and why a
 * company is left with no contact channel (contacts/no_contact.csv in a run: Suppression.test.ts).
 */
import { describe, expect, it } from "bun:test"
import type { Contact } from "../../../plugins/contacts/EnrichContacts.ts"
import { makeSuppression } from "../../../plugins/export/Suppression.ts"
import {
  cleanContactsDefaults,
  cleanRecord,
  rejectReason,
  SharedValues
} from "../../../plugins/quality/CleanContacts.ts"

const contact = (over: Partial<Contact>): Contact => ({
  type: "email",
  value: "contact@acme.fr",
  kind: "generic",
  personal: false,
  source_step: "enrich.email",
  sources: ["enrich.email"],
  url: "https://acme.fr/contact",
  part: "contact",
  via: "mailto",
  confidence: 0.9,
  fetched_at: null,
  mx: true,
  disposable: false,
  on_site_domain: true,
  ...over
})

const record = { siret: "12345678900011", siren: "123456789", website: "https://acme.fr/", diffusion: "O" }
const reason = (c: Contact, over: Record<string, unknown> = {}, config = cleanContactsDefaults) =>
  rejectReason({ ...record, ...over }, c, config)

describe("quality.clean_contacts rules", () => {
  it("keeps a checked address on the site's domain", () => {
    expect(reason(contact({}))).toBeNull()
  })

  it("rejects a disposable domain, a domain without MX, and off-site addresses when asked", () => {
    expect(reason(contact({ value: "x@yopmail.com", disposable: true }))).toBe("disposable_domain")
    expect(reason(contact({ mx: false }))).toBe("mx_false")
    expect(reason(contact({ mx: null }))).toBeNull()
    const gmail = contact({ value: "acme@gmail.com", on_site_domain: false })
    expect(reason(gmail)).toBeNull()
    expect(reason(gmail, {}, { ...cleanContactsDefaults, require_site_domain: true })).toBe("off_site_domain")
    // Without enrich.email's verdict, the address's domain is compared with the website's.
    const unchecked = { ...cleanContactsDefaults, require_site_domain: true }
    expect(reason(contact({ value: "info@acme.fr", on_site_domain: null }), {}, unchecked)).toBeNull()
    expect(reason(contact({ value: "info@other.fr", on_site_domain: null }), {}, unchecked)).toBe("off_site_domain")
  })

  it("rejects a premium-rate phone", () => {
    expect(reason(contact({ type: "phone", value: "+33899123456", kind: "premium" }))).toBe("premium_phone")
    expect(reason(contact({ type: "phone", value: "+33142000000", kind: "landline" }))).toBeNull()
  })

  it("rejects a value unrelated companies share when quality.dedupe flagged the record", () => {
    const phone = contact({ type: "phone", value: "+33142000000", kind: "landline" })
    const other = { siret: "98765432100019", siren: "987654321" }
    const shared = new SharedValues()
    shared.count(record, [phone])
    shared.count(other, [phone])
    const flaggedRecord = { ...record, dedupe_flags: ["shared_phone:1"] }
    expect(rejectReason(flaggedRecord, phone, cleanContactsDefaults, undefined, shared)).toBe("shared_value")
    // Not flagged by quality.dedupe, or the same company's other establishment: kept.
    expect(rejectReason(record, phone, cleanContactsDefaults, undefined, shared)).toBeNull()
    const sameCompany = new SharedValues()
    sameCompany.count(record, [phone])
    sameCompany.count({ siret: "12345678900029", siren: "123456789" }, [phone])
    expect(rejectReason(flaggedRecord, phone, cleanContactsDefaults, undefined, sameCompany)).toBeNull()
    expect(
      rejectReason(flaggedRecord, phone, { ...cleanContactsDefaults, reject_shared: false }, undefined, shared)
    ).toBeNull()
  })

  it("rejects suppressed values and every value of a suppressed SIREN", () => {
    const byEmail = makeSuppression({ emails: ["contact@acme.fr"] })
    expect(rejectReason(record, contact({}), cleanContactsDefaults, byEmail)).toBe("suppressed")
    const byDomain = makeSuppression({ domains: ["acme.fr"] })
    expect(rejectReason(record, contact({ value: "sales@acme.fr" }), cleanContactsDefaults, byDomain)).toBe(
      "suppressed"
    )
    const bySiren = makeSuppression({ sirens: ["123456789"] })
    const phone = contact({ type: "phone", value: "+33142000000", kind: "landline" })
    expect(rejectReason(record, phone, cleanContactsDefaults, bySiren)).toBe("suppressed")
  })

  it("rejects personal values of a company whose diffusion is P", () => {
    const named = contact({ value: "jean.dupont@acme.fr", kind: "nominative", personal: true })
    expect(reason(named, { diffusion: "P" })).toBe("diffusion_p_personal")
    expect(reason(named)).toBeNull()
  })
})

describe("quality.clean_contacts per company", () => {
  it("splits clean and rejected contacts, each rejected with its reason", () => {
    const contacts = [
      contact({}),
      contact({ value: "x@yopmail.com", disposable: true }),
      contact({ type: "website", value: "https://acme.fr/", kind: "site", mx: null })
    ]
    const result = cleanRecord({ ...record, contacts }, cleanContactsDefaults)
    expect(result.clean.map((c) => c.value)).toEqual(["contact@acme.fr", "https://acme.fr/"])
    expect(result.rejected).toEqual([expect.objectContaining({ value: "x@yopmail.com", reason: "disposable_domain" })])
    expect(result.noContact).toBeNull()
  })

  it("says why no email or phone is left", () => {
    const only = (over: Record<string, unknown>) => cleanRecord({ ...record, ...over }, cleanContactsDefaults).noContact
    expect(only({ contacts: [contact({ mx: false })] })).toBe("all_rejected")
    expect(only({ contacts: [contact({ type: "website", value: "https://acme.fr/", kind: "site" })] })).toBe(
      "none_found"
    )
    expect(only({ contacts: null, match_status: "rejected" })).toBe("site_rejected")
    expect(only({ contacts: null, website: null })).toBe("no_website")
  })

  it("consolidates the details itself when enrich.contacts is not in the profile", () => {
    const details = {
      email_details: [{ value: "contact@acme.fr", kind: "generic", mx: false, disposable: false, on_site_domain: true }]
    }
    const result = cleanRecord({ ...record, ...details }, cleanContactsDefaults)
    expect(result.rejected.map((c) => [c.value, c.reason])).toEqual([["contact@acme.fr", "mx_false"]])
  })
})
