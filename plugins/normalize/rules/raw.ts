/**
 * The INSEE columns the normalisation rules read: one StockEtablissement row joined with its
 * StockUniteLegale row on `siren`. Column names are INSEE's own (format 3.11 + NAF 2025), read by
 * name, never by position.
 */
import { ESTABLISHMENT_COLUMNS, LEGAL_UNIT_COLUMNS } from "../../sirene/columns.ts"
export const INSEE_COLUMNS = [...ESTABLISHMENT_COLUMNS, ...LEGAL_UNIT_COLUMNS] as const

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
