/**
 * quality.score: the registry formula (unchanged for `quick`), the contact component of enriched
 * profiles, and what turns it on.
 */
import { describe, expect, it } from "bun:test"
import type { Contact } from "../../../plugins/contacts/EnrichContacts.ts"
import { writes as standardizeWrites } from "../../../plugins/normalize/Standardize.ts"
import { qualityChecks } from "../../../plugins/quality/QualityChecks.ts"
import {
  CONTACT_FIELDS,
  channelsOf,
  contactShare,
  DEFAULT_WEIGHTS,
  qualityScore,
  scoreOf,
  scoreWithContacts
} from "../../../plugins/quality/QualityScore.ts"

const contact = (over: Partial<Contact>): Contact => ({
  type: "email",
  value: "contact@acme.fr",
  kind: "generic",
  personal: false,
  source_step: "enrich.email",
  sources: ["enrich.email"],
  url: null,
  part: null,
  via: null,
  confidence: 0.9,
  fetched_at: null,
  mx: true,
  disposable: false,
  on_site_domain: true,
  ...over
})

/** A quick-profile row: every registry field filled but the headcount band (NN) and company category. */
const registryRow = {
  siret: "73282932000074",
  name: "ACME",
  address_line: "1 RUE DE LA PAIX",
  postcode: "75002",
  city: "PARIS",
  naf: "62.02A",
  naf_label: "Conseil en systèmes et logiciels informatiques",
  is_active: true,
  headcount_band: "NN",
  created_on: "2015-03-01",
  legal_category: "5710",
  department: "75",
  company_category: null,
  website: null
}

describe("quality.score without enrichment (quick)", () => {
  it("keeps today's formula: round(100 × filled weight / total weight) − penalty", () => {
    // The default weights total 95; headcount_band (NN) and company_category missing: 85 / 95 → 89
    expect(scoreOf(registryRow, DEFAULT_WEIGHTS, 20)).toBe(89)
    expect(scoreWithContacts(registryRow, DEFAULT_WEIGHTS, 20, 0)).toBe(89)
    expect(scoreWithContacts({ ...registryRow, quality_flags: ["duplicate_siret"] }, DEFAULT_WEIGHTS, 20, 0)).toBe(69)
  })

  it("is not switched to the contact formula by any field a quick-profile step writes", () => {
    const quickFields = [...Object.keys(standardizeWrites), ...Object.keys(qualityChecks.writes)]
    expect(quickFields.filter((field) => CONTACT_FIELDS.includes(field))).toEqual([])
  })

  it("declares a new version, since enriched rows score differently", () => {
    expect(qualityScore.version).toBe("2")
  })
})

describe("quality.score contact component", () => {
  it("gives 0.4 for a clean generic email, 0.4 for a callable phone, 0.2 for an accepted website", () => {
    const email = contact({})
    const phone = contact({ type: "phone", value: "+33142000000", kind: "landline" })
    const site = contact({ type: "website", value: "https://acme.fr", kind: "site" })
    expect(contactShare({ contacts_clean: [email] })).toBeCloseTo(0.4)
    expect(contactShare({ contacts_clean: [phone] })).toBeCloseTo(0.4)
    expect(contactShare({ contacts_clean: [site], match_status: "accepted" })).toBeCloseTo(0.2)
    expect(contactShare({ contacts_clean: [email, phone, site], match_status: "accepted" })).toBeCloseTo(1)
  })

  it("counts neither an email without MX, a disposable one, a nominative one nor a premium phone", () => {
    expect(contactShare({ contacts_clean: [contact({ mx: false })] })).toBe(0)
    expect(contactShare({ contacts_clean: [contact({ disposable: true })] })).toBe(0)
    expect(contactShare({ contacts_clean: [contact({ kind: "nominative", personal: true })] })).toBe(0)
    expect(contactShare({ contacts_clean: [contact({ type: "phone", value: "+33899000000", kind: "premium" })] })).toBe(
      0
    )
  })

  it("gives half the website share without a verdict and none when correlation rejected the site", () => {
    expect(contactShare({ website: "https://acme.fr" })).toBeCloseTo(0.1)
    expect(contactShare({ website: "https://acme.fr", match_status: "rejected" })).toBe(0)
    expect(channelsOf({ website: "https://acme.fr", match_status: "no_site" }).website).toBe("none")
  })

  it("reads contacts_clean null as nothing left, and the plain enrich fields without contact details", () => {
    expect(channelsOf({ contacts_clean: null, email: "contact@acme.fr" }).genericEmail).toBe(false)
    expect(channelsOf({ email: "contact@acme.fr", email_mx: true, phone: "+33142000000" })).toMatchObject({
      genericEmail: true,
      phone: true
    })
    expect(channelsOf({ email: "contact@acme.fr", email_mx: false }).genericEmail).toBe(false)
  })

  it("weighs registry completeness 80 and contacts 20 by default", () => {
    const full = { ...registryRow, contacts_clean: [contact({})] }
    // 80 × 85/95 + 20 × 0.4 = 71.58 + 8 → 80
    expect(scoreWithContacts(full, DEFAULT_WEIGHTS, 20, 20)).toBe(80)
    expect(scoreWithContacts({ ...registryRow, contacts_clean: null }, DEFAULT_WEIGHTS, 20, 20)).toBe(72)
    expect(scoreWithContacts({ ...full, quality_flags: ["duplicate_siret"] }, DEFAULT_WEIGHTS, 20, 20)).toBe(60)
  })
})
