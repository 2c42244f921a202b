import { describe, expect, it } from "bun:test"
import { nafLabel, nafOf } from "../../../plugins/normalize/rules/naf.ts"
import { company, withColumns } from "./rows.ts"

describe("nafOf", () => {
  it("labels a NAF rev. 2 sub-class", () => {
    expect(nafOf(company)).toEqual({
      naf: "62.02A",
      naf_label: "Conseil en systèmes et logiciels informatiques",
      naf25: "62.20Y",
      naf25_label: null
    })
  })

  it("gives no NAF code nor label for rows of an older nomenclature", () => {
    const old = withColumns(company, {
      activitePrincipaleEtablissement: "72.2C",
      nomenclatureActivitePrincipaleEtablissement: "NAFRev1"
    })
    expect(nafOf(old).naf).toBeNull()
    expect(nafOf(old).naf_label).toBeNull()
  })

  it("gives no NAF code without a nomenclature", () => {
    expect(nafOf(withColumns(company, { nomenclatureActivitePrincipaleEtablissement: "" })).naf).toBeNull()
  })

  it("keeps the NAF 2025 code as is and null when absent", () => {
    expect(nafOf(withColumns(company, { activitePrincipaleNAF25Etablissement: "" })).naf25).toBeNull()
  })
})

describe("nafLabel", () => {
  it("labels codes at every level and returns null for unknown codes", () => {
    expect(nafLabel("62.02A")).toBe("Conseil en systèmes et logiciels informatiques")
    expect(nafLabel("62.01Z")).toBe("Programmation informatique")
    expect(nafLabel("62")).toBe("Programmation, conseil et autres activités informatiques")
    expect(nafLabel("62.02Y")).toBeNull()
    expect(nafLabel(null)).toBeNull()
  })
})
