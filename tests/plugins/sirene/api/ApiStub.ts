/**
 * A recherche-entreprises stand-in on 127.0.0.1, written from the API's documentation
 * (open-api.yml of annuaire-entreprises-data-gouv-fr/search-api) rather than from Filon's code:
 * `GET /search` with its filters (activite_principale, tranche_effectif_salarie and
 * etat_administratif on the legal unit; departement and region on establishments, which alone fill
 * `matching_etablissements`, active ones first, `limite_matching_etablissements` of them), paging
 * (per_page ≤ 25, page × per_page ≤ 10,000, total_results capped at 10,000), `{"erreur": …}` bodies
 * for refusals, `[NON-DIFFUSIBLE]` masks for diffusion status P, and no natural person under P.
 * It logs every request and can answer 429 with Retry-After, or refuse chosen queries.
 */
import departements from "@etalab/decoupage-administratif/data/departements.json"

export interface StubEstablishment {
  readonly siret: string
  readonly commune: string
  readonly code_postal?: string
  readonly libelle_commune?: string
  readonly activite_principale?: string
  readonly tranche_effectif_salarie?: string | null
  readonly etat_administratif?: "A" | "F"
  readonly date_creation?: string
  readonly statut_diffusion_etablissement?: "O" | "P"
  readonly numero_voie?: string
  readonly type_voie?: string
  readonly libelle_voie?: string
  readonly complement_adresse?: string | null
  readonly liste_enseignes?: ReadonlyArray<string> | null
  readonly nom_commercial?: string | null
}

export interface StubUnit {
  readonly siren: string
  readonly nom_raison_sociale?: string | null
  readonly sigle?: string | null
  readonly nature_juridique?: string
  readonly activite_principale?: string
  readonly tranche_effectif_salarie?: string | null
  readonly etat_administratif?: "A" | "C"
  readonly statut_diffusion?: "O" | "P"
  readonly categorie_entreprise?: string | null
  readonly date_creation?: string
  /** The first is the head office. */
  readonly etablissements: ReadonlyArray<StubEstablishment>
}

export interface StubRequest {
  readonly at: number
  readonly path: string
  readonly params: URLSearchParams
  readonly userAgent: string | null
  readonly status: number
}

export interface StubOptions {
  /** Answer request number `n` (1-based) with 429 and `Retry-After: seconds`, once. */
  readonly throttle?: { readonly request: number; readonly retryAfterSeconds: number }
  /** A refusal (HTTP 400 with `{"erreur": …}`) for the queries it returns a message for. */
  readonly refuse?: (params: URLSearchParams) => string | undefined
}

export interface ApiStub {
  readonly baseUrl: string
  readonly requests: () => ReadonlyArray<StubRequest>
  readonly stop: () => Promise<void>
}

const NON_DIFFUSIBLE = "[NON-DIFFUSIBLE]"
const CEILING = 10_000

const regionOfDepartment = new Map(departements.map((d) => [d.code, d.region]))

const departmentOf = (commune: string) =>
  commune.startsWith("97") || commune.startsWith("98") ? commune.slice(0, 3) : commune.slice(0, 2)

const list = (params: URLSearchParams, name: string): string[] | null => {
  const value = params.get(name)
  return value === null ? null : value.split(",").map((part) => part.trim())
}

const composedAddress = (e: StubEstablishment) =>
  [e.complement_adresse, e.numero_voie, e.type_voie, e.libelle_voie, e.code_postal, e.libelle_commune]
    .filter((part) => part !== undefined && part !== null && part !== "")
    .join(" ")

