/** What discovery reads of a record: its names, city and SIREN, wherever the upstream steps put them. */
import type { Rec } from "../../core/Record.ts"
import type { NameSources } from "./candidates.ts"

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value.trim() : undefined

export interface CompanyFacts extends NameSources {
  readonly siren: string | undefined
  /** Every distinct name, best first (enseigne, display name, denomination). */
  readonly names: ReadonlyArray<string>
}

export const companyOf = (record: Rec): CompanyFacts => {
  const enseigne = text(record.enseigne1Etablissement) ?? text(record.denominationUsuelleEtablissement)
  // A company list gives `input_name` (kept as `name` by normalize.standardize when it runs).
  const name = text(record.name) ?? text(record.input_name)
  const legalName = text(record.legal_name) ?? text(record.denominationUniteLegale)
  const city = text(record.city) ?? text(record.libelleCommuneEtablissement)
  const siren = text(record.siren) ?? text(record.siret)?.slice(0, 9)
  const names = [...new Set([enseigne, name, legalName].filter((value): value is string => value !== undefined))]
  return { enseigne, name, legalName, city, siren, names }
}
