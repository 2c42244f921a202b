/**
 * The SIRENE columns Filon reads (by name, never by position: INSEE adds columns, e.g. the
 * NAF 2025 ones in December 2025). Only these are decoded for kept rows.
 */

/** Establishment columns carried into records. */
export const ESTABLISHMENT_COLUMNS = [
  "siren",
  "nic",
  "siret",
  "statutDiffusionEtablissement",
  "dateCreationEtablissement",
  "trancheEffectifsEtablissement",
  "etablissementSiege",
  "complementAdresseEtablissement",
  "numeroVoieEtablissement",
  "indiceRepetitionEtablissement",
  "typeVoieEtablissement",
  "libelleVoieEtablissement",
  "codePostalEtablissement",
  "libelleCommuneEtablissement",
  "libelleCommuneEtrangerEtablissement",
  "distributionSpecialeEtablissement",
  "codeCommuneEtablissement",
  "codeCedexEtablissement",
  "libelleCedexEtablissement",
  "codePaysEtrangerEtablissement",
  "libellePaysEtrangerEtablissement",
  "etatAdministratifEtablissement",
  "enseigne1Etablissement",
  "enseigne2Etablissement",
  "enseigne3Etablissement",
  "denominationUsuelleEtablissement",
  "activitePrincipaleEtablissement",
  "nomenclatureActivitePrincipaleEtablissement",
  "caractereEmployeurEtablissement",
  "activitePrincipaleNAF25Etablissement"
] as const

/** Legal-unit columns joined onto each kept establishment. */
export const LEGAL_UNIT_COLUMNS = [
  "statutDiffusionUniteLegale",
  "dateCreationUniteLegale",
  "sigleUniteLegale",
  "sexeUniteLegale",
  "prenom1UniteLegale",
  "prenomUsuelUniteLegale",
  "pseudonymeUniteLegale",
  "trancheEffectifsUniteLegale",
  "categorieEntreprise",
  "etatAdministratifUniteLegale",
  "nomUniteLegale",
  "nomUsageUniteLegale",
  "denominationUniteLegale",
  "denominationUsuelle1UniteLegale",
  "denominationUsuelle2UniteLegale",
  "denominationUsuelle3UniteLegale",
  "categorieJuridiqueUniteLegale",
  "activitePrincipaleUniteLegale",
  "nomenclatureActivitePrincipaleUniteLegale",
  "nicSiegeUniteLegale",
  "economieSocialeSolidaireUniteLegale",
  "caractereEmployeurUniteLegale",
  "activitePrincipaleNAF25UniteLegale"
] as const

export type RegistryColumn = (typeof ESTABLISHMENT_COLUMNS)[number] | (typeof LEGAL_UNIT_COLUMNS)[number]

/** Without these, the filters or the join cannot work: a file lacking one is refused, naming it. */
export const ESTABLISHMENT_REQUIRED = [
  "siren",
  "siret",
  "codeCommuneEtablissement",
  "etatAdministratifEtablissement",
  "activitePrincipaleEtablissement",
  "nomenclatureActivitePrincipaleEtablissement",
  "trancheEffectifsEtablissement",
  "dateCreationEtablissement",
  "statutDiffusionEtablissement"
] as const

export const LEGAL_UNIT_REQUIRED = ["siren", "etatAdministratifUniteLegale", "statutDiffusionUniteLegale"] as const