/** An establishment as the API shows it: the head office with street details, the others without. */
const shown = (unit: StubUnit, e: StubEstablishment, detailed: boolean) => {
  const department = departmentOf(e.commune)
  const base: Record<string, unknown> = {
    activite_principale: e.activite_principale ?? unit.activite_principale ?? null,
    adresse: composedAddress(e),
    code_postal: e.code_postal ?? null,
    commune: e.commune,
    date_creation: e.date_creation ?? null,
    est_siege: e === unit.etablissements[0],
    etat_administratif: e.etat_administratif ?? "A",
    latitude: "48.86",
    libelle_commune: e.libelle_commune ?? null,
    liste_enseignes: e.liste_enseignes ?? null,
    longitude: "2.34",
    nom_commercial: e.nom_commercial ?? null,
    region: regionOfDepartment.get(department) ?? null,
    siret: e.siret,
    statut_diffusion_etablissement: e.statut_diffusion_etablissement ?? "O",
    tranche_effectif_salarie: e.tranche_effectif_salarie ?? null
  }
  if (detailed) {
    Object.assign(base, {
      numero_voie: e.numero_voie ?? null,
      type_voie: e.type_voie ?? null,
      libelle_voie: e.libelle_voie ?? null,
      complement_adresse: e.complement_adresse ?? null,
      indice_repetition: null,
      cedex: null,
      libelle_cedex: null,
      distribution_speciale: null,
      code_pays_etranger: null,
      libelle_pays_etranger: null,
      libelle_commune_etranger: null,
      departement: department
    })
  }
  const restricted = unit.statut_diffusion === "P" || e.statut_diffusion_etablissement === "P"
  if (restricted) {
    for (const key of ["adresse", "cedex", "code_postal", "complement_adresse", "distribution_speciale"]) {
      if (key in base) base[key] = NON_DIFFUSIBLE
    }
    for (const key of ["indice_repetition", "latitude", "longitude", "libelle_cedex", "libelle_voie", "type_voie"]) {
      if (key in base) base[key] = NON_DIFFUSIBLE
    }
    const personMoral = !(unit.nature_juridique ?? "").startsWith("1")
    if (!detailed || !personMoral) {
      if (Array.isArray(base.liste_enseignes)) base.liste_enseignes = base.liste_enseignes.map(() => NON_DIFFUSIBLE)
      base.nom_commercial = NON_DIFFUSIBLE
    }
  }
  return base
}

const resultOf = (unit: StubUnit, matching: ReadonlyArray<StubEstablishment>) => {
  const personMoral = !(unit.nature_juridique ?? "").startsWith("1")
  const masked = unit.statut_diffusion === "P"
  const open = unit.etablissements.filter((e) => (e.etat_administratif ?? "A") === "A").length
  return {
    siren: unit.siren,
    nom_complet: masked && !personMoral ? NON_DIFFUSIBLE : (unit.nom_raison_sociale ?? "").toLowerCase(),
    nom_raison_sociale: masked && !personMoral ? NON_DIFFUSIBLE : (unit.nom_raison_sociale ?? null),
    sigle: masked ? NON_DIFFUSIBLE : (unit.sigle ?? null),
    nombre_etablissements: unit.etablissements.length,
    nombre_etablissements_ouverts: open,
    siege: shown(unit, unit.etablissements[0]!, true),
    activite_principale: unit.activite_principale ?? null,
    categorie_entreprise: unit.categorie_entreprise ?? "PME",
    caractere_employeur: "O",
    date_creation: unit.date_creation ?? "2015-03-01",
    etat_administratif: unit.etat_administratif ?? "A",
    nature_juridique: unit.nature_juridique ?? "5710",
    section_activite_principale: "J",
    tranche_effectif_salarie: unit.tranche_effectif_salarie ?? null,
    statut_diffusion: unit.statut_diffusion ?? "O",
    matching_etablissements: matching.map((e) => shown(unit, e, false))
  }
}

const FILTERS = ["activite_principale", "departement", "region", "tranche_effectif_salarie", "etat_administratif"]

