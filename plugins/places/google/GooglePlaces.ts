/**
 * The built-in Places provider: Google Places API (New), through the run's HttpFetcher (budgets,
 * proxies, retries on timeouts, 5xx and 429 with Retry-After, metrics), paced per the step's settings.
 *
 * - Text Search (New): `POST {base}/v1/places:searchText`, JSON body `{textQuery, languageCode,
 *   regionCode, pageSize}`, headers `X-Goog-Api-Key` and `X-Goog-FieldMask` (`places.id,…`); answer
 *   `{places: [Place…]}`. Only the first page is read: the best candidates come first.
 * - Place Details (New): `GET {base}/v1/places/{id}` with the same headers (mask without `places.`).
 * - Errors: `{error: {code, message, status, details}}`; 400 INVALID_ARGUMENT with reason
 *   API_KEY_INVALID, or 403 PERMISSION_DENIED, mean the key (or the API on its project) is refused.
 *
 * The key is `FILON_GOOGLE_PLACES_API_KEY`, the base URL `FILON_GOOGLE_PLACES_BASE_URL` (default
 * https://places.googleapis.com). Answers are never cached: Google's terms allow keeping place IDs only.
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { FetchResponse } from "../../../core/http/HttpFetcher.ts"
import { pace } from "../../../core/http/pace.ts"
import type { Availability } from "../../../core/Step.ts"
import {
  type BusinessStatus,
  type ClientOptions,
  type CompanyQuery,
  type PlaceCandidate,
  type PlaceDetails,
  type PlacesClient,
  type PlacesProvider,
  PlacesRequestFailed
} from "../PlacesProvider.ts"

export const PROVIDER = "Google Places"
export const KEY_VARIABLE = "FILON_GOOGLE_PLACES_API_KEY"
export const BASE_URL_VARIABLE = "FILON_GOOGLE_PLACES_BASE_URL"
export const DEFAULT_BASE_URL = "https://places.googleapis.com"

/** Fields matching needs (Text Search Pro SKU). */
const BASIC_FIELDS = ["id", "displayName", "formattedAddress", "addressComponents", "location"]
/** Fields the cross-checks need (Enterprise SKU). */
const DETAIL_FIELDS = [
  "rating",
  "userRatingCount",
  "businessStatus",
  "internationalPhoneNumber",
  "nationalPhoneNumber",
  "websiteUri"
]

export const searchFieldMask = (withDetails: boolean) =>
  [...BASIC_FIELDS, ...(withDetails ? DETAIL_FIELDS : [])].map((field) => `places.${field}`).join(",")
export const detailsFieldMask = ["id", "location", ...DETAIL_FIELDS].join(",")

const MAX_BYTES = 4 * 1024 * 1024

const apiKey = Config.redacted(KEY_VARIABLE).pipe(
  Config.option,
  Config.map((value) => value.pipe(Option.filter((key) => Redacted.value(key).trim() !== "")))
)

export const baseUrl: Config.Config<string> = Config.string(BASE_URL_VARIABLE).pipe(
  Config.option,
  Config.map((value) =>
    value.pipe(
      Option.map((text) => text.trim().replace(/\/+$/, "")),
      Option.filter((text) => text !== ""),
      Option.getOrElse(() => DEFAULT_BASE_URL)
    )
  )
)

const availability: Effect.Effect<Availability> = apiKey.pipe(
  Effect.map((key) =>
    Option.isSome(key)
      ? ({ ok: true } as const)
      : { ok: false as const, reason: `${PROVIDER}: no API key (set ${KEY_VARIABLE})`, optional: true }
  ),
  Effect.orElseSucceed(() => ({
    ok: false as const,
    reason: `${PROVIDER}: ${KEY_VARIABLE} unreadable`,
    optional: true
  }))
)

type Json = Record<string, unknown>

const jsonOf = (response: FetchResponse): unknown => {
  try {
    return JSON.parse(response.text().text)
  } catch {
    return undefined
  }
}

const text = (value: unknown): string | null => (typeof value === "string" && value.trim() !== "" ? value.trim() : null)
const num = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null)

/** Google's error body: `{error: {code, message, status, details: [{reason}]}}`. */
const errorOf = (response: FetchResponse) => {
  const body = jsonOf(response) as { error?: Json } | undefined
  const error = body?.error
  const details = Array.isArray(error?.details) ? (error.details as Json[]) : []
  const reason = details.map((detail) => text(detail.reason)).find((value) => value !== null) ?? null
  const status = text(error?.status)
  const message = text(error?.message) ?? (response.text().text.trim().slice(0, 300) || "no explanation given")
  return { status, reason, message }
}

const isKeyProblem = (httpStatus: number, error: ReturnType<typeof errorOf>) =>
  httpStatus === 401 ||
  httpStatus === 403 ||
  error.status === "PERMISSION_DENIED" ||
  error.status === "UNAUTHENTICATED" ||
  (error.reason !== null && /^API_KEY_/.test(error.reason))

const locationOf = (value: unknown) => {
  const location = value as Json | undefined
  const latitude = num(location?.latitude)
  const longitude = num(location?.longitude)
  return latitude !== null && longitude !== null ? { latitude, longitude } : null
}

const STATUSES = new Set<string>(["OPERATIONAL", "CLOSED_TEMPORARILY", "CLOSED_PERMANENTLY"])

