/**
 * enrich.contacts, record by record: every source consolidated once per value with its provenance,
 * a stable order, a rejected site contributing nothing, and no personal value for diffusion P.
 */
import { describe, expect, it } from "bun:test"
import { consolidateContacts } from "../../../plugins/contacts/EnrichContacts.ts"
import { toPhone } from "../../../plugins/contacts/phone/normalize.ts"

const FETCHED = "2026-01-05T10:00:00.000Z"

const company = {
  siret: "12345678900011",
  siren: "123456789",
  diffusion: "O",
  website: "https://www.acme-plomberie.fr/",
  email_details: [
    {
      value: "contact@acme-plomberie.fr",
      kind: "generic",
      on_site_domain: true,
      disposable: false,
      mx: true,
      url: "https://www.acme-plomberie.fr/contact",
      part: "contact",
      via: "mailto",
      confidence: 0.98,
      fetched_at: FETCHED
    },
    {
      value: "Jean.Dupont@acme-plomberie.fr",
      kind: "nominative",
      on_site_domain: true,
      disposable: false,
      mx: true,
      url: "https://www.acme-plomberie.fr/equipe",
      part: "main",
      via: "text",
      confidence: 0.9,
      fetched_at: FETCHED
    }
  ],
  phone_details: [
    {
      value: "+33142000000",
      type: "landline",
      url: "https://www.acme-plomberie.fr/",
      part: "footer",
      via: "tel_visible",
      confidence: 0.95,
      fetched_at: FETCHED
    },
    {
      value: "+33612345678",
      type: "mobile",
      url: "https://www.acme-plomberie.fr/contact",
      part: "contact",
      via: "labelled",
      confidence: 0.9,
      fetched_at: FETCHED
    }
  ],
  social_details: [
    {
      value: "https://www.linkedin.com/company/acme",
      platform: "linkedin",
      company_page: true,
      url: "https://www.acme-plomberie.fr/",
      part: "footer",
      via: "link",
      confidence: 0.9,
      fetched_at: FETCHED
    },
    {
      value: "https://www.linkedin.com/in/jean-dupont",
      platform: "linkedin",
      company_page: false,
      url: "https://www.acme-plomberie.fr/equipe",
      part: "main",
      via: "link",
      confidence: 0.7,
      fetched_at: FETCHED
    }
  ],
  maps_phone: "01 42 00 00 00",
  maps_website: "http://acme-plomberie.fr"
}

describe("enrich.contacts", () => {
  it("consolidates every source once per value, with provenance and confidence, in a stable order", () => {
    const contacts = consolidateContacts(company, { toPhone, steps: { website: "enrich.domain" } })
    expect(contacts.map((contact) => [contact.type, contact.value, contact.kind, contact.personal])).toEqual([
      ["email", "contact@acme-plomberie.fr", "generic", false],
      ["email", "jean.dupont@acme-plomberie.fr", "nominative", true],
      ["phone", "+33142000000", "landline", false],
      ["phone", "+33612345678", "mobile", true],
      ["website", "https://www.acme-plomberie.fr/", "site", false],
      ["social", "https://www.linkedin.com/company/acme", "linkedin", false],
      ["social", "https://www.linkedin.com/in/jean-dupont", "linkedin", true]
    ])
    const [email] = contacts
    expect(email).toMatchObject({
      source_step: "enrich.email",
      sources: ["enrich.email"],
      url: "https://www.acme-plomberie.fr/contact",
      part: "contact",
      via: "mailto",
      confidence: 0.98,
      fetched_at: FETCHED,
      mx: true,
      disposable: false,
      on_site_domain: true
    })
    // The Places phone and website are the site's own: one value each, both sources listed.
    expect(contacts.find((contact) => contact.value === "+33142000000")?.sources).toEqual([
      "enrich.phone",
      "scraper.maps"
    ])
    expect(contacts.find((contact) => contact.type === "website")?.sources).toEqual(["enrich.domain", "scraper.maps"])
    expect(consolidateContacts(company, { toPhone })).toEqual(consolidateContacts(company, { toPhone }))
  })

  it("keeps a Places value of its own with source maps", () => {
    const contacts = consolidateContacts({ siret: "1", maps_phone: "06 98 76 54 32" }, { toPhone })
    expect(contacts).toEqual([
      expect.objectContaining({
        type: "phone",
        value: "+33698765432",
        kind: "mobile",
        personal: true,
        source_step: "scraper.maps",
        via: "maps"
      })
    ])
  })

  it("takes nothing from a site that correlation rejected", () => {
    const contacts = consolidateContacts({ ...company, match_status: "rejected" }, { toPhone })
    expect(contacts.map((contact) => [contact.type, contact.source_step])).toEqual([["phone", "scraper.maps"]])
  })

  it("keeps no personal value of a company whose diffusion is P", () => {
    const contacts = consolidateContacts({ ...company, diffusion: "P" }, { toPhone })
    expect(contacts.every((contact) => !contact.personal)).toBe(true)
    expect(contacts.map((contact) => contact.value)).toEqual([
      "contact@acme-plomberie.fr",
      "+33142000000",
      "https://www.acme-plomberie.fr/",
      "https://www.linkedin.com/company/acme"
    ])
  })
})
