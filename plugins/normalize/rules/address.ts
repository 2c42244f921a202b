/**
 * One postal address line per establishment, built from INSEE's address columns in postal order:
 * number and repetition index, street type and name, complement, special distribution, then
 * postcode and commune (or CEDEX, or foreign city and country).
 */
import { readableCase, squash } from "./casing.ts"
import { field, type RawEstablishment } from "./raw.ts"

/** The address of one establishment; null when unknown. */
export interface Address {
  /** "12 bis Rue de la Paix, Bat B, 75002 Paris" */
  readonly address_line: string | null
  /** `codePostalEtablissement` when it is 5 digits. */
  readonly postcode: string | null
  /** The commune (or foreign city) in readable case. */
  readonly city: string | null
  /** `codeCommuneEtablissement`, the INSEE commune code (COG), e.g. "75102" or "2A004". */
  readonly commune_code: string | null
}

/**
 * `typeVoieEtablissement` codes and their labels. The first block is INSEE's published list
 * (documentation of the Sirene stock files, variable `typeVoieEtablissement`): note that there
 * `QUA` is Quartier and `QUAI` is Quai. The second block holds FANTOIR/RNE natures de voie seen in
 * recent stocks since addresses come from the RNE. An unknown code is kept in readable case.
 */
const STREET_TYPES: ReadonlyMap<string, string> = new Map([
  ["ALL", "Allée"],
  ["AV", "Avenue"],
  ["BD", "Boulevard"],
  ["CAR", "Carrefour"],
  ["CHE", "Chemin"],
  ["CHS", "Chaussée"],
  ["CITE", "Cité"],
  ["COR", "Corniche"],
  ["CRS", "Cours"],
  ["DOM", "Domaine"],
  ["DSC", "Descente"],
  ["ECA", "Écart"],
  ["ESP", "Esplanade"],
  ["FG", "Faubourg"],
  ["GR", "Grande Rue"],
  ["HAM", "Hameau"],
  ["HLE", "Halle"],
  ["IMP", "Impasse"],
  ["LD", "Lieu-dit"],
  ["LOT", "Lotissement"],
  ["MAR", "Marché"],
  ["MTE", "Montée"],
  ["PAS", "Passage"],
  ["PL", "Place"],
  ["PLN", "Plaine"],
  ["PLT", "Plateau"],
  ["PRO", "Promenade"],
  ["PRV", "Parvis"],
  ["QUA", "Quartier"],
  ["QUAI", "Quai"],
  ["RES", "Résidence"],
  ["RLE", "Ruelle"],
  ["ROC", "Rocade"],
  ["RPT", "Rond-point"],
  ["RTE", "Route"],
  ["RUE", "Rue"],
  ["SEN", "Sentier"],
  ["SQ", "Square"],
  ["TPL", "Terre-plein"],
  ["TRA", "Traverse"],
  ["VLA", "Villa"],
  ["VLGE", "Village"],
  // FANTOIR / RNE natures de voie
  ["CHEM", "Cheminement"],
  ["CLOS", "Clos"],
  ["COIN", "Coin"],
  ["COTE", "Côte"],
  ["COUR", "Cour"],
  ["CTRE", "Centre"],
  ["GARE", "Gare"],
  ["ILOT", "Îlot"],
  ["MAIL", "Mail"],
  ["PARC", "Parc"],
  ["PARV", "Parvis"],
  ["PONT", "Pont"],
  ["PORT", "Port"],
  ["PTTE", "Placette"],
  ["QUAR", "Quartier"],
  ["SENT", "Sente"],
  ["TOUR", "Tour"],
  ["TRAV", "Traverse"],
  ["VOIE", "Voie"],
  ["ZA", "Zone artisanale"],
  ["ZAC", "ZAC"],
  ["ZAD", "ZAD"],
  ["ZI", "Zone industrielle"],
  ["ZONE", "Zone"]
])

/** `indiceRepetitionEtablissement`: INSEE codes B, T, Q, C (or the words) as French ordinals. */
const REPETITION_INDICES: ReadonlyMap<string, string> = new Map([
  ["B", "bis"],
  ["BIS", "bis"],
  ["T", "ter"],
  ["TER", "ter"],
  ["Q", "quater"],
  ["QUATER", "quater"],
  ["C", "quinquies"],
  ["QUINQUIES", "quinquies"]
])