const search = (units: ReadonlyArray<StubUnit>, params: URLSearchParams): { status: number; body: unknown } => {
  const perPage = Number(params.get("per_page") ?? "10")
  const page = Number(params.get("page") ?? "1")
  const matchingLimit = Number(params.get("limite_matching_etablissements") ?? "10")
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 25) {
    return { status: 400, body: { erreur: "Veuillez indiquer un `per_page` entre 1 et 25." } }
  }
  if (!Number.isInteger(page) || page < 1 || page * perPage > CEILING) {
    return { status: 400, body: { erreur: "Le nombre de résultats maximal est de 10 000 (page × per_page)." } }
  }
  if (!(params.get("q") ?? "").trim() && !FILTERS.some((name) => params.has(name))) {
    return { status: 400, body: { erreur: "Veuillez indiquer au moins un paramètre de recherche." } }
  }
  const naf = list(params, "activite_principale")
  const bands = list(params, "tranche_effectif_salarie")
  const state = params.get("etat_administratif")
  const departments = list(params, "departement")
  const regions = list(params, "region")
  const placeFilter = departments !== null || regions !== null
  const placeMatches = (e: StubEstablishment) => {
    const department = departmentOf(e.commune)
    return (
      (departments === null || departments.includes(department)) &&
      (regions === null || regions.includes(regionOfDepartment.get(department) ?? ""))
    )
  }
  const found: Array<{ unit: StubUnit; matching: StubEstablishment[] }> = []
  for (const unit of units) {
    // Text search hides natural persons whose owner objected to diffusion.
    if (unit.statut_diffusion === "P" && (unit.nature_juridique ?? "").startsWith("1")) continue
    if (naf !== null && !naf.includes(unit.activite_principale ?? "")) continue
    if (bands !== null && !bands.includes(unit.tranche_effectif_salarie ?? "")) continue
    if (state !== null && (unit.etat_administratif ?? "A") !== state) continue
    const matching = placeFilter ? unit.etablissements.filter(placeMatches) : []
    if (placeFilter && matching.length === 0) continue
    matching.sort((a, b) => (a.etat_administratif ?? "A").localeCompare(b.etat_administratif ?? "A"))
    found.push({ unit, matching: matching.slice(0, matchingLimit) })
  }
  // Filters only: by open establishments, as the API sorts (siren breaks ties so pages are stable here).
  const open = (unit: StubUnit) => unit.etablissements.filter((e) => (e.etat_administratif ?? "A") === "A").length
  found.sort((a, b) => open(b.unit) - open(a.unit) || (a.unit.siren < b.unit.siren ? -1 : 1))
  const totalResults = Math.min(found.length, CEILING)
  const from = (page - 1) * perPage
  return {
    status: 200,
    body: {
      results: found.slice(from, from + perPage).map(({ unit, matching }) => resultOf(unit, matching)),
      total_results: totalResults,
      page,
      per_page: perPage,
      total_pages: Math.ceil(totalResults / perPage)
    }
  }
}

/** Starts the stub on a free loopback port; `stop` closes it. */
export const startApiStub = (units: ReadonlyArray<StubUnit>, options: StubOptions = {}): ApiStub => {
  const requests: StubRequest[] = []
  let throttled = false
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request) => {
      const url = new URL(request.url)
      const log = (status: number) =>
        requests.push({
          at: performance.now(),
          path: url.pathname,
          params: url.searchParams,
          userAgent: request.headers.get("user-agent"),
          status
        })
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        log(status)
        return Response.json(body, { status, headers })
      }
      if (url.pathname !== "/search") return reply(404, { erreur: "Not Found" })
      if (options.throttle && !throttled && requests.length + 1 === options.throttle.request) {
        throttled = true
        return reply(429, { erreur: "Trop de requêtes" }, { "retry-after": String(options.throttle.retryAfterSeconds) })
      }
      const refusal = options.refuse?.(url.searchParams)
      if (refusal !== undefined) return reply(400, { erreur: refusal })
      const answer = search(units, url.searchParams)
      return reply(answer.status, answer.body)
    }
  })
  return {
    baseUrl: `http://127.0.0.1:${server.port}`,
    requests: () => requests,
    stop: async () => {
      await server.stop(true)
    }
  }
}
