/**
 * The Places provider interface behind `enrich.address` and `scraper.maps`: find the places that may be
 * a company (name and address → candidates), then a place's details (rating, reviews, opening status,
 * phone, website). Google Places is the built-in provider (google/GooglePlaces.ts); another plugin may
 * register its own with `registerPlacesProvider` and a job picks it with the steps' `provider` setting.
 */
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type { BudgetExceeded } from "../../core/Budget.ts"
import type { HttpFetcherShape } from "../../core/http/HttpFetcher.ts"
import type { Availability } from "../../core/Step.ts"

/** What is known of the company looked for. */
export interface CompanyQuery {
  /** The names the company goes by, best first (display name, the list's name, legal name). */
  readonly names: ReadonlyArray<string>
  /** Street address line, when known. */
  readonly address: string | null
  readonly postcode: string | null
  readonly city: string | null
}

export type BusinessStatus = "OPERATIONAL" | "CLOSED_TEMPORARILY" | "CLOSED_PERMANENTLY"

export interface PlaceDetails {
  readonly placeId: string
  /** Average user rating, 1.0 to 5.0. */
  readonly rating: number | null
  /** Number of user ratings (Google's `userRatingCount`, formerly `user_ratings_total`). */
  readonly userRatingsTotal: number | null
  readonly businessStatus: BusinessStatus | null
  /** The phone as the provider formats it (international format preferred). */
  readonly phone: string | null
  readonly website: string | null
  readonly location: { readonly latitude: number; readonly longitude: number } | null
}

/** A place the search found; `details` when the search was asked for them (one request instead of two). */
export interface PlaceCandidate {
  readonly placeId: string
  readonly name: string
  readonly address: string | null
  readonly postcode: string | null
  readonly city: string | null
  readonly location: { readonly latitude: number; readonly longitude: number } | null
  readonly details?: PlaceDetails
}

/**
 * A request the provider refused, could not answer (after the fetcher's retries) or answered
 * unreadably. A refused key or a disabled API (`reason: "key_refused"`) stops the run as bad usage.
 */
export class PlacesRequestFailed extends Data.TaggedError("PlacesRequestFailed")<{
  /** The provider's name, e.g. "Google Places". */
  readonly provider: string
  readonly reason: "key_refused" | "refused" | "unreachable" | "unreadable"
  readonly detail: string
  readonly url: string
  readonly status?: number
  /** The environment variable holding the key, named in the message of a refused key. */
  readonly keyVariable?: string
}> {
  /** The run's settings are unusable (exit 2), not a failed step. */
  get usage(): boolean {
    return this.reason === "key_refused"
  }

  override get message() {
    const status = this.status !== undefined ? ` (HTTP ${this.status})` : ""
    if (this.reason === "key_refused") {
      return `${this.provider}: the API key${this.keyVariable ? ` in ${this.keyVariable}` : ""} was refused${status}: ${this.detail}`
    }
    const what = {
      refused: "the request was refused",
      unreachable: "the API could not be reached",
      unreadable: "the answer could not be read"
    }[this.reason]
    return `${this.provider}: ${what}${status}: ${this.detail} (${this.url})`
  }
}

export type PlacesError = PlacesRequestFailed | BudgetExceeded

/** A provider bound to one run's fetcher and settings. */
export interface PlacesClient {
  /** Candidate places for a company, the provider's best first; with `withDetails`, each with its details. */
  readonly find: (
    query: CompanyQuery,
    options: { readonly withDetails: boolean }
  ) => Effect.Effect<ReadonlyArray<PlaceCandidate>, PlacesError>
  /** A place's details; null when the provider no longer knows the place. */
  readonly details: (placeId: string) => Effect.Effect<PlaceDetails | null, PlacesError>
}

export interface ClientOptions {
  readonly fetcher: HttpFetcherShape
  /** Requests per second to the provider at most, process-wide. */
  readonly requestsPerSecond: number
  /** Candidates asked for per search. */
  readonly maxCandidates: number
  /** Language of names and addresses (BCP 47), e.g. "fr". */
  readonly language: string
  /** Region (CLDR two letters), e.g. "FR". */
  readonly region: string
}

export interface PlacesProvider {
  /** The id a job names in the steps' `provider` setting, e.g. "google". */
  readonly id: string
  /** Shown in messages, e.g. "Google Places". */
  readonly label: string
  /** Whether the provider can be used here (e.g. its API key is set), with the reason when not. */
  readonly availability: Effect.Effect<Availability>
  /** A client over the run's fetcher; called only when `availability` said yes. */
  readonly client: (options: ClientOptions) => Effect.Effect<PlacesClient>
}

const providers = new Map<string, PlacesProvider>()

/**
 * Makes a provider available to `enrich.address` and `scraper.maps` (`provider: <id>` in their
 * settings). Call it when your plugin module loads.
 *
 * @example
 * registerPlacesProvider({ id: "acme", label: "Acme Places", availability: Effect.succeed({ ok: true }), client })
 */
export const registerPlacesProvider = (provider: PlacesProvider): void => {
  const existing = providers.get(provider.id)
  if (existing !== undefined && existing !== provider) {
    throw new Error(`a Places provider "${provider.id}" is already registered (${existing.label})`)
  }
  providers.set(provider.id, provider)
}

export const placesProvider = (id: string): PlacesProvider | undefined => providers.get(id)

export const placesProviderIds = (): ReadonlyArray<string> => [...providers.keys()]
