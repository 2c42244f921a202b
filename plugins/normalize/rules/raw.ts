/**
 * The INSEE columns the normalisation rules read: one StockEtablissement row joined with its
 * StockUniteLegale row on `siren`. Column names are INSEE's own (format 3.11 + NAF 2025), read by
 * name, never by position.
 */
export const INSEE_COLUMNS = [
  // StockEtablissement
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
  "activitePrincipaleNAF25Etablissement",
  // StockUniteLegale
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

/** One INSEE column name from {@link INSEE_COLUMNS}. */
export type InseeColumn = (typeof INSEE_COLUMNS)[number]

/**
 * One establishment joined with its legal unit, as raw CSV strings (already trimmed). An empty
 * string or `[ND]` (INSEE's "non diffusible" marker) means absent, like `null` or a missing key.
 */
export type RawEstablishment = Readonly<Partial<Record<InseeColumn, string | null>>>

/** INSEE's marker for a value withheld under `statutDiffusion = P` (SIRENE.md, "Masking rule"). */
export const NOT_DIFFUSED = "[ND]"

/** The value of `column`, or null when it is missing, empty or `[ND]`. */
export const field = (raw: RawEstablishment, column: InseeColumn): string | null => {
  const value = raw[column]
  return value === undefined || value === null || value === "" || value === NOT_DIFFUSED ? null : value
}
