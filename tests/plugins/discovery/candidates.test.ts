import { describe, expect, it } from "bun:test"
import { candidateDomains, coreWords, labelsOf } from "../../../plugins/discovery/candidates.ts"

describe("name heuristics", () => {
  it("drops the legal form and gives hyphenated and joined domains on .fr first", () => {
    expect(candidateDomains({ legalName: "SARL BOULANGERIE MARTIN" }).slice(0, 6)).toEqual([
      "boulangerie-martin.fr",
      "boulangeriemartin.fr",
      "boulangerie-martin.com",
      "boulangeriemartin.com",
      "boulangerie-martin.eu",
      "boulangeriemartin.eu"
    ])
  })

  it("drops legal forms wherever they are, ETS and SOCIETE too", () => {
    expect(coreWords("MARTIN TRANSPORTS (SAS)")).toEqual(["martin", "transports"])
    expect(coreWords("ETS DUPONT ET FILS")).toEqual(["dupont", "et", "fils"])
    expect(coreWords("Société Générale d'Électricité EURL")).toEqual(["generale", "d", "electricite"])
  })

  it("strips accents and ligatures", () => {
    expect(labelsOf("Pâtisserie Hélène")).toContain("patisserie-helene")
    expect(labelsOf("Cœur de Bœuf")).toContain("coeur-de-boeuf")
  })

  it('spells "&" as "et" or leaves it out', () => {
    const labels = labelsOf("Martin & Fils")
    expect(labels).toContain("martin-et-fils")
    expect(labels).toContain("martinetfils")
    expect(labels).toContain("martin-fils")
    expect(labels).toContain("martinfils")
  })

  it("splits elided articles and offers the name without small words", () => {
    const labels = labelsOf("L'Atelier du Bois")
    expect(labels).toContain("l-atelier-du-bois")
    expect(labels).toContain("latelierdubois")
    expect(labels).toContain("atelier-bois")
  })

  it("joins initials", () => {
    expect(labelsOf("S.N.C.F. VOYAGES")).toContain("sncf-voyages")
    expect(labelsOf("A.B.C CONSEIL")).toContain("abcconseil")
  })

  it("gives nothing for a bare trade or a legal form alone", () => {
    expect(labelsOf("SARL BOULANGERIE")).toEqual([])
    expect(labelsOf("SAS")).toEqual([])
    expect(candidateDomains({ legalName: "EURL", name: "" })).toEqual([])
  })

  it("tries the enseigne before the denomination, then the names with the city", () => {
    const domains = candidateDomains({ enseigne: "Le Fournil", legalName: "SARL MARTIN PERE", city: "Lyon 3e" })
    expect(domains.indexOf("le-fournil.fr")).toBe(0)
    expect(domains).toContain("martin-pere.fr")
    expect(domains).toContain("le-fournil-lyon-3e.fr")
    expect(domains.indexOf("le-fournil-lyon-3e.fr")).toBeGreaterThan(domains.indexOf("martin-pere.eu"))
  })

  it("keeps domain labels valid (letters, digits, inner hyphens, at most 63 characters)", () => {
    const domains = candidateDomains({ legalName: `${"TRES ".repeat(20)}LONGUE RAISON SOCIALE`, city: "Saint-Étienne" })
    for (const domain of domains) expect(domain).toMatch(/^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])\.(fr|com|eu)$/)
  })

  it("tries only the TLDs asked for", () => {
    expect(candidateDomains({ name: "Garage Dupont" }, { tlds: ["fr"], withCity: false })).toEqual([
      "garage-dupont.fr",
      "garagedupont.fr"
    ])
  })
})
