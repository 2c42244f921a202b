/** quality.enrich_score: each component on small records, then whole records. */
import { describe, expect, it } from "bun:test"
import type { Contact } from "../../../plugins/contacts/EnrichContacts.ts"
import {
  enrichScoreOf,
  latestFetch,
  mapsPoints,
  reachPoints,
  recencyPoints,
  sizePoints
} from "../../../plugins/quality/EnrichScore.ts"

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

const none = { genericEmail: false, nominativeEmail: false, phone: false, website: "none", linkedin: false } as const

describe("quality.enrich_score components", () => {
  it("reach: email 15 (nominative only 8), phone 15, website 10 (unverified 5), LinkedIn 10", () => {
    expect(reachPoints(none)).toBe(0)
    expect(reachPoints({ ...none, genericEmail: true })).toBe(15)
    expect(reachPoints({ ...none, nominativeEmail: true })).toBe(8)
    expect(reachPoints({ ...none, phone: true })).toBe(15)
    expect(reachPoints({ ...none, website: "accepted" })).toBe(10)
    expect(reachPoints({ ...none, website: "unverified" })).toBe(5)
    expect(reachPoints({ ...none, website: "rejected" })).toBe(0)
    expect(reachPoints({ ...none, linkedin: true })).toBe(10)
    expect(
      reachPoints({ genericEmail: true, nominativeEmail: true, phone: true, website: "accepted", linkedin: true })
    ).toBe(50)
  })

  it("maps: open 5, rating up to 10, reviews up to 10", () => {
    expect(mapsPoints({})).toBe(0)
    expect(mapsPoints({ maps_status: "open" })).toBe(5)
    expect(mapsPoints({ maps_rating: 4.6 })).toBe(10)
    expect(mapsPoints({ maps_rating: 4.1 })).toBe(8)
    expect(mapsPoints({ maps_rating: 3 })).toBe(5)
    expect(mapsPoints({ maps_rating: 2.2 })).toBe(2)
    expect(mapsPoints({ maps_reviews: 150 })).toBe(10)
    expect(mapsPoints({ maps_reviews: 20 })).toBe(7)
    expect(mapsPoints({ maps_reviews: 5 })).toBe(4)
    expect(mapsPoints({ maps_reviews: 1 })).toBe(2)
    expect(mapsPoints({ maps_status: "open", maps_rating: 4.8, maps_reviews: 320 })).toBe(25)
  })

  it("size: 1-9 employees 5, 10-49 10, 50+ 15, none or unknown 0", () => {
    expect(sizePoints("NN")).toBe(0)
    expect(sizePoints("00")).toBe(0)
    expect(sizePoints(null)).toBe(0)
    expect(sizePoints("02")).toBe(5)
    expect(sizePoints("12")).toBe(10)
    expect(sizePoints("21")).toBe(15)
    expect(sizePoints("53")).toBe(15)
  })

  it("recency: under 3 years 10, under 10 years 5, against the reference date", () => {
    expect(recencyPoints("2024-06-01", "2026-05-31")).toBe(10)
    expect(recencyPoints("2023-06-01", "2026-06-01")).toBe(5)
    expect(recencyPoints("2010-01-01", "2026-06-01")).toBe(0)
    expect(recencyPoints("2024-06-01", null)).toBe(0)
    expect(recencyPoints("2027-01-01", "2026-06-01")).toBe(0)
  })

  it("takes the latest contact fetch as the reference date by default", () => {
    const record = {
      contacts_clean: [
        contact({ fetched_at: "2026-03-02T10:00:00Z" }),
        contact({ type: "phone", fetched_at: "2026-04-01T08:00:00Z" })
      ]
    }
    expect(latestFetch(record)).toBe("2026-04-01")
    expect(latestFetch({})).toBeNull()
  })
})

describe("quality.enrich_score of a record", () => {
  const prospect = {
    is_active: true,
    headcount_band: "11",
    created_on: "2024-01-15",
    website: "https://acme.fr",
    match_status: "accepted",
    linkedin_url: "https://www.linkedin.com/company/acme",
    contacts_clean: [
      contact({ fetched_at: "2026-03-01T00:00:00Z" }),
      contact({ type: "phone", value: "+33142000000", kind: "landline" })
    ],
    maps_status: "open",
    maps_rating: 4.2,
    maps_reviews: 30
  }

  it("adds reach, maps, size and recency", () => {
    // reach 50 + maps (5 + 8 + 7) 20 + size 10 + recency 10
    expect(enrichScoreOf(prospect)).toBe(90)
    expect(enrichScoreOf(prospect, "2030-01-01")).toBe(85)
  })

  it("is 0 for an inactive establishment or a place closed for good", () => {
    expect(enrichScoreOf({ ...prospect, is_active: false })).toBe(0)
    expect(enrichScoreOf({ ...prospect, maps_status: "closed_permanently" })).toBe(0)
  })

  it("scores a registry-only row from its size alone", () => {
    expect(enrichScoreOf({ is_active: true, headcount_band: "21", created_on: "2001-01-01" })).toBe(15)
  })
})
