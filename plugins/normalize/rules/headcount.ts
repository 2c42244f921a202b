/**
 * Headcount bands (`trancheEffectifs*`, INSEE's "tranche d'effectif salarié"): the number of
 * employees at 31 December of `anneeEffectifs*`. Codes and meanings as in SIRENE.md §4.
 */
import { field, type RawEstablishment } from "./raw.ts"

/** The headcount band of one establishment; null when unknown. */
export interface Headcount {
  readonly headcount_band: string | null
  readonly headcount_label: string | null
}

/** Every INSEE headcount band code and its English label, from smallest to largest. */
export const HEADCOUNT_LABELS: ReadonlyMap<string, string> = new Map([
  ["NN", "Non-employer (no employee during the year)"],
  ["00", "0 employees at year end (some during the year)"],
  ["01", "1-2 employees"],
  ["02", "3-5 employees"],
  ["03", "6-9 employees"],
  ["11", "10-19 employees"],
  ["12", "20-49 employees"],
  ["21", "50-99 employees"],
  ["22", "100-199 employees"],
  ["31", "200-249 employees"],
  ["32", "250-499 employees"],
  ["41", "500-999 employees"],
  ["42", "1,000-1,999 employees"],
  ["51", "2,000-4,999 employees"],
  ["52", "5,000-9,999 employees"],
  ["53", "10,000 or more employees"]
])

/** The label of a band code ("11" -> "10-19 employees"); null for an empty or unknown code. */
export const headcountLabel = (code: string | null): string | null =>
  code === null ? null : (HEADCOUNT_LABELS.get(code) ?? null)

/**
 * The establishment's band from `trancheEffectifsEtablissement` (not the legal unit's). An empty
 * value means INSEE has no figure, not zero; an unknown code is dropped rather than guessed.
 */
export const headcountOf = (raw: RawEstablishment): Headcount => {
  const code = field(raw, "trancheEffectifsEtablissement")
  const label = headcountLabel(code)
  return label === null
    ? { headcount_band: null, headcount_label: null }
    : { headcount_band: code, headcount_label: label }
}
