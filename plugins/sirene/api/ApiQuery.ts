/**
 * The job's filters as recherche-entreprises `/search` queries, and how a query too big for the
 * API's 10,000-result ceiling is split into narrower ones.
 *
 * What the API can filter (SIRENE.md §6) is sent; everything is checked again on each record
 * (ApiRecords.ts), so a filter the API applies differently only costs pages, never wrong rows:
 * - `naf_include` → `activite_principale`, exact NAF rév. 2 sub-classes. A prefix ("62", "62.0")
 *   is expanded to its sub-classes from INSEE's list (`@socialgouv/codes-naf`) rather than sent as
 *   `section_activite_principale`, which would fetch a whole section. The API applies it to the legal
 *   unit's activity, not the establishment's.
 * - `departments` and `regions` → `departement` (their union, as dumps.collect takes it) or `region`
 *   alone; these filter establishments, which is what fills `matching_etablissements`. Without a
 *   place filter every two-digit region is sent, so that the API lists matching establishments
 *   rather than only head offices (establishments located abroad are then out of reach).
 * - `headcount` → `tranche_effectif_salarie`, the legal unit's band (switchable with `headcount_on_api`).
 * - `active_only` → `etat_administratif=A` (the legal unit; the establishment's state is checked here).
 * - `naf_exclude`, `created_after`: the API has no such filter; checked on each record only.
 */

import regions from "@etalab/decoupage-administratif/data/regions.json"
import codesNaf from "@socialgouv/codes-naf/index.json"
import type { Job } from "../../../core/Job.ts"
import { departmentsOfRegion } from "../../normalize/rules/geo.ts"
import { API_MATCHING_LIMIT, API_PER_PAGE } from "./ApiSettings.ts"

type Filters = NonNullable<Job["filters"]>

export type Place =
  | { readonly kind: "regions"; readonly codes: ReadonlyArray<string> }
  | { readonly kind: "departments"; readonly codes: ReadonlyArray<string> }

/** One `/search` query, without its page. */
export interface ApiQuery {
  /** Exact NAF rév. 2 sub-classes (`activite_principale`); empty: no NAF filter. */
  readonly naf: ReadonlyArray<string>
  readonly place: Place
  /** Headcount bands (`tranche_effectif_salarie`); empty: not sent. */
  readonly headcount: ReadonlyArray<string>
  /** `etat_administratif=A`. */
  readonly activeOnly: boolean
}

const SUB_CLASS = /^\d{2}\.\d{2}[A-Z]$/

const SUB_CLASSES: ReadonlyArray<string> = codesNaf.map((entry) => entry.id).filter((id) => SUB_CLASS.test(id))

/** The regions the API takes (two digits); overseas collectivities (975, 977…) are not among them. */
export const API_REGIONS: ReadonlyArray<string> = regions
  .map((region) => region.code)
  .filter((code) => /^\d{2}$/.test(code))

/**
 * NAF codes and prefixes as exact sub-classes, sorted and without repeats. A code INSEE's list does
 * not know is sent as given: the API then finds nothing for it, as the stock would.
 */
export const nafSubClasses = (codes: ReadonlyArray<string>): string[] => {
  const out = new Set<string>()
  for (const code of codes) {
    const expanded = SUB_CLASSES.filter((id) => id.startsWith(code))
    if (expanded.length === 0) out.add(code)
    for (const id of expanded) out.add(id)
  }
  return [...out].sort()
}

const unique = (codes: ReadonlyArray<string>) => [...new Set(codes)]

/** The one query the job's filters make; it may be split later if it finds too much. */
export const planQuery = (filters: Filters | undefined, options: { readonly headcountOnApi: boolean }): ApiQuery => {
  const departments = filters?.departments ?? []
  const regionCodes = filters?.regions ?? []
  const place: Place =
    departments.length > 0
      ? { kind: "departments", codes: unique([...departments, ...regionCodes.flatMap((r) => departmentsOfRegion(r))]) }
      : regionCodes.length > 0
        ? { kind: "regions", codes: unique(regionCodes) }
        : { kind: "regions", codes: API_REGIONS }
  return {
    naf: nafSubClasses(filters?.naf_include ?? []),
    place,
    headcount: options.headcountOnApi ? unique(filters?.headcount ?? []) : [],
    activeOnly: filters?.active_only === true
  }
}

/** The query string of one page of a query (parameters in a fixed order, so URLs are stable for the cache). */
export const queryParams = (query: ApiQuery, page: number): URLSearchParams => {
  const params = new URLSearchParams()
  if (query.naf.length > 0) params.set("activite_principale", query.naf.join(","))
  params.set(query.place.kind === "regions" ? "region" : "departement", query.place.codes.join(","))
  if (query.headcount.length > 0) params.set("tranche_effectif_salarie", query.headcount.join(","))
  if (query.activeOnly) params.set("etat_administratif", "A")
  // Only the fields records are built from: no directors, finances or complements.
  params.set("minimal", "true")
  params.set("include", "siege,matching_etablissements")
  params.set("limite_matching_etablissements", String(API_MATCHING_LIMIT))
  params.set("per_page", String(API_PER_PAGE))
  params.set("page", String(page))
  return params
}

const listed = (codes: ReadonlyArray<string>, max = 6) =>
  codes.length <= max ? codes.join(",") : `${codes.slice(0, max).join(",")}…(${codes.length})`

/** A short description of a query for logs, errors and the summary. */
export const describeQuery = (query: ApiQuery): string =>
  [
    query.naf.length > 0 ? `activite_principale=${listed(query.naf)}` : "",
    `${query.place.kind === "regions" ? "region" : "departement"}=${listed(query.place.codes)}`,
    query.headcount.length > 0 ? `tranche_effectif_salarie=${listed(query.headcount)}` : "",
    query.activeOnly ? "etat_administratif=A" : ""
  ]
    .filter((part) => part !== "")
    .join(" ")

/**
 * Narrower queries that together find what `query` finds, or null when it cannot be narrowed: by
 * region, then a region's departments, then by department, then by NAF sub-class, then by headcount
 * band. Each step splits one dimension into its single values, so the parts never overlap.
 */
export const splitQuery = (query: ApiQuery): ReadonlyArray<ApiQuery> | null => {
  const { place } = query
  if (place.codes.length > 1) {
    return place.codes.map((code) => ({ ...query, place: { kind: place.kind, codes: [code] } }))
  }
  if (place.kind === "regions") {
    const departments = departmentsOfRegion(place.codes[0] ?? "")
    if (departments.length > 1) {
      return departments.map((code) => ({ ...query, place: { kind: "departments" as const, codes: [code] } }))
    }
  }
  if (query.naf.length > 1) return query.naf.map((code) => ({ ...query, naf: [code] }))
  if (query.headcount.length > 1) return query.headcount.map((band) => ({ ...query, headcount: [band] }))
  return null
}