export const detailsOf = (place: Json): PlaceDetails => {
  const status = text(place.businessStatus)
  return {
    placeId: text(place.id) ?? "",
    rating: num(place.rating),
    userRatingsTotal: num(place.userRatingCount),
    businessStatus: status !== null && STATUSES.has(status) ? (status as BusinessStatus) : null,
    phone: text(place.internationalPhoneNumber) ?? text(place.nationalPhoneNumber),
    website: text(place.websiteUri),
    location: locationOf(place.location)
  }
}

const component = (place: Json, type: string): string | null => {
  const components = Array.isArray(place.addressComponents) ? (place.addressComponents as Json[]) : []
  const found = components.find((part) => Array.isArray(part.types) && (part.types as unknown[]).includes(type))
  return text(found?.longText) ?? text(found?.shortText)
}

export const candidateOf = (place: Json, withDetails: boolean): PlaceCandidate | null => {
  const placeId = text(place.id)
  if (placeId === null) return null
  const address = text(place.formattedAddress)
  const display = place.displayName as Json | undefined
  const postcode = component(place, "postal_code") ?? address?.match(/\b\d{5}\b/)?.[0] ?? null
  const city =
    component(place, "locality") ??
    (address !== null && postcode !== null ? (text(address.split(postcode)[1]?.split(",")[0]) ?? null) : null)
  return {
    placeId,
    name: text(display?.text) ?? "",
    address,
    postcode,
    city,
    location: locationOf(place.location),
    ...(withDetails ? { details: detailsOf(place) } : {})
  }
}

/** The text Google is asked: names and address as one would type them in Maps. */
export const textQueryOf = (query: CompanyQuery) =>
  [query.names[0], query.address, query.postcode, query.city].filter((part) => part && part.trim() !== "").join(" ")

const makeClient = (options: ClientOptions, key: string, base: string): PlacesClient => {
  const origin = new URL(base).origin
  const send = (url: string, init: { method: string; fieldMask: string; body?: string }) =>
    Effect.gen(function* () {
      yield* pace(origin, options.requestsPerSecond)
      const response = yield* options.fetcher
        .fetch({
          url,
          method: init.method,
          hostClass: "provider",
          // A documented API, not a site to crawl.
          ignoreRobots: true,
          // Google's terms allow keeping place IDs only.
          cache: false,
          accept: ["application/json"],
          maxBytes: MAX_BYTES,
          headers: {
            accept: "application/json",
            "x-goog-api-key": key,
            "x-goog-fieldmask": init.fieldMask,
            ...(init.body !== undefined ? { "content-type": "application/json" } : {})
          },
          ...(init.body !== undefined ? { body: init.body } : {})
        })
        .pipe(
          Effect.catchTag("FetchFailed", (error) =>
            Effect.fail(
              new PlacesRequestFailed({
                provider: PROVIDER,
                reason: "unreachable",
                url,
                detail: `${error.reason}: ${error.detail}`,
                ...(error.status !== undefined ? { status: error.status } : {})
              })
            )
          )
        )
      return response
    })

  const refusal = (url: string, response: FetchResponse) => {
    const error = errorOf(response)
    const words = [error.status, error.reason].filter((part) => part !== null).join(" ")
    return new PlacesRequestFailed({
      provider: PROVIDER,
      reason: isKeyProblem(response.status, error) ? "key_refused" : "refused",
      url,
      status: response.status,
      detail: `${words ? `${words}: ` : ""}${error.message}`,
      keyVariable: KEY_VARIABLE
    })
  }

  const bodyOf = (url: string, response: FetchResponse) => {
    const body = jsonOf(response)
    return body !== null && typeof body === "object" && !Array.isArray(body)
      ? Effect.succeed(body as Json)
      : Effect.fail(
          new PlacesRequestFailed({ provider: PROVIDER, reason: "unreadable", url, detail: "the answer is not JSON" })
        )
  }

  return {
    find: (query, { withDetails }) =>
      Effect.gen(function* () {
        const url = `${base}/v1/places:searchText`
        const response = yield* send(url, {
          method: "POST",
          fieldMask: searchFieldMask(withDetails),
          body: JSON.stringify({
            textQuery: textQueryOf(query),
            languageCode: options.language,
            regionCode: options.region,
            pageSize: options.maxCandidates
          })
        })
        if (response.status !== 200) return yield* refusal(url, response)
        const body = yield* bodyOf(url, response)
        const places = Array.isArray(body.places) ? (body.places as Json[]) : []
        return places
          .map((place) => candidateOf(place, withDetails))
          .filter((candidate): candidate is PlaceCandidate => candidate !== null)
      }),
    details: (placeId) =>
      Effect.gen(function* () {
        const url = `${base}/v1/places/${encodeURIComponent(placeId)}`
        const response = yield* send(url, { method: "GET", fieldMask: detailsFieldMask })
        if (response.status === 404) return null
        if (response.status !== 200) return yield* refusal(url, response)
        const details = detailsOf(yield* bodyOf(url, response))
        return { ...details, placeId: details.placeId || placeId }
      })
  }
}

export const googlePlaces: PlacesProvider = {
  id: "google",
  label: PROVIDER,
  availability,
  client: (options) =>
    Effect.gen(function* () {
      const key = yield* apiKey.pipe(Effect.orDie)
      const base = yield* baseUrl.pipe(Effect.orDie)
      return makeClient(options, Option.match(key, { onNone: () => "", onSome: Redacted.value }), base)
    })
}
