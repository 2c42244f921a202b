/**
 * recherche-entreprises answers as dumps.collect records: one record per establishment (SIRET),
 * with its legal unit's fields, under the SIRENE column names (columns.ts), masked by the same
 * diffusion rule, and kept only when the job's filters (filters.ts, the very code dumps.collect
 * runs on stock bytes) accept it.
 *
 * What the API does not give stays absent, never rebuilt: sole proprietors' name parts
 * (`nomUniteLegale`, `prenom1UniteLegale`…: the API only has a composed `nom_complet`), the legal
 * unit's trading names, and the nomenclature columns, which are set to NAFRev2 only when the code
 * has the rév. 2 shape `NN.NNL` (older nomenclatures write `NN.NL` or `NN.NN`). The API masks
 * values of units and establishments under diffusion status P as `[NON-DIFFUSIBLE]` (older answers
 * and the stock files say `[ND]`); both are null here. Street details are given for head offices
 * only: other establishments carry the API's composed `adresse`, whose part before
 * "postcode commune" becomes `libelleVoieEtablissement` when it ends that way (an approximation the
 * API forces; number and street type are then part of that label).
 */
import type { Job } from "../../../core/Job.ts"
import type { Rec } from "../../../core/Record.ts"
import { maskForDiffusion } from "../../normalize/rules/diffusion.ts"
import { departmentsOfRegion } from "../../normalize/rules/geo.ts"
import { ESTABLISHMENT_COLUMNS, type RegistryColumn } from "../columns.ts"
import { compileFilter } from "../filters.ts"

type Filters = NonNullable<Job["filters"]>

/** One establishment as the API gives it (`siege` or an item of `matching_etablissements`). */
export type ApiEstablishment = Readonly<Record<string, unknown>>

/** One result: a legal unit with its head office and the establishments that matched the query. */
export interface ApiUnit extends Readonly<Record<string, unknown>> {
  readonly siren: string
  readonly siege?: ApiEstablishment | null
  readonly matching_etablissements?: ReadonlyArray<ApiEstablishment> | null
}

export interface ApiPage {
  readonly results: ReadonlyArray<ApiUnit>
  readonly total_results: number
  readonly total_pages: number
}

/** The body of a 200 answer as a page, or why it is not one. */
export const decodePage = (body: unknown): ApiPage | string => {
  if (typeof body !== "object" || body === null) return "the answer is not a JSON object"
  const page = body as Record<string, unknown>
  if (!Array.isArray(page.results)) return "the answer has no `results` list"
  if (typeof page.total_results !== "number" || typeof page.total_pages !== "number") {
    return "the answer has no numeric `total_results` and `total_pages`"
  }
  for (const result of page.results) {
    if (typeof result !== "object" || result === null || typeof (result as ApiUnit).siren !== "string") {
      return "a result has no `siren`"
    }
  }
  return page as unknown as ApiPage
}

/** The API's masks for values withheld under diffusion status P. */
const MASKS = new Set(["[ND]", "[NON-DIFFUSIBLE]"])

/** A usable text value: a non-empty string (or a number) that is not a mask; else null. */
const text = (value: unknown): string | null => {
  if (typeof value === "number" && Number.isFinite(value)) return String(value)
  if (typeof value !== "string") return null
  const trimmed = value.trim()
  return trimmed === "" || MASKS.has(trimmed) ? null : trimmed
}

const NAF_REV2_SHAPE = /^\d{2}\.\d{2}[A-Z]$/

const nomenclatureOf = (code: string | null): string | null =>
  code !== null && NAF_REV2_SHAPE.test(code) ? "NAFRev2" : null

const booleanText = (value: unknown): string | null => (value === true ? "true" : value === false ? "false" : null)

/** The street part of a composed address, when it ends with "postcode commune". */
const streetOfComposed = (address: string | null, postcode: string | null, commune: string | null): string | null => {
  if (address === null || postcode === null || commune === null) return null
  const tail = ` ${postcode} ${commune}`
  if (!address.toUpperCase().endsWith(tail.toUpperCase())) return null
  return text(address.slice(0, address.length - tail.length))
}

