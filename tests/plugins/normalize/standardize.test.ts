import { describe, expect, it } from "bun:test"
import { INSEE_COLUMNS } from "../../../plugins/normalize/rules/raw.ts"
import { NORMALIZED_FIELDS, standardize } from "../../../plugins/normalize/rules/standardize.ts"
import { company, partiallyDiffusible, soleProprietor, withColumns } from "./rows.ts"

const recordOf = (row: Parameters<typeof standardize>[0]) => {
  const result = standardize(row)
  if (!result.ok) throw new Error(`rejected: ${result.reason} ${result.detail}`)
  return result.record
}

describe("standardize", () => {
  it("normalises a company's head office", () => {
    expect(recordOf(company)).toEqual({
      siren: "732829320",
      siret: "73282932000017",
      name: "ACME CONSEIL LOGICIEL",
      legal_name: "ACME CONSEIL LOGICIEL",
      naf: "62.02A",
      naf_label: "Conseil en systèmes et logiciels informatiques",
      naf25: "62.20Y",
      naf25_label: null,
      address_line: "12 bis Rue de la Paix, Bat B, 75002 Paris 2",
      postcode: "75002",
      city: "Paris 2",
      commune_code: "75102",
      department: "75",
      department_name: "Paris",
      region: "11",
      region_name: "Île-de-France",
      headcount_band: "11",
      headcount_label: "10-19 employees",
      created_on: "2015-06-01",
      is_head_office: true,
      is_active: true,
      legal_category: "5710",
      company_category: "PME",
      diffusion: "O"
    })
  })

  it("normalises a sole proprietor's shop", () => {
    const record = recordOf(soleProprietor)
    expect(record.name).toBe("BOULANGERIE DU MARCHE")
    expect(record.legal_name).toBe("Marie DUPONT")
    expect(record.address_line).toBe("3 ter Avenue du General de Gaulle, 69003 Lyon 3eme")
    expect(record.department).toBe("69")
    expect(record.region_name).toBe("Auvergne-Rhône-Alpes")
    expect(record.legal_category).toBe("1000")
  })

  it("gives a partially diffusible row no name nor address but keeps its activity", () => {
    const record = recordOf(partiallyDiffusible)
    expect(record).toMatchObject({
      siret: "12002701600019",
      name: null,
      legal_name: null,
      address_line: null,
      postcode: null,
      city: null,
      department: null,
      naf: "70.22Z",
      naf_label: "Conseil pour les affaires et autres conseils de gestion",
      headcount_band: "NN",
      diffusion: "P"
    })
  })

  it("marks a row P when only one of the two statuses is P", () => {
    expect(recordOf(withColumns(company, { statutDiffusionUniteLegale: "P" })).diffusion).toBe("P")
    expect(recordOf(withColumns(company, { statutDiffusionEtablissement: "P" })).diffusion).toBe("P")
  })

  it("is inactive when the establishment is closed or the legal unit ceased", () => {
    expect(recordOf(withColumns(company, { etatAdministratifEtablissement: "F" })).is_active).toBe(false)
    expect(recordOf(withColumns(company, { etatAdministratifUniteLegale: "C" })).is_active).toBe(false)
    expect(recordOf(withColumns(company, { etatAdministratifEtablissement: "" })).is_active).toBeNull()
  })

  it("reads the head-office flag and leaves it null when absent", () => {
    expect(recordOf(withColumns(company, { etablissementSiege: "false" })).is_head_office).toBe(false)
    expect(recordOf(withColumns(company, { etablissementSiege: "" })).is_head_office).toBeNull()
  })

  it("drops an impossible creation date", () => {
    expect(recordOf(withColumns(company, { dateCreationEtablissement: "2023-02-30" })).created_on).toBeNull()
  })

  it("accepts a La Poste SIRET that fails Luhn", () => {
    const laPoste = withColumns(company, { siren: "356000000", nic: "48004", siret: "35600000048004" })
    expect(recordOf(laPoste).siret).toBe("35600000048004")
  })

  it("reads the SIREN from the SIRET when the siren column is empty", () => {
    expect(recordOf(withColumns(company, { siren: "" })).siren).toBe("732829320")
  })

  it("rejects a row without SIRET", () => {
    expect(standardize(withColumns(company, { siret: "" }))).toMatchObject({ ok: false, reason: "missing_siret" })
    expect(standardize({})).toMatchObject({ ok: false, reason: "missing_siret" })
  })

  it("rejects a SIRET that is not 14 digits or fails its check digit", () => {
    for (const siret of ["7328293200001", "7328293200001A", "73282932000018"]) {
      expect(standardize(withColumns(company, { siret }))).toMatchObject({ ok: false, reason: "invalid_siret" })
    }
  })

  it("rejects a SIREN that is malformed, fails its check digit or does not start the SIRET", () => {
    for (const siren of ["73282932", "732829321", "552100554"]) {
      expect(standardize(withColumns(company, { siren }))).toMatchObject({ ok: false, reason: "invalid_siren" })
    }
  })

  it("rejects a SIRET whose first 9 digits fail the SIREN check digit", () => {
    // Luhn over 14 digits passes while the 9-digit prefix does not.
    const result = standardize({ siret: "73282932100007" })
    expect(result).toMatchObject({ ok: false, reason: "invalid_siren" })
  })

  it("explains each reject", () => {
    const result = standardize(withColumns(company, { siret: "73282932000018" }))
    expect(result).toEqual({ ok: false, reason: "invalid_siret", detail: "siret 73282932000018 fails its check digit" })
  })
})

describe("NORMALIZED_FIELDS", () => {
  it("describes every output field, in output order", () => {
    expect(Object.keys(NORMALIZED_FIELDS)).toEqual(Object.keys(recordOf(company)))
  })

  it("marks the fields that can hold a sole proprietor's personal data", () => {
    const personal = Object.entries(NORMALIZED_FIELDS)
      .filter(([, spec]) => spec.personal === true)
      .map(([field]) => field)
    expect(personal).toEqual(["name", "legal_name", "address_line"])
  })
})

describe("INSEE_COLUMNS", () => {
  it("lists each column once", () => {
    expect(new Set(INSEE_COLUMNS).size).toBe(INSEE_COLUMNS.length)
  })
})
