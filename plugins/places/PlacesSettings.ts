/**
 * What `enrich.address` and `scraper.maps` share: their settings, the company as a Places query (from
 * normalized fields, else the raw registry and company-list fields), and opening the provider for a
 * run ("not available" without a key, unless the job sets `required: true`).
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { HttpFetcherShape } from "../../core/http/HttpFetcher.ts"
import type { Rec } from "../../core/Record.ts"
import type { Availability, StepContext } from "../../core/Step.ts"
import { googlePlaces } from "./google/GooglePlaces.ts"
import {
  type CompanyQuery,
  type PlacesClient,
  type PlacesProvider,
  placesProvider,
  placesProviderIds,
  registerPlacesProvider
} from "./PlacesProvider.ts"

registerPlacesProvider(googlePlaces)

/** Requests per second when nothing is set: well under Google's per-minute quotas. */
export const DEFAULT_REQUESTS_PER_S = 5

const Rate = Schema.Number.pipe(Schema.greaterThan(0), Schema.lessThanOrEqualTo(100))

export const PlacesConfig = Schema.Struct({
  /** The Places provider: "google", or one a plugin registered. @default "google" */
  provider: Schema.optionalWith(Schema.String.pipe(Schema.minLength(1)), { default: () => "google" }),
  /** Fail the run when the provider is not available (no API key), instead of going on without this step. @default false */
  required: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** Requests per second to the provider at most, process-wide. @default 5 */
  requests_per_s: Schema.optional(Rate),
  /** The same as `requests_per_s` (the spelling of profiles/internal.yaml); `requests_per_s` wins. */
  requests_per_second: Schema.optional(Rate),
  /** Companies looked up at once. @default 2 */
  concurrency: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 16)), { default: () => 2 }),
  /** Candidates asked for per search (Google: more than 5 costs more). @default 5 */
  max_candidates: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 20)), { default: () => 5 }),
  /** Places below this match confidence (0-1) are not the company. @default 0.6 */
  min_match: Schema.optionalWith(Schema.Number.pipe(Schema.between(0, 1)), { default: () => 0.6 }),
  /** Language of names and addresses. @default "fr" */
  language: Schema.optionalWith(Schema.String.pipe(Schema.minLength(2)), { default: () => "fr" }),
  /** Region the searches are made from (two letters). @default "FR" */
  region: Schema.optionalWith(Schema.String.pipe(Schema.pattern(/^[A-Z]{2}$/)), { default: () => "FR" })
})
export type PlacesConfig = typeof PlacesConfig.Type

export const requestsPerSecond = (config: PlacesConfig) =>
  config.requests_per_s ?? config.requests_per_second ?? DEFAULT_REQUESTS_PER_S

/** The settings name a provider nobody registered, or a required provider is not available. */
export class PlacesUnusable extends Data.TaggedError("PlacesUnusable")<{
  readonly step: string
  readonly reason: string
}> {
  readonly usage = true
  override get message() {
    return `${this.step}: ${this.reason}`
  }
}

/** Company facts the steps read; all optional, the names and place come from whichever step wrote them. */
export const reads = {
  siret: { type: "string", description: "Establishment identifier" },
  name: { type: "string", description: "Display name", optional: true },
  legal_name: { type: "string", description: "Legal name", optional: true },
  input_name: { type: "string", description: "Name given in a company list", optional: true },
  address_line: { type: "string", description: "Street address", optional: true },
  postcode: { type: "string", description: "Postcode", optional: true },
  city: { type: "string", description: "City", optional: true }
} as const

const text = (value: unknown): string | null => (typeof value === "string" && value.trim() !== "" ? value.trim() : null)

/** The company as a query: normalized fields first, else the raw registry columns of dumps.collect. */
export const companyQueryOf = (record: Rec): CompanyQuery => {
  // A company whose owner objected to diffusion (often a sole trader under their own name) is not
  // searched for: its name is not sent to a provider, and it gets no Places fields.
  const diffusible = record.diffusion !== "P"
  const candidates = [
    record.name,
    record.input_name,
    record.legal_name,
    record.enseigne1Etablissement,
    record.denominationUsuelleEtablissement,
    record.denominationUniteLegale
  ]
  const names = diffusible ? candidates.map(text).filter((name): name is string => name !== null) : []
  const street = [record.numeroVoieEtablissement, record.typeVoieEtablissement, record.libelleVoieEtablissement]
    .map(text)
    .filter((part) => part !== null)
    .join(" ")
  return {
    names: [...new Set(names)],
    address: text(record.address_line) ?? text(street),
    postcode: text(record.postcode) ?? text(record.codePostalEtablissement),
    city: text(record.city) ?? text(record.libelleCommuneEtablissement)
  }
}

/** The step's availability: some registered provider can be used here. */
export const anyProviderAvailable: Effect.Effect<Availability> = Effect.gen(function* () {
  let first: Availability | undefined
  for (const id of placesProviderIds()) {
    const check = yield* placesProvider(id)!.availability
    if (check.ok) return check
    first ??= check
  }
  return first ?? { ok: false, reason: "no Places provider registered", optional: true }
})

export type Opened =
  | { readonly available: true; readonly provider: PlacesProvider; readonly client: PlacesClient }
  | { readonly available: false; readonly provider: PlacesProvider; readonly reason: string }

/** The configured provider's client, or why it is not available (a failure when the job requires it). */
export const openProvider = (context: StepContext<PlacesConfig>, fetcher: HttpFetcherShape) =>
  Effect.gen(function* () {
    const config = context.config
    const provider = placesProvider(config.provider)
    if (provider === undefined) {
      return yield* new PlacesUnusable({
        step: context.stepId,
        reason: `no Places provider "${config.provider}" (known: ${placesProviderIds().join(", ")})`
      })
    }
    const check = yield* provider.availability
    if (!check.ok) {
      if (config.required) {
        return yield* new PlacesUnusable({
          step: context.stepId,
          reason: `${check.reason}; the job sets required: true`
        })
      }
      return { available: false, provider, reason: check.reason } satisfies Opened as Opened
    }
    const client = yield* provider.client({
      fetcher,
      requestsPerSecond: requestsPerSecond(config),
      maxCandidates: config.max_candidates,
      language: config.language,
      region: config.region
    })
    return { available: true, provider, client } satisfies Opened as Opened
  })