/** The legal-unit columns the API fills. */
export const UNIT_API_COLUMNS = [
  "siren",
  "statutDiffusionUniteLegale",
  "dateCreationUniteLegale",
  "sigleUniteLegale",
  "trancheEffectifsUniteLegale",
  "categorieEntreprise",
  "etatAdministratifUniteLegale",
  "denominationUniteLegale",
  "categorieJuridiqueUniteLegale",
  "activitePrincipaleUniteLegale",
  "nomenclatureActivitePrincipaleUniteLegale",
  "nicSiegeUniteLegale",
  "caractereEmployeurUniteLegale",
  "activitePrincipaleNAF25UniteLegale"
] as const satisfies ReadonlyArray<RegistryColumn>

type ApiEstablishmentColumn = Exclude<(typeof ESTABLISHMENT_COLUMNS)[number], "siren">

/** The establishment columns the API fills: every one dumps.collect carries (the SIREN comes with the unit). */
export const ESTABLISHMENT_API_COLUMNS = ESTABLISHMENT_COLUMNS.filter(
  (column): column is ApiEstablishmentColumn => column !== "siren"
)

type Fields<Columns extends ReadonlyArray<RegistryColumn>> = Record<Columns[number], string | null>

const unitFields = (unit: ApiUnit): Fields<typeof UNIT_API_COLUMNS> => {
  const naf = text(unit.activite_principale)
  const siegeSiret = text(unit.siege?.siret)
  return {
    siren: text(unit.siren),
    statutDiffusionUniteLegale: text(unit.statut_diffusion),
    dateCreationUniteLegale: text(unit.date_creation),
    sigleUniteLegale: text(unit.sigle),
    trancheEffectifsUniteLegale: text(unit.tranche_effectif_salarie),
    categorieEntreprise: text(unit.categorie_entreprise),
    etatAdministratifUniteLegale: text(unit.etat_administratif),
    denominationUniteLegale: text(unit.nom_raison_sociale),
    categorieJuridiqueUniteLegale: text(unit.nature_juridique),
    activitePrincipaleUniteLegale: naf,
    nomenclatureActivitePrincipaleUniteLegale: nomenclatureOf(naf),
    nicSiegeUniteLegale: siegeSiret !== null && siegeSiret.length === 14 ? siegeSiret.slice(9) : null,
    caractereEmployeurUniteLegale: text(unit.caractere_employeur),
    activitePrincipaleNAF25UniteLegale: text(unit.activite_principale_naf25)
  }
}

const establishmentFields = (etab: ApiEstablishment, detailed: boolean): Fields<typeof ESTABLISHMENT_API_COLUMNS> => {
  const siret = text(etab.siret)
  const naf = text(etab.activite_principale)
  const signs = Array.isArray(etab.liste_enseignes) ? etab.liste_enseignes : []
  const postcode = text(etab.code_postal)
  const commune = text(etab.libelle_commune)
  return {
    siret,
    nic: siret !== null && siret.length === 14 ? siret.slice(9) : null,
    statutDiffusionEtablissement: text(etab.statut_diffusion_etablissement),
    dateCreationEtablissement: text(etab.date_creation),
    trancheEffectifsEtablissement: text(etab.tranche_effectif_salarie),
    etablissementSiege: booleanText(etab.est_siege),
    complementAdresseEtablissement: text(etab.complement_adresse),
    numeroVoieEtablissement: text(etab.numero_voie),
    indiceRepetitionEtablissement: text(etab.indice_repetition),
    typeVoieEtablissement: text(etab.type_voie),
    libelleVoieEtablissement: detailed
      ? text(etab.libelle_voie)
      : streetOfComposed(text(etab.adresse), postcode, commune),
    codePostalEtablissement: postcode,
    libelleCommuneEtablissement: commune,
    libelleCommuneEtrangerEtablissement: text(etab.libelle_commune_etranger),
    distributionSpecialeEtablissement: text(etab.distribution_speciale),
    codeCommuneEtablissement: text(etab.commune),
    codeCedexEtablissement: text(etab.cedex),
    libelleCedexEtablissement: text(etab.libelle_cedex),
    codePaysEtrangerEtablissement: text(etab.code_pays_etranger),
    libellePaysEtrangerEtablissement: text(etab.libelle_pays_etranger),
    etatAdministratifEtablissement: text(etab.etat_administratif),
    enseigne1Etablissement: text(signs[0]),
    enseigne2Etablissement: text(signs[1]),
    enseigne3Etablissement: text(signs[2]),
    denominationUsuelleEtablissement: text(etab.nom_commercial),
    activitePrincipaleEtablissement: naf,
    nomenclatureActivitePrincipaleEtablissement: nomenclatureOf(naf),
    caractereEmployeurEtablissement: text(etab.caractere_employeur),
    activitePrincipaleNAF25Etablissement: text(etab.activite_principale_naf25)
  }
}

