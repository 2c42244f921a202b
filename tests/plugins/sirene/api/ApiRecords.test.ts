import { describe, expect, it } from "bun:test"
import {
  type ApiUnit,
  decodePage,
  establishmentsOf,
  recordFilter,
  recordOf
} from "../../../../plugins/sirene/api/ApiRecords.ts"

const siege = {
  siret: "12345678900011",
  activite_principale: "62.02A",
  activite_principale_naf25: "62.20Y",
  adresse: "BAT B 12 RUE DE LA PAIX 75002 PARIS 2",
  caractere_employeur: "O",
  code_postal: "75002",
  commune: "75102",
  complement_adresse: "BAT B",
  date_creation: "2015-03-01",
  est_siege: true,
  etat_administratif: "A",
  libelle_commune: "PARIS 2",
  libelle_voie: "DE LA PAIX",
  liste_enseignes: ["ACME", "ACME CONSEIL"],
  nom_commercial: "ACME IT",
  numero_voie: "12",
  statut_diffusion_etablissement: "O",
  tranche_effectif_salarie: "11",
  type_voie: "RUE"
}

const secondary = {
  siret: "12345678900029",
  activite_principale: "62.02A",
  adresse: "4 AVENUE FOCH 69006 LYON 6",
  code_postal: "69006",
  commune: "69386",
  date_creation: "2019-06-01",
  est_siege: false,
  etat_administratif: "A",
  libelle_commune: "LYON 6",
  liste_enseignes: null,
  statut_diffusion_etablissement: "O",
  tranche_effectif_salarie: "03"
}

const unit = (values: Record<string, unknown> = {}): ApiUnit => ({
  siren: "123456789",
  nom_complet: "acme",
  nom_raison_sociale: "ACME",
  sigle: "AC",
  siege,
  activite_principale: "62.02A",
  categorie_entreprise: "PME",
  caractere_employeur: "O",
  date_creation: "2015-03-01",
  etat_administratif: "A",
  nature_juridique: "5710",
  tranche_effectif_salarie: "12",
  statut_diffusion: "O",
  matching_etablissements: [{ ...siege, complement_adresse: undefined, libelle_voie: undefined }, secondary],
  ...values
})

