import { describe, expect, it } from "bun:test"
import { maskForDiffusion } from "../../../plugins/normalize/rules/diffusion.ts"
import { INSEE_COLUMNS, type RawEstablishment } from "../../../plugins/normalize/rules/raw.ts"
import { company, partiallyDiffusible, soleProprietor, withColumns } from "./rows.ts"

const nonNull = (row: RawEstablishment) => Object.entries(row).filter(([, value]) => value !== null)

describe("maskForDiffusion", () => {
  it("keeps identifiers, NAF, category, band, states and dates of a partially diffusible row", () => {
    const masked = maskForDiffusion(partiallyDiffusible)
    expect(Object.fromEntries(nonNull(masked))).toEqual({
      siren: "120027016",
      nic: "00019",
      siret: "12002701600019",
      statutDiffusionEtablissement: "P",
      dateCreationEtablissement: "2021-03-02",
      trancheEffectifsEtablissement: "NN",
      etablissementSiege: "true",
      etatAdministratifEtablissement: "A",
      activitePrincipaleEtablissement: "70.22Z",
      nomenclatureActivitePrincipaleEtablissement: "NAFRev2",
      activitePrincipaleNAF25Etablissement: "70.20Y",
      statutDiffusionUniteLegale: "P",
      categorieJuridiqueUniteLegale: "1000",
      etatAdministratifUniteLegale: "A",
      categorieEntreprise: "PME"
    })
  })

  it("drops names, sign and street address even when they arrive in clear, keeping the commune", () => {
    const leaky = withColumns(soleProprietor, { statutDiffusionEtablissement: "P" })
    const masked = maskForDiffusion(leaky)
    expect(masked.nomUniteLegale).toBeNull()
    expect(masked.nomUsageUniteLegale).toBeNull()
    expect(masked.prenomUsuelUniteLegale).toBeNull()
    expect(masked.sexeUniteLegale).toBeNull()
    expect(masked.enseigne1Etablissement).toBeNull()
    expect(masked.libelleVoieEtablissement).toBeNull()
    expect(masked.numeroVoieEtablissement).toBeNull()
    // Commune-level geography stays when INSEE publishes it (it does not locate a person).
    expect(masked.codePostalEtablissement).toBe(leaky.codePostalEtablissement ?? null)
    expect(masked.codeCommuneEtablissement).toBe(leaky.codeCommuneEtablissement ?? null)
    expect(masked.siret).toBe("55210055400013")
    expect(masked.activitePrincipaleEtablissement).toBe("10.71C")
  })

  it("treats the legacy status N like P", () => {
    const masked = maskForDiffusion(withColumns(soleProprietor, { statutDiffusionUniteLegale: "N" }))
    expect(masked.nomUniteLegale).toBeNull()
    expect(masked.enseigne1Etablissement).toBeNull()
  })

  it("keeps the denomination of a public legal person whose establishment is partially diffusible", () => {
    const masked = maskForDiffusion(withColumns(company, { statutDiffusionEtablissement: "P" }))
    expect(masked.denominationUniteLegale).toBe("ACME CONSEIL LOGICIEL")
    expect(masked.sigleUniteLegale).toBe("ACL")
    expect(masked.libelleVoieEtablissement).toBeNull()
  })

  it("drops the denomination of a legal person that is itself partially diffusible", () => {
    const masked = maskForDiffusion(withColumns(company, { statutDiffusionUniteLegale: "P" }))
    expect(masked.denominationUniteLegale).toBeNull()
    expect(masked.sigleUniteLegale).toBeNull()
  })

  it("drops the trading names of a natural person", () => {
    const row = withColumns(soleProprietor, {
      statutDiffusionEtablissement: "P",
      denominationUsuelle1UniteLegale: "MARIE DUPONT BOULANGERIE"
    })
    expect(maskForDiffusion(row).denominationUsuelle1UniteLegale).toBeNull()
  })

  it("changes nothing but [ND] and empty values on a diffusible row", () => {
    const row = withColumns(company, { complementAdresseEtablissement: "[ND]" })
    const masked = maskForDiffusion(row)
    expect(masked.complementAdresseEtablissement).toBeNull()
    expect(masked.enseigne1Etablissement).toBeNull()
    expect(masked.libelleVoieEtablissement).toBe("DE LA PAIX")
    expect(masked.denominationUniteLegale).toBe("ACME CONSEIL LOGICIEL")
  })

  it("holds exactly the known INSEE columns", () => {
    const masked = maskForDiffusion({ ...company, unknownColumn: "x" } as RawEstablishment)
    expect(Object.keys(masked)).toEqual([...INSEE_COLUMNS])
  })
})
