/**
 * The `normalize.standardize` rules: one SIRENE establishment joined with its legal unit becomes
 * one normalised record, or a reject with a reason. Diffusion masking runs first.
 *
 * Display name (`name`): the establishment's sign (enseigne 1), else its trading name, else the
 * legal unit's first trading name, else (sole proprietors only) their pseudonym, else the legal
 * name. Legal name (`legal_name`): the denomination of a company; for a sole proprietor, the usual
 * first name in readable case and the usage name (else birth name) in capitals, "Marie DUPONT".
 * Names are never built from other sources, and are null when the owner objected to diffusion.
 *
 * Address (`address_line`): "number [bis|ter|quater|quinquies] Street-type Street name,
 * complement, special distribution, postcode City" with INSEE's street type codes expanded (AV ->
 * Avenue) and labels in readable case ("DE LA PAIX" -> "de la Paix"; particles in lower case, roman
 * numerals and acronyms such as BP, ZI, CEDEX in capitals; no accent is added). A CEDEX replaces
 * "postcode City" by "code Label CEDEX"; abroad, the foreign city and country end the line.
 */
import { addressOf } from "./address.ts"
import { isoDate } from "./dates.ts"
import { isPartiallyDiffusible, maskForDiffusion } from "./diffusion.ts"
import { departmentName, departmentOf, regionCode, regionName } from "./geo.ts"
import { headcountOf } from "./headcount.ts"
import { isValidSiren, isValidSiret } from "./identifiers.ts"
import { nafOf } from "./naf.ts"
import { namesOf } from "./names.ts"
import { field, type RawEstablishment } from "./raw.ts"

/** One normalised establishment; every field but the identifiers is null when unknown. */
export interface NormalizedFields {
  readonly siren: string
  readonly siret: string
  readonly name: string | null
  readonly legal_name: string | null
  readonly naf: string | null
  readonly naf_label: string | null
  readonly naf25: string | null
  readonly naf25_label: string | null
  readonly address_line: string | null
  readonly postcode: string | null
  readonly city: string | null
  readonly commune_code: string | null
  readonly department: string | null
  readonly department_name: string | null
  readonly region: string | null
  readonly region_name: string | null
  readonly headcount_band: string | null
  readonly headcount_label: string | null
  readonly created_on: string | null
  readonly is_head_office: boolean | null
  readonly is_active: boolean | null
  readonly legal_category: string | null
  readonly company_category: string | null
  readonly diffusion: "O" | "P"
}

/** Why a row was rejected. */
export type RejectReason = "missing_siret" | "invalid_siret" | "invalid_siren"

export type StandardizeResult =
  | { readonly ok: true; readonly record: NormalizedFields }
  | { readonly ok: false; readonly reason: RejectReason; readonly detail: string }

/** How one normalised field is described in the data dictionary. */
export interface FieldSpec {
  readonly type: "string" | "boolean" | "date"
  readonly description: string
  /** True when the value can be personal data (a sole proprietor's name or address). */
  readonly personal?: boolean
}

/** Every normalised field, in output order, with its type and description (feeds the data dictionary). */
export const NORMALIZED_FIELDS: { readonly [K in keyof NormalizedFields]: FieldSpec } = {
  siren: { type: "string", description: "SIREN of the legal unit (9 digits, check digit verified)." },
  siret: { type: "string", description: "SIRET of the establishment (SIREN + NIC, 14 digits, check digit verified)." },
  name: {
    type: "string",
    description: "Display name: sign, else trading name, else pseudonym (sole proprietor), else legal name.",
    personal: true
  },
  legal_name: {
    type: "string",
    description: "Registered name: a company's denomination, or a sole proprietor's first name and surname.",
    personal: true
  },
  naf: { type: "string", description: "Main activity code of the establishment, NAF rev. 2 (e.g. 62.02A)." },
  naf_label: { type: "string", description: "French label of the NAF rev. 2 code (INSEE)." },
  naf25: { type: "string", description: "Main activity code of the establishment in NAF 2025, as INSEE gives it." },
  naf25_label: { type: "string", description: "French label of the NAF 2025 code; empty until a source is available." },
  address_line: {
    type: "string",
    description: "Postal address on one line; a sole proprietor's may be their home.",
    personal: true
  },
  postcode: { type: "string", description: "Postcode (5 digits)." },
  city: { type: "string", description: "Commune, or foreign city, in readable case." },
  commune_code: { type: "string", description: "INSEE commune code (COG), e.g. 75102 or 2A004." },
  department: { type: "string", description: "Department code from the commune code (e.g. 75, 2A, 971)." },
  department_name: { type: "string", description: "Department name." },
  region: { type: "string", description: "INSEE region code of the department (e.g. 11)." },
  region_name: { type: "string", description: "Region name." },
  headcount_band: {
    type: "string",
    description: "INSEE headcount band code of the establishment (NN, 00, 01 ... 53)."
  },
  headcount_label: { type: "string", description: "Headcount band in words (e.g. 10-19 employees)." },
  created_on: { type: "date", description: "Creation date of the establishment (YYYY-MM-DD)." },
  is_head_office: { type: "boolean", description: "True when the establishment is the legal unit's head office." },
  is_active: { type: "boolean", description: "True when the establishment is open and its legal unit not ceased." },
  legal_category: { type: "string", description: "INSEE legal category code of the legal unit (e.g. 5710 SAS)." },
  company_category: { type: "string", description: "INSEE company size category: PME, ETI or GE." },
  diffusion: {
    type: "string",
    description: "O when fully public; P when the owner objected and personal data is hidden."
  }
}