const POSTCODE = /^\d{5}$/
const COMMUNE_CODE = /^(\d{2}|2A|2B)\d{3}$/
const CEDEX = /\bCEDEX\b/i

/** The label of an INSEE street type code ("AV" -> "Avenue"); an unknown code in readable case. */
export const streetTypeLabel = (code: string | null): string | null => {
  const squashed = squash(code)
  if (squashed === null) return null
  return STREET_TYPES.get(squashed.toUpperCase()) ?? readableCase(squashed, true)
}

/** "12" + "B" -> "12 bis"; another letter is appended as is ("12A"). */
const houseNumber = (raw: RawEstablishment): string | null => {
  const number = squash(field(raw, "numeroVoieEtablissement"))
  const index = squash(field(raw, "indiceRepetitionEtablissement"))
  if (number === null) return null
  if (index === null) return number
  const ordinal = REPETITION_INDICES.get(index.toUpperCase())
  if (ordinal !== undefined) return `${number} ${ordinal}`
  return index.length === 1 ? number + index.toUpperCase() : `${number} ${index}`
}

/** "12 bis Rue de la Paix": particles of the street name stay in lower case after a street type. */
const streetOf = (raw: RawEstablishment): string | null => {
  const type = streetTypeLabel(field(raw, "typeVoieEtablissement"))
  const name = readableCase(field(raw, "libelleVoieEtablissement"), type === null)
  const parts = [houseNumber(raw), type, name].filter((part) => part !== null)
  return parts.length === 0 ? null : parts.join(" ")
}

/** "75384 Paris CEDEX 08": `codeCedexEtablissement` + `libelleCedexEtablissement`, which usually says CEDEX. */
const cedexOf = (raw: RawEstablishment): string | null => {
  const code = squash(field(raw, "codeCedexEtablissement"))
  const label = readableCase(field(raw, "libelleCedexEtablissement"), true)
  if (code === null && label === null) return null
  const withCedex = label === null ? "CEDEX" : CEDEX.test(label) ? label : `${label} CEDEX`
  return code === null ? withCedex : `${code} ${withCedex}`
}

/** Postcode and city, or CEDEX, or foreign city and country: the last parts of the line. */
const localityOf = (raw: RawEstablishment, postcode: string | null, city: string | null): string[] => {
  const country = readableCase(field(raw, "libellePaysEtrangerEtablissement"), true)
  if (country !== null || field(raw, "codePaysEtrangerEtablissement") !== null) {
    return [city, country].filter((part) => part !== null)
  }
  const cedex = cedexOf(raw)
  if (cedex !== null) return [cedex]
  const local = [postcode, city].filter((part) => part !== null)
  return local.length === 0 ? [] : [local.join(" ")]
}

/**
 * The establishment's address. `address_line` joins with ", " the street ("12 bis Rue de la
 * Paix"), `complementAdresseEtablissement`, `distributionSpecialeEtablissement` ("BP 123") and the
 * locality: "75002 Paris", or "<codeCedex> <libelleCedex>" when a CEDEX is given, or the foreign city
 * and country when `codePaysEtrangerEtablissement` is set. Labels are put in readable case (see
 * `readableCase`); nothing is added that INSEE did not give. Null parts are left out; null when none.
 */
export const addressOf = (raw: RawEstablishment): Address => {
  const postalCode = field(raw, "codePostalEtablissement")
  const postcode = postalCode !== null && POSTCODE.test(postalCode) ? postalCode : null
  const city =
    readableCase(field(raw, "libelleCommuneEtablissement"), true) ??
    readableCase(field(raw, "libelleCommuneEtrangerEtablissement"), true)
  const communeCode = field(raw, "codeCommuneEtablissement")
  const commune_code = communeCode !== null && COMMUNE_CODE.test(communeCode) ? communeCode : null
  const parts = [
    streetOf(raw),
    readableCase(field(raw, "complementAdresseEtablissement"), true),
    readableCase(field(raw, "distributionSpecialeEtablissement"), true),
    ...localityOf(raw, postcode, city)
  ].filter((part) => part !== null)
  return { address_line: parts.length === 0 ? null : parts.join(", "), postcode, city, commune_code }
}
