/**
 * The job's filters compiled to tests on raw establishment bytes, applied before any record is
 * built (CONTRACTS.md, "Job file"): NAF on NAFRev2 rows only, department from
 * codeCommuneEtablissement, headcount, active establishments, creation date. The legal-unit half
 * of `active_only` is checked at the join.
 */
import type { Job } from "../../core/Job.ts"
import { fieldEquals, fieldStartsWith } from "./csv/fields.ts"

type Filters = NonNullable<Job["filters"]>

export interface CompiledFilter {
  /** A kept line contains at least one of these byte strings (a cheap prefilter), or null: test every line. */
  readonly needles: ReadonlyArray<Uint8Array> | null
  /** Whether the establishment's legal unit must be active too. */
  readonly activeLegalUnit: boolean
  readonly keep: (bytes: Uint8Array, bounds: Int32Array) => boolean
  /** The filter in words, for logs and the summary. */
  readonly description: string
}

export interface ColumnIndex {
  readonly naf: number
  readonly nomenclature: number
  readonly commune: number
  readonly headcount: number
  readonly state: number
  readonly created: number
}

/** Where the filtered columns sit in a header (-1 when absent), read by name. */
export const columnIndexOf = (header: { readonly columns: ReadonlyMap<string, number> }): ColumnIndex => {
  const at = (name: string) => header.columns.get(name) ?? -1
  return {
    naf: at("activitePrincipaleEtablissement"),
    nomenclature: at("nomenclatureActivitePrincipaleEtablissement"),
    commune: at("codeCommuneEtablissement"),
    headcount: at("trancheEffectifsEtablissement"),
    state: at("etatAdministratifEtablissement"),
    created: at("dateCreationEtablissement")
  }
}

/** "75056" -> "75", "2A004" -> "2A", "97105" -> "971": overseas departments have three digits. */
export const departmentOfCommune = (commune: string): string | null => {
  if (commune.length < 5) return null
  return commune.startsWith("97") || commune.startsWith("98") ? commune.slice(0, 3) : commune.slice(0, 2)
}

const departmentAt = (bytes: Uint8Array, bounds: Int32Array, index: number): string => {
  const from = bounds[index * 2]!
  const to = bounds[index * 2 + 1]!
  if (to - from < 5) return ""
  const a = bytes[from]!
  const b = bytes[from + 1]!
  const two = String.fromCharCode(a, b)
  return a === 0x39 && (b === 0x37 || b === 0x38) ? two + String.fromCharCode(bytes[from + 2]!) : two
}

const textAt = (bytes: Uint8Array, bounds: Int32Array, index: number): string =>
  String.fromCharCode.apply(null, bytes.subarray(bounds[index * 2]!, bounds[index * 2 + 1]!) as unknown as number[])

const encoder = new TextEncoder()

export const compileFilter = (
  filters: Filters | undefined,
  columns: ColumnIndex,
  departmentsOfRegion: (region: string) => ReadonlyArray<string>
): CompiledFilter => {
  const include = filters?.naf_include ?? []
  const exclude = filters?.naf_exclude ?? []
  const departments = new Set([
    ...(filters?.departments ?? []),
    ...(filters?.regions ?? []).flatMap(departmentsOfRegion)
  ])
  const placeFiltered = (filters?.departments?.length ?? 0) > 0 || (filters?.regions?.length ?? 0) > 0
  const headcount = new Set<string>(filters?.headcount ?? [])
  const activeOnly = filters?.active_only === true
  const createdAfter = filters?.created_after

  const keep = (bytes: Uint8Array, bounds: Int32Array): boolean => {
    if (include.length > 0 || exclude.length > 0) {
      // NAF codes of older nomenclatures (NAFRev1, NAF1993, NAP) share the shape but not the meaning.
      if (!fieldEquals(bytes, bounds, columns.nomenclature, "NAFRev2")) return false
      if (include.length > 0 && !include.some((code) => fieldStartsWith(bytes, bounds, columns.naf, code))) return false
      if (exclude.some((code) => fieldStartsWith(bytes, bounds, columns.naf, code))) return false
    }
    if (activeOnly && !fieldEquals(bytes, bounds, columns.state, "A")) return false
    if (placeFiltered && !departments.has(departmentAt(bytes, bounds, columns.commune))) return false
    if (headcount.size > 0 && !headcount.has(textAt(bytes, bounds, columns.headcount))) return false
    if (createdAfter !== undefined) {
      const created = textAt(bytes, bounds, columns.created)
      if (created === "" || created < createdAfter) return false
    }
    return true
  }

  // A NAF code appears in its line right after a comma, or a comma and a quote when the file quotes
  // every field; the column itself is checked after the split.
  const needles =
    include.length > 0 && columns.naf > 0
      ? include.flatMap((code) => [encoder.encode(`,${code}`), encoder.encode(`,"${code}`)])
      : null
  const parts = [
    include.length > 0 ? `NAF ${include.join("|")}` : "",
    exclude.length > 0 ? `not NAF ${exclude.join("|")}` : "",
    placeFiltered ? `departments ${[...departments].sort().join(",")}` : "",
    headcount.size > 0 ? `headcount ${[...headcount].join(",")}` : "",
    activeOnly ? "active establishments of active legal units" : "",
    createdAfter ? `created on or after ${createdAfter}` : ""
  ].filter((part) => part !== "")
  return { needles, activeLegalUnit: activeOnly, keep, description: parts.join("; ") || "no filter" }
}