const DIGITS_14 = /^\d{14}$/
const DIGITS_9 = /^\d{9}$/

const reject = (reason: RejectReason, detail: string): StandardizeResult => ({ ok: false, reason, detail })

const booleanOf = (value: string | null): boolean | null => (value === "true" ? true : value === "false" ? false : null)

/** Open establishment (`etatAdministratifEtablissement` A) of a legal unit that has not ceased (C). */
const isActive = (raw: RawEstablishment): boolean | null => {
  const state = field(raw, "etatAdministratifEtablissement")
  if (state === null) return null
  return state === "A" && field(raw, "etatAdministratifUniteLegale") !== "C"
}

/**
 * Checks the identifiers, masks per diffusion status, then applies every rule. Rejects: no SIRET
 * (`missing_siret`); a SIRET that is not 14 digits or fails its check digit (`invalid_siret`); a
 * SIREN that is not 9 digits, fails its check digit or is not the start of the SIRET
 * (`invalid_siren`). A missing SIREN is read from the SIRET, whose first 9 digits it is by definition.
 */
export const standardize = (input: RawEstablishment): StandardizeResult => {
  const siret = field(input, "siret")
  if (siret === null) return reject("missing_siret", "no siret")
  if (!DIGITS_14.test(siret)) return reject("invalid_siret", `siret "${siret}" is not 14 digits`)
  if (!isValidSiret(siret)) return reject("invalid_siret", `siret ${siret} fails its check digit`)
  const siren = field(input, "siren") ?? siret.slice(0, 9)
  if (!DIGITS_9.test(siren)) return reject("invalid_siren", `siren "${siren}" is not 9 digits`)
  if (!isValidSiren(siren)) return reject("invalid_siren", `siren ${siren} fails its check digit`)
  if (!siret.startsWith(siren)) return reject("invalid_siren", `siren ${siren} is not the start of siret ${siret}`)

  const raw = maskForDiffusion(input)
  const diffusion = isPartiallyDiffusible(raw) ? "P" : "O"
  const { name, legal_name } = namesOf(raw)
  const { naf, naf_label, naf25, naf25_label } = nafOf(raw)
  const { address_line, postcode, city, commune_code } = addressOf(raw)
  const department = departmentOf(commune_code)
  const region = regionCode(department)
  const { headcount_band, headcount_label } = headcountOf(raw)
  return {
    ok: true,
    record: {
      siren,
      siret,
      name,
      legal_name,
      naf,
      naf_label,
      naf25,
      naf25_label,
      // A partially diffusible unit has no street: a "postcode city" line would pass for an address.
      address_line: diffusion === "P" ? null : address_line,
      postcode,
      city,
      commune_code,
      department,
      department_name: departmentName(department),
      region,
      region_name: regionName(region),
      headcount_band,
      headcount_label,
      created_on: isoDate(field(raw, "dateCreationEtablissement")),
      is_head_office: booleanOf(field(raw, "etablissementSiege")),
      is_active: isActive(raw),
      legal_category: field(raw, "categorieJuridiqueUniteLegale"),
      company_category: field(raw, "categorieEntreprise"),
      diffusion
    }
  }
}
