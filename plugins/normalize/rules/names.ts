/**
 * Legal and display names of an establishment. Company names are kept as INSEE writes them
 * (whitespace cleaned, accents kept, case untouched: only the company knows its brand's casing);
 * nothing is ever composed from other sources.
 */
import { firstNameCase, squash } from "./casing.ts"
import { field, type RawEstablishment } from "./raw.ts"

/** The names of one establishment; null when unknown. */
export interface Names {
  /** What a salesperson calls the place: the sign over the door, else the legal name. */
  readonly name: string | null
  /** The name the legal unit is registered under: its denomination, or a sole proprietor's civil name. */
  readonly legal_name: string | null
}

/**
 * True when the legal unit is a natural person (entrepreneur individuel): legal category 1xxx
 * (`categorieJuridiqueUniteLegale`, today only 1000), or, with no category, no denomination and a
 * birth name (`nomUniteLegale`), which INSEE fills only for natural persons.
 */
export const isNaturalPerson = (raw: RawEstablishment): boolean => {
  const category = field(raw, "categorieJuridiqueUniteLegale")
  if (category !== null) return category.charCodeAt(0) === 49 // "1"
  return field(raw, "denominationUniteLegale") === null && field(raw, "nomUniteLegale") !== null
}

/**
 * A sole proprietor's civil name: usual first name (`prenomUsuelUniteLegale`, else `prenom1`) in
 * readable case, then the usage name (`nomUsageUniteLegale`, e.g. a married name) or else the birth
 * name (`nomUniteLegale`), kept in INSEE's capitals: "Marie DUPONT". Null without a surname.
 */
const personName = (raw: RawEstablishment): string | null => {
  const surname = squash(field(raw, "nomUsageUniteLegale")) ?? squash(field(raw, "nomUniteLegale"))
  if (surname === null) return null
  const firstName = firstNameCase(field(raw, "prenomUsuelUniteLegale") ?? field(raw, "prenom1UniteLegale"))
  return firstName === null ? surname : `${firstName} ${surname}`
}

/**
 * The legal name (`legal_name`): `denominationUniteLegale` for a legal person, the civil name for a
 * natural person (see {@link personName}).
 */
export const legalNameOf = (raw: RawEstablishment): string | null =>
  isNaturalPerson(raw) ? personName(raw) : squash(field(raw, "denominationUniteLegale"))

/**
 * The legal and display names. The display name (`name`) is the first present of:
 * 1. `enseigne1Etablissement`: the sign of this establishment;
 * 2. `denominationUsuelleEtablissement`: the trading name of this establishment;
 * 3. `denominationUsuelle1UniteLegale`: the trading name of the legal unit;
 * 4. `pseudonymeUniteLegale`, for a natural person only: the name the person trades under;
 * 5. the legal name.
 *
 * The acronym (`sigleUniteLegale`) is not used: it abbreviates the legal name, which says more.
 */
export const namesOf = (raw: RawEstablishment): Names => {
  const legal_name = legalNameOf(raw)
  const name =
    squash(field(raw, "enseigne1Etablissement")) ??
    squash(field(raw, "denominationUsuelleEtablissement")) ??
    squash(field(raw, "denominationUsuelle1UniteLegale")) ??
    (isNaturalPerson(raw) ? squash(field(raw, "pseudonymeUniteLegale")) : null) ??
    legal_name
  return { name, legal_name }
}
