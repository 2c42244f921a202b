/**
 * Départements and régions from INSEE's Code officiel géographique, as packaged by
 * `@etalab/decoupage-administratif` (millésime 2026). Overseas collectivities (975, 977, 978, 984,
 * 986-989) are their own "région" there, with the same code as the département.
 */
import departements from "@etalab/decoupage-administratif/data/departements.json"
import regions from "@etalab/decoupage-administratif/data/regions.json"

const DEPARTMENTS: ReadonlyMap<string, { readonly name: string; readonly region: string }> = new Map(
  departements.map((d) => [d.code, { name: d.nom, region: d.region }])
)

const REGION_NAMES: ReadonlyMap<string, string> = new Map(regions.map((r) => [r.code, r.nom]))

const DEPARTMENTS_BY_REGION: ReadonlyMap<string, readonly string[]> = (() => {
  const byRegion = new Map<string, string[]>()
  for (const d of departements) {
    const list = byRegion.get(d.region)
    if (list === undefined) byRegion.set(d.region, [d.code])
    else list.push(d.code)
  }
  return byRegion
})()

/**
 * The département of an INSEE commune code (`codeCommuneEtablissement`): the first 3 characters
 * overseas (codes starting 97 or 98: "97105" -> "971"), else the first 2 ("75056" -> "75",
 * "2A004" -> "2A"). Null when missing, foreign (99…) or not a known département.
 */
export const departmentOf = (codeCommune: string | null): string | null => {
  if (codeCommune === null || codeCommune.length !== 5) return null
  const overseas = codeCommune.startsWith("97") || codeCommune.startsWith("98")
  const code = codeCommune.slice(0, overseas ? 3 : 2)
  return DEPARTMENTS.has(code) ? code : null
}

/** The name of a département ("2A" -> "Corse-du-Sud"); null when unknown. */
export const departmentName = (department: string | null): string | null =>
  department === null ? null : (DEPARTMENTS.get(department)?.name ?? null)

/** The INSEE code of the région of a département ("75" -> "11"); null when unknown. */
export const regionCode = (department: string | null): string | null =>
  department === null ? null : (DEPARTMENTS.get(department)?.region ?? null)

/** The name of a région from its code ("11" -> "Île-de-France"); null when unknown. */
export const regionName = (region: string | null): string | null =>
  region === null ? null : (REGION_NAMES.get(region) ?? null)

/** The région of a département, code and name ("971" -> 01 Guadeloupe); null when unknown. */
export const regionOf = (department: string | null): { readonly code: string; readonly name: string } | null => {
  const code = regionCode(department)
  const name = regionName(code)
  return code === null || name === null ? null : { code, name }
}

/** The départements of a région, in INSEE order ("94" -> ["2A", "2B"]); empty when the code is unknown. */
export const departmentsOfRegion = (region: string): readonly string[] => DEPARTMENTS_BY_REGION.get(region) ?? []
