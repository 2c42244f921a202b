/**
 * INSEE API Sirene 3.11 client, legal units only: `GET {base}/siren/{siren}` with the key in
 * `X-INSEE-Api-Key-Integration`. A 200 answers `{ header: { statut, message }, uniteLegale: { …,
 * periodesUniteLegale: [{ dateFin, dateDebut, etatAdministratifUniteLegale, … }] } }`, the period
 * with `dateFin: null` being the current one; a 404 says the SIREN is unknown; a 403 with an INSEE
 * header says the unit is not diffusible; values hidden by partial diffusion read `[ND]`.
 * Requests go through the run's HttpFetcher (budgets, retries of 429 and 5xx, the cache).
 */
import {
  type BudgetExceeded,
  Data,
  Effect,
  type FetchResponse,
  type HttpFetcherShape,
  Option,
  Redacted
} from "filon/core/sdk.ts"
import { type Connection, KEY_VARIABLE } from "./settings.ts"

/** What the live register says about one legal unit; null where it says nothing (or hides it). */
export interface LegalUnitFacts {
  readonly state: "active" | "closed" | null
  readonly closedOn: string | null
  readonly updatedAt: string | null
  readonly ess: boolean | null
  readonly missionCompany: boolean | null
  readonly associationId: string | null
  readonly employer: boolean | null
}

export type Lookup =
  | { readonly _tag: "Found"; readonly facts: LegalUnitFacts }
  | { readonly _tag: "NotFound" }
  | { readonly _tag: "NotDiffusible" }
  | { readonly _tag: "Failed"; readonly detail: string }

/** The API cannot be used at all: no key, or the key refused. The run's settings are at fault (exit 2). */
export class RegistryApiUnusable extends Data.TaggedError("RegistryApiUnusable")<{
  readonly reason: "no_key" | "key_refused"
  readonly detail: string
}> {
  /** Read by the runner: bad settings, not a failed step. */
  readonly usage = true
  override get message() {
    return `INSEE API Sirene: ${this.detail}`
  }
}

export const noKey = () =>
  new RegistryApiUnusable({
    reason: "no_key",
    detail: `no API key: set ${KEY_VARIABLE}, or api_key in the plugin entry's config`
  })

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** A value as the register gives it; empty and `[ND]` (hidden by partial diffusion) are nothing. */
const registerValue = (raw: unknown): string | null =>
  typeof raw === "string" && raw !== "" && raw !== "[ND]" ? raw : null
const flagOf = (raw: unknown): boolean | null => {
  const value = registerValue(raw)
  return value === "O" ? true : value === "N" ? false : null
}

/** The facts in a 200 answer, or why it cannot be read. */
export const parseLegalUnit = (body: unknown): LegalUnitFacts | string => {
  const unit = isObject(body) ? body.uniteLegale : undefined
  if (!isObject(unit)) return "the answer has no uniteLegale"
  const periods = Array.isArray(unit.periodesUniteLegale) ? unit.periodesUniteLegale.filter(isObject) : []
  const current = periods.find((period) => period.dateFin === null) ?? periods[0]
  if (current === undefined) return "the legal unit has no periodesUniteLegale"
  const etat = registerValue(current.etatAdministratifUniteLegale)
  const state = etat === "A" ? "active" : etat === "C" ? "closed" : null
  return {
    state,
    // A closed unit's current period starts on the day it closed.
    closedOn: state === "closed" ? registerValue(current.dateDebut) : null,
    updatedAt: registerValue(unit.dateDernierTraitementUniteLegale),
    ess: flagOf(current.economieSocialeSolidaireUniteLegale),
    missionCompany: flagOf(current.societeMissionUniteLegale),
    associationId: registerValue(unit.identifiantAssociationUniteLegale),
    employer: flagOf(current.caractereEmployeurUniteLegale)
  }
}

const jsonOf = (response: FetchResponse): unknown => {
  try {
    return JSON.parse(response.text().text)
  } catch {
    return undefined
  }
}

/** INSEE's own `header.message`, when the body carries one. */
const inseeMessage = (body: unknown): string | undefined => {
  const header = isObject(body) ? body.header : undefined
  return isObject(header) && typeof header.message === "string" ? header.message : undefined
}

const readAnswer = (response: FetchResponse): Effect.Effect<Lookup, RegistryApiUnusable> => {
  const body = jsonOf(response)
  switch (response.status) {
    case 200: {
      const facts = parseLegalUnit(body)
      return Effect.succeed(typeof facts === "string" ? { _tag: "Failed", detail: facts } : { _tag: "Found", facts })
    }
    case 404:
      return Effect.succeed({ _tag: "NotFound" })
    case 403:
      // INSEE answers a non-diffusible unit with its own header; the portal's gateway refuses a key without one.
      if (inseeMessage(body) !== undefined) return Effect.succeed({ _tag: "NotDiffusible" })
      return Effect.fail(
        new RegistryApiUnusable({
          reason: "key_refused",
          detail: `the API key was refused (HTTP 403): check ${KEY_VARIABLE}`
        })
      )
    case 401:
      return Effect.fail(
        new RegistryApiUnusable({
          reason: "key_refused",
          detail: `the API key was refused (HTTP 401): check ${KEY_VARIABLE}`
        })
      )
    default:
      return Effect.succeed({
        _tag: "Failed",
        detail: `HTTP ${response.status}: ${inseeMessage(body) ?? "no explanation given"}`
      })
  }
}

/** Looks one SIREN up. A request that failed after the fetcher's retries is a `Failed` lookup, not an error. */
export const lookupLegalUnit = (
  fetcher: HttpFetcherShape,
  connection: Connection,
  siren: string
): Effect.Effect<Lookup, RegistryApiUnusable | BudgetExceeded> =>
  Effect.gen(function* () {
    if (Option.isNone(connection.key)) return yield* noKey()
    return yield* fetcher
      .fetch({
        url: `${connection.baseUrl}/siren/${siren}`,
        hostClass: "provider",
        // A documented API, not a site to crawl.
        ignoreRobots: true,
        accept: ["application/json"],
        headers: { accept: "application/json", "x-insee-api-key-integration": Redacted.value(connection.key.value) }
      })
      .pipe(
        Effect.flatMap(readAnswer),
        // The fetcher already retried 429 and 5xx: what is left fails this company's lookup, not the run.
        Effect.catchTag("FetchFailed", (error) =>
          Effect.succeed<Lookup>({
            _tag: "Failed",
            detail: `${error.reason}${error.status !== undefined ? ` (HTTP ${error.status})` : ""}: ${error.detail}`
          })
        )
      )
  })
