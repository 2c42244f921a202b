/**
 * An input's role comes from its header, not its name (CONTRACTS.md, "Inputs"): any
 * `*Etablissement` column makes it the establishments stock, any `*UniteLegale` column the
 * legal-units stock, otherwise a `siret` column makes it a company list.
 */
import { ESTABLISHMENT_REQUIRED, LEGAL_UNIT_REQUIRED } from "../columns.ts"

export type InputRole = "establishments" | "legal_units" | "company_list"

export interface Header {
  readonly role: InputRole
  /** Column name (trimmed, quotes removed) -> index. */
  readonly columns: ReadonlyMap<string, number>
  readonly count: number
}

export class HeaderInvalid extends Error {
  constructor(
    readonly file: string,
    readonly reason: string
  ) {
    super(`${file}: ${reason}`)
  }
}

/** Header names, trimmed and unquoted (a BOM on the first name is dropped). */
export const parseHeaderNames = (line: string): string[] =>
  line
    .replace(/^\uFEFF/, "")
    .replace(/\r$/, "")
    .split(",")
    .map((name) =>
      name
        .trim()
        .replace(/^"(.*)"$/, "$1")
        .trim()
    )

export const recogniseHeader = (file: string, line: string): Header => {
  const names = parseHeaderNames(line)
  const columns = new Map<string, number>()
  names.forEach((name, index) => {
    if (name !== "" && !columns.has(name)) columns.set(name, index)
  })
  const has = (suffix: string) => names.some((name) => name.endsWith(suffix) && name !== suffix)
  const role: InputRole | undefined = has("Etablissement")
    ? "establishments"
    : has("UniteLegale")
      ? "legal_units"
      : columns.has("siret")
        ? "company_list"
        : undefined
  if (!role) {
    throw new HeaderInvalid(
      file,
      `cannot tell what this file is from its header (${names.slice(0, 6).join(", ")}${names.length > 6 ? ", …" : ""}): expected the SIRENE StockEtablissement or StockUniteLegale header, or a company list with a "siret" column`
    )
  }
  const required =
    role === "establishments" ? ESTABLISHMENT_REQUIRED : role === "legal_units" ? LEGAL_UNIT_REQUIRED : ["siret"]
  const missing = required.filter((name) => !columns.has(name))
  if (missing.length > 0) {
    const what =
      role === "establishments"
        ? "an establishments stock"
        : role === "legal_units"
          ? "a legal-units stock"
          : "a company list"
    throw new HeaderInvalid(file, `looks like ${what} but lacks required columns: ${missing.join(", ")}`)
  }
  return { role, columns, count: names.length }
}