describe("api.collect records", () => {
  it("maps a head office to the stock's column names, street details from `siege`", () => {
    const u = unit()
    expect(recordOf(u, u.matching_etablissements![0]!)).toEqual({
      siren: "123456789",
      nic: "00011",
      siret: "12345678900011",
      statutDiffusionEtablissement: "O",
      dateCreationEtablissement: "2015-03-01",
      trancheEffectifsEtablissement: "11",
      etablissementSiege: "true",
      complementAdresseEtablissement: "BAT B",
      numeroVoieEtablissement: "12",
      typeVoieEtablissement: "RUE",
      libelleVoieEtablissement: "DE LA PAIX",
      codePostalEtablissement: "75002",
      libelleCommuneEtablissement: "PARIS 2",
      codeCommuneEtablissement: "75102",
      etatAdministratifEtablissement: "A",
      enseigne1Etablissement: "ACME",
      enseigne2Etablissement: "ACME CONSEIL",
      denominationUsuelleEtablissement: "ACME IT",
      activitePrincipaleEtablissement: "62.02A",
      nomenclatureActivitePrincipaleEtablissement: "NAFRev2",
      caractereEmployeurEtablissement: "O",
      activitePrincipaleNAF25Etablissement: "62.20Y",
      statutDiffusionUniteLegale: "O",
      dateCreationUniteLegale: "2015-03-01",
      sigleUniteLegale: "AC",
      trancheEffectifsUniteLegale: "12",
      categorieEntreprise: "PME",
      etatAdministratifUniteLegale: "A",
      denominationUniteLegale: "ACME",
      categorieJuridiqueUniteLegale: "5710",
      activitePrincipaleUniteLegale: "62.02A",
      nomenclatureActivitePrincipaleUniteLegale: "NAFRev2",
      nicSiegeUniteLegale: "00011",
      caractereEmployeurUniteLegale: "O",
      source_file: "recherche-entreprises"
    })
  })

  it("takes another establishment's street from the composed address, and nothing it does not give", () => {
    const record = recordOf(unit(), secondary)
    expect(record.libelleVoieEtablissement).toBe("4 AVENUE FOCH")
    expect(record.typeVoieEtablissement).toBeUndefined()
    expect(record.etablissementSiege).toBe("false")
    expect(record.codeCommuneEtablissement).toBe("69386")
    expect(record.nicSiegeUniteLegale).toBe("00011")
    // An address that does not end with "postcode commune" is not cut up.
    expect(recordOf(unit(), { ...secondary, adresse: "4 AVENUE FOCH LYON" }).libelleVoieEtablissement).toBeUndefined()
    // Name parts of a person are never guessed from nom_complet.
    const person = recordOf(
      unit({ nature_juridique: "1000", nom_raison_sociale: null, nom_complet: "jean dupont" }),
      secondary
    )
    expect(person.nomUniteLegale).toBeUndefined()
    expect(person.prenom1UniteLegale).toBeUndefined()
    expect(person.denominationUniteLegale).toBeUndefined()
  })

  it("sets the nomenclature only for codes of the NAF rév. 2 shape", () => {
    const old = recordOf(unit({ activite_principale: "72.2A" }), { ...secondary, activite_principale: "72.2A" })
    expect(old.activitePrincipaleEtablissement).toBe("72.2A")
    expect(old.nomenclatureActivitePrincipaleEtablissement).toBeUndefined()
    expect(old.nomenclatureActivitePrincipaleUniteLegale).toBeUndefined()
  })

  it("keeps masked values null and masks a unit under diffusion status P as dumps.collect does", () => {
    const masked = "[NON-DIFFUSIBLE]"
    const restricted = unit({ statut_diffusion: "P", sigle: masked })
    const etab = {
      ...secondary,
      statut_diffusion_etablissement: "P",
      adresse: masked,
      code_postal: masked,
      liste_enseignes: [masked],
      nom_commercial: masked
    }
    const record = recordOf(restricted, etab)
    for (const column of [
      "libelleVoieEtablissement",
      "codePostalEtablissement",
      "enseigne1Etablissement",
      "denominationUsuelleEtablissement",
      "sigleUniteLegale",
      // A legal person whose own status is P: its name is withheld too, as in dumps.collect.
      "denominationUniteLegale"
    ]) {
      expect({ column, value: record[column] }).toEqual({ column, value: undefined })
    }
    expect(Object.values(record)).not.toContain(masked)
    expect(record).toMatchObject({
      siret: "12345678900029",
      statutDiffusionUniteLegale: "P",
      statutDiffusionEtablissement: "P",
      activitePrincipaleEtablissement: "62.02A",
      codeCommuneEtablissement: "69386",
      categorieJuridiqueUniteLegale: "5710"
    })
    // The older mask of the stock files counts as absent too.
    expect(recordOf(unit(), { ...secondary, libelle_commune: "[ND]" }).libelleCommuneEtablissement).toBeUndefined()
  })

  it("lists the matching establishments, else the head office, and says when the API's limit was reached", () => {
    expect(establishmentsOf(unit(), 100)).toMatchObject({ fromSiege: false, atLimit: false })
    expect(establishmentsOf(unit(), 2).atLimit).toBe(true)
    const alone = establishmentsOf(unit({ matching_etablissements: [] }), 100)
    expect(alone.fromSiege).toBe(true)
    expect(alone.establishments).toEqual([siege])
  })

  it("applies the job's filters as dumps.collect does", () => {
    const record = recordOf(unit(), secondary)
    const keeps = (filters: Parameters<typeof recordFilter>[0], r = record) => recordFilter(filters).keep(r)
    expect(keeps({ naf_include: ["62"] })).toBe(true)
    expect(keeps({ naf_include: ["62.01"] })).toBe(false)
    expect(keeps({ naf_exclude: ["62.02A"] })).toBe(false)
    expect(keeps({ departments: ["75"] })).toBe(false)
    expect(keeps({ departments: ["69"] })).toBe(true)
    expect(keeps({ regions: ["84"] })).toBe(true)
    expect(keeps({ headcount: ["03"] })).toBe(true)
    expect(keeps({ headcount: ["12"] })).toBe(false)
    expect(keeps({ created_after: "2019-06-01" })).toBe(true)
    expect(keeps({ created_after: "2019-06-02" })).toBe(false)
    expect(keeps({ active_only: true })).toBe(true)
    expect(keeps({ active_only: true }, { ...record, etatAdministratifUniteLegale: "C" })).toBe(false)
    expect(keeps({ active_only: true }, { ...record, etatAdministratifEtablissement: "F" })).toBe(false)
    // NAF filters keep NAF rév. 2 rows only.
    expect(keeps({ naf_include: ["72"] }, recordOf(unit(), { ...secondary, activite_principale: "72.2A" }))).toBe(false)
  })

  it("reads a page only when it has the documented shape", () => {
    expect(decodePage({ results: [], total_results: 0, page: 1, per_page: 25, total_pages: 0 })).toMatchObject({
      total_results: 0
    })
    expect(decodePage([])).toBe("the answer has no `results` list")
    expect(decodePage({ results: [{}], total_results: 1, total_pages: 1 })).toBe("a result has no `siren`")
    expect(decodePage({ results: [] })).toBe("the answer has no numeric `total_results` and `total_pages`")
  })
})