/** Where API records say they come from (`source_file`, as dumps.collect names its input file). */
export const API_SOURCE = "recherche-entreprises"

/**
 * The raw record of one establishment of `unit`, masked for diffusion like dumps.collect's, absent
 * values left out. The head office's detailed fields complete its matching entry.
 */
export const recordOf = (unit: ApiUnit, etab: ApiEstablishment): Rec => {
  const siege = unit.siege ?? null
  const isSiege = siege !== null && text(siege.siret) !== null && text(siege.siret) === text(etab.siret)
  const fields = establishmentFields(isSiege ? { ...etab, ...siege } : etab, isSiege)
  const masked = maskForDiffusion({ ...fields, ...unitFields(unit) })
  const record: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(masked)) if (value !== null && value !== undefined) record[name] = value
  record.source_file = API_SOURCE
  return record
}

/**
 * The establishments of a result: those that matched the query, else (an answer without them)
 * the head office. `atLimit`: the API listed as many as it lists at most, so some may be missing.
 */
export const establishmentsOf = (
  unit: ApiUnit,
  limit: number
): {
  readonly establishments: ReadonlyArray<ApiEstablishment>
  readonly fromSiege: boolean
  readonly atLimit: boolean
} => {
  const matching = Array.isArray(unit.matching_etablissements) ? unit.matching_etablissements : []
  if (matching.length > 0) return { establishments: matching, fromSiege: false, atLimit: matching.length >= limit }
  const siege = unit.siege
  return { establishments: siege ? [siege] : [], fromSiege: siege != null, atLimit: false }
}

// ---------------------------------------------------------------------------------------------------------------------
// The job's filters, as dumps.collect applies them

/** The columns compileFilter reads, laid out as one small CSV line. */
const FILTER_COLUMNS = [
  "activitePrincipaleEtablissement",
  "nomenclatureActivitePrincipaleEtablissement",
  "codeCommuneEtablissement",
  "trancheEffectifsEtablissement",
  "etatAdministratifEtablissement",
  "dateCreationEtablissement"
] as const

const encoder = new TextEncoder()

const lineOf = (record: Rec): { bytes: Uint8Array; bounds: Int32Array } => {
  const parts = FILTER_COLUMNS.map((column) => encoder.encode(typeof record[column] === "string" ? record[column] : ""))
  const bytes = new Uint8Array(parts.reduce((size, part) => size + part.length + 1, 0))
  const bounds = new Int32Array(parts.length * 2)
  let at = 0
  parts.forEach((part, index) => {
    bounds[index * 2] = at
    bytes.set(part, at)
    at += part.length
    bounds[index * 2 + 1] = at
    bytes[at++] = 0x2c
  })
  return { bytes, bounds }
}

/** The job's filters as a test on records: the same rules, on the same columns, as dumps.collect. */
export const recordFilter = (filters: Filters | undefined) => {
  const compiled = compileFilter(
    filters,
    { naf: 0, nomenclature: 1, commune: 2, headcount: 3, state: 4, created: 5 },
    (region) => departmentsOfRegion(region)
  )
  return {
    description: compiled.description,
    keep: (record: Rec): boolean => {
      if (compiled.activeLegalUnit && record.etatAdministratifUniteLegale !== "A") return false
      const { bytes, bounds } = lineOf(record)
      return compiled.keep(bytes, bounds)
    }
  }
}
