import { describe, expect, it } from "bun:test"
import { firstNameCase } from "../../../plugins/normalize/rules/casing.ts"
import { isNaturalPerson, namesOf } from "../../../plugins/normalize/rules/names.ts"
import { company, soleProprietor, withColumns } from "./rows.ts"

describe("namesOf", () => {
  it("uses the denomination of a company as legal and display name", () => {
    expect(namesOf(company)).toEqual({ name: "ACME CONSEIL LOGICIEL", legal_name: "ACME CONSEIL LOGICIEL" })
  })

  it("does not use the acronym as display name", () => {
    expect(namesOf(company).name).not.toBe("ACL")
  })

  it("prefers the establishment's sign as display name, with whitespace cleaned", () => {
    expect(namesOf(soleProprietor).name).toBe("BOULANGERIE DU MARCHE")
  })

  it("falls back from sign to establishment trading name to legal unit trading name", () => {
    const tradingName = withColumns(company, { denominationUsuelleEtablissement: "ACME PARIS CENTRE" })
    expect(namesOf(tradingName).name).toBe("ACME PARIS CENTRE")
    const unitTradingName = withColumns(company, { denominationUsuelle1UniteLegale: "ACME" })
    expect(namesOf(unitTradingName).name).toBe("ACME")
    expect(namesOf(withColumns(unitTradingName, { enseigne1Etablissement: "ACME LAB" })).name).toBe("ACME LAB")
  })

  it("names a natural person by first name then usage name, first name in readable case", () => {
    expect(namesOf(soleProprietor).legal_name).toBe("Marie DUPONT")
  })

  it("uses the birth name when there is no usage name", () => {
    expect(namesOf(withColumns(soleProprietor, { nomUsageUniteLegale: "" })).legal_name).toBe("Marie LEFEBVRE")
  })

  it("uses the first given name when there is no usual first name, and cases compound names", () => {
    const row = withColumns(soleProprietor, { prenomUsuelUniteLegale: "", prenom1UniteLegale: "JEAN-PIERRE" })
    expect(namesOf(row).legal_name).toBe("Jean-Pierre DUPONT")
  })

  it("keeps accents of names", () => {
    const row = withColumns(soleProprietor, { prenomUsuelUniteLegale: "HÉLÈNE", nomUsageUniteLegale: "LEFÈVRE" })
    expect(namesOf(row).legal_name).toBe("Hélène LEFÈVRE")
  })

  it("uses a person's pseudonym as display name when there is no sign", () => {
    const row = withColumns(soleProprietor, { enseigne1Etablissement: "", pseudonymeUniteLegale: "MARIE DES PAINS" })
    expect(namesOf(row)).toEqual({ name: "MARIE DES PAINS", legal_name: "Marie DUPONT" })
  })

  it("ignores a pseudonym on a legal person", () => {
    expect(namesOf(withColumns(company, { pseudonymeUniteLegale: "X" })).name).toBe("ACME CONSEIL LOGICIEL")
  })

  it("gives no legal name to a person without a surname rather than a bare first name", () => {
    const row = withColumns(soleProprietor, { nomUniteLegale: "", nomUsageUniteLegale: "", enseigne1Etablissement: "" })
    expect(namesOf(row)).toEqual({ name: null, legal_name: null })
  })

  it("treats a unit without category and denomination but with a birth name as a person", () => {
    const row = withColumns(soleProprietor, { categorieJuridiqueUniteLegale: "" })
    expect(isNaturalPerson(row)).toBe(true)
    expect(namesOf(row).legal_name).toBe("Marie DUPONT")
  })

  it("returns nulls for an empty row", () => {
    expect(namesOf({})).toEqual({ name: null, legal_name: null })
  })
})

describe("firstNameCase", () => {
  it("capitalises each part of a compound first name", () => {
    expect(firstNameCase("JEAN-PIERRE")).toBe("Jean-Pierre")
    expect(firstNameCase("MARIE CLAIRE")).toBe("Marie Claire")
    expect(firstNameCase("N'GOLO")).toBe("N'Golo")
  })
})
