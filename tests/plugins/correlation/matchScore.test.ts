import { describe, expect, test } from "bun:test"
import { siteEvidence } from "../../../plugins/correlation/evidence.ts"
import { type CompanyFacts, matchScore } from "../../../plugins/correlation/matchScore.ts"
import { diceSimilarity, foldName, nameSimilarity } from "../../../plugins/correlation/names.ts"
import { parseHtml } from "../../../plugins/parse/parseHtml.ts"

const site = (domain: string, ...pages: string[]) =>
  siteEvidence({
    domain,
    pages: pages.map((html, index) => parseHtml(html, { url: `https://www.${domain}/page-${index}` }))
  })

const company: CompanyFacts = {
  siren: "732829320",
  siret: "73282932000074",
  names: ["BOULANGERIE MARTIN"],
  postcode: "69001",
  city: "Lyon 1er",
  phone: null
}

const LEGAL = `<html><head><title>Mentions légales – Boulangerie Martin</title></head><body><main>
  <h1>Mentions légales</h1><p>Éditeur : Boulangerie Martin SARL, 3 rue du Four, 69001 Lyon</p>
  <p>SIRET : 732 829 320 00074</p>
  <h2>Hébergeur</h2><p>OVH SAS, 2 rue Kellermann, 59100 Roubaix. RCS Lille Métropole 424 761 419 00045</p></main></body></html>`

describe("matchScore", () => {
  test("the company's SIREN and SIRET on the legal notice, with name and place: a sure match", () => {
    const match = matchScore(company, site("boulangerie-martin.fr", LEGAL))
    expect(match.evidence.map((item) => item.signal)).toEqual(["siren", "siret", "name", "postcode", "city"])
    expect(match.score).toBe(1)
  })

  test("another company's SIREN on the site undoes a matching name and place", () => {
    const other = LEGAL.replace("732 829 320 00074", "552 100 554 00017")
    const match = matchScore(company, site("boulangerie-martin.fr", other))
    expect(match.evidence[0]).toMatchObject({ signal: "other_siren", weight: -0.6 })
    expect(match.score).toBeLessThan(0.5)
  })

  test("the host's registration number is not 'another SIREN'", () => {
    const withoutOwn = LEGAL.replace("<p>SIRET : 732 829 320 00074</p>", "")
    const match = matchScore(company, site("boulangerie-martin.fr", withoutOwn))
    expect(match.evidence.map((item) => item.signal)).not.toContain("other_siren")
    // Name, postcode and city without a SIREN: a likely match, accepted at 0.5, not at 0.8.
    expect(match.score).toBeGreaterThanOrEqual(0.5)
    expect(match.score).toBeLessThan(0.8)
  })

  test("nothing in common: no match", () => {
    const match = matchScore(company, site("garage-dupuis.fr", "<main><p>Garage Dupuis, 13008 Marseille</p></main>"))
    expect(match.score).toBe(0)
    expect(match.evidence).toEqual([])
  })

  test("a phone known from a Places provider counts when the site shows it", () => {
    const page = `<main><p>Tél : <a href="tel:+33478000001">04 78 00 00 01</a></p></main>`
    const match = matchScore({ ...company, phone: "+33478000001" }, site("example-site.fr", page))
    expect(match.evidence.map((item) => item.signal)).toEqual(["phone"])
  })
})

describe("names", () => {
  test("legal forms, accents, case and small words are set aside", () => {
    expect(foldName("SARL Les Délices de l'Été")).toBe("delices ete")
  })

  test("a domain holding the name without spaces is a full match; unrelated names are not", () => {
    expect(nameSimilarity("boulangerie martin", ["boulangeriemartin"])).toBe(1)
    expect(nameSimilarity("boulangerie martin", ["garage dupuis"])).toBeLessThan(0.3)
    expect(diceSimilarity("martin", "martins")).toBeGreaterThan(0.9)
  })
})

describe("no site without SIREN evidence accepted in adversarial cases (threshold 0.5)", () => {
  const noSiren = (html: string, domain: string) => matchScore(company, site(domain, html))

  test("the same name in another city", () => {
    const match = noSiren(
      `<main><h1>Boulangerie Martin</h1><p>12 rue Sainte-Catherine, 33000 Bordeaux</p></main>`,
      "boulangerie-martin.fr"
    )
    expect(match.score).toBeLessThan(0.5)
  })

  test("a franchise or chain site listing its stores, the company's among them", () => {
    const stores = ["69001 Lyon", "75011 Paris", "13008 Marseille", "31000 Toulouse", "44000 Nantes"]
      .map((place) => `<li>Boulangerie Martin – ${place}</li>`)
      .join("")
    const match = noSiren(`<main><h1>Nos boulangeries Martin</h1><ul>${stores}</ul></main>`, "boulangeries-martin.com")
    expect(match.evidence.map((item) => item.signal)).toContain("many_places")
    expect(match.score).toBeLessThan(0.5)
  })

  test("a directory page naming the company with its address among others", () => {
    const entries = [
      "Boulangerie Martin, 3 rue du Four, 69001 Lyon",
      "Boulangerie Petit, 8 rue Neuve, 69002 Lyon",
      "Au Bon Pain, 1 place Bellecour, 69002 Lyon",
      "Maison Roux, 4 quai Saint-Vincent, 69001 Lyon",
      "Pains & Co, 10 cours Vitton, 69006 Lyon",
      "Le Fournil, 2 rue Garibaldi, 69003 Lyon"
    ]
      .map((entry) => `<li>${entry}</li>`)
      .join("")
    const match = noSiren(`<main><h1>Boulangeries à Lyon</h1><ul>${entries}</ul></main>`, "annuaire-boulangeries.fr")
    expect(match.score).toBeLessThan(0.5)
  })
})
