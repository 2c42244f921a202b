/**
 * Brave Search API client (https://api-dashboard.search.brave.com/docs): `GET /res/v1/web/search?q=…`
 * with the key in `X-Subscription-Token`, organic results in `web.results[]` (`url`, `title`,
 * `description`). Key and base URL from `FILON_BRAVE_API_KEY` / `FILON_BRAVE_BASE_URL`. Requests go
 * through the run's HttpFetcher, which retries 429 and 5xx honouring Retry-After; this client paces
 * its own requests (the free plan allows 1 per second).
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { FetchResponse, HttpFetcherShape } from "../../core/http/HttpFetcher.ts"
import { pace } from "../../core/http/pace.ts"
import {
  registerSearchProvider,
  SearchFailed,
  type SearchProvider,
  type SearchQuery,
  type SearchResult
} from "./SearchProvider.ts"

export const BRAVE_KEY_VARIABLE = "FILON_BRAVE_API_KEY"
export const BRAVE_BASE_URL_VARIABLE = "FILON_BRAVE_BASE_URL"
export const BRAVE_DEFAULT_BASE_URL = "https://api.search.brave.com"
/** The API's largest `count`. */
const MAX_COUNT = 20

const braveKey = Config.redacted(BRAVE_KEY_VARIABLE).pipe(
  Config.option,
  Config.map(Option.filter((key) => Redacted.value(key).trim() !== ""))
)

const braveBaseUrl = Config.string(BRAVE_BASE_URL_VARIABLE).pipe(
  Config.option,
  Config.map((value) =>
    value.pipe(
      Option.map((text) => text.trim().replace(/\/+$/, "")),
      Option.filter((text) => text !== ""),
      Option.getOrElse(() => BRAVE_DEFAULT_BASE_URL)
    )
  )
)

/** Requests per second to the API, process-wide (parallel runs share the key's quota). */
let requestsPerSecond = 1

/** Sets the pace of Brave requests (the `http.serp` setting `requests_per_s`). */
export const setBravePace = (perSecond: number): void => {
  requestsPerSecond = perSecond
}

const BRAVE_PACE = "brave-search"

/** The URL of one query. */
export const braveUrl = (baseUrl: string, query: SearchQuery): string => {
  const params = new URLSearchParams({
    q: query.q,
    count: String(Math.max(1, Math.min(MAX_COUNT, query.count))),
    country: "FR",
    search_lang: "fr"
  })
  return `${baseUrl}/res/v1/web/search?${params}`
}

const parseJson = (response: FetchResponse): unknown => {
  try {
    return JSON.parse(response.text().text)
  } catch {
    return undefined
  }
}

/** `web.results[]` as search results; a body without `web` (no web results) is an empty list. */
export const braveResults = (body: unknown): SearchResult[] | string => {
  if (typeof body !== "object" || body === null) return "the answer is not a JSON object"
  const web = (body as { web?: unknown }).web
  if (web === undefined || web === null) return []
  if (typeof web !== "object") return "web is not a JSON object"
  const results = (web as { results?: unknown }).results
  if (!Array.isArray(results)) return "web.results is not a list"
  const out: SearchResult[] = []
  for (const item of results) {
    if (typeof item !== "object" || item === null) continue
    const { url, title, description } = item as Record<string, unknown>
    if (typeof url !== "string" || !/^https?:\/\//i.test(url)) continue
    out.push({
      url,
      title: typeof title === "string" ? stripTags(title) : "",
      snippet: typeof description === "string" ? stripTags(description) : "",
      rank: out.length + 1
    })
  }
  return out
}

// Brave marks matched words with <strong>.
const stripTags = (text: string): string => text.replace(/<[^>]+>/g, "").trim()

const errorDetail = (response: FetchResponse): string => {
  const body = parseJson(response) as { error?: { detail?: unknown; code?: unknown } } | undefined
  const detail = body?.error?.detail ?? body?.error?.code
  if (typeof detail === "string" && detail.trim() !== "") return detail.trim()
  const raw = response.text().text.trim()
  return raw === "" ? "no explanation given" : raw.slice(0, 300)
}

const search: SearchProvider["search"] = (fetcher: HttpFetcherShape, query: SearchQuery) =>
  Effect.gen(function* () {
    const key = yield* braveKey.pipe(Effect.orElseSucceed(() => Option.none()))
    if (Option.isNone(key)) {
      return yield* new SearchFailed({
        provider: "brave",
        reason: "unauthorized",
        detail: `no API key: set ${BRAVE_KEY_VARIABLE}`,
        usage: true
      })
    }
    const baseUrl = yield* braveBaseUrl.pipe(Effect.orElseSucceed(() => BRAVE_DEFAULT_BASE_URL))
    const url = braveUrl(baseUrl, query)
    yield* pace(BRAVE_PACE, requestsPerSecond)
    const response = yield* fetcher
      .fetch({
        url,
        hostClass: "provider",
        // A documented API, not a site to crawl.
        ignoreRobots: true,
        cache: false,
        accept: ["application/json"],
        headers: { accept: "application/json", "x-subscription-token": Redacted.value(key.value) }
      })
      .pipe(
        Effect.catchTag("FetchFailed", (error) =>
          Effect.fail(
            new SearchFailed({
              provider: "brave",
              reason: error.status === 429 ? "rate_limited" : "unreachable",
              detail:
                error.status === 429
                  ? `still rate limited after the retries (${error.detail}); lower http.serp's requests_per_s or check the plan's quota`
                  : `${error.reason}: ${error.detail}`,
              usage: false,
              ...(error.status !== undefined ? { status: error.status } : {})
            })
          )
        )
      )
    if (response.status === 401 || response.status === 403 || response.status === 422) {
      // Brave answers a missing or bad token with 401/403 (422 on some plans, SUBSCRIPTION_TOKEN_INVALID).
      return yield* new SearchFailed({
        provider: "brave",
        reason: "unauthorized",
        status: response.status,
        detail: `the API key was refused (${errorDetail(response)}): check ${BRAVE_KEY_VARIABLE}`,
        usage: true
      })
    }
    if (response.status < 200 || response.status >= 300) {
      return yield* new SearchFailed({
        provider: "brave",
        reason: response.status === 429 ? "rate_limited" : "refused",
        status: response.status,
        detail: errorDetail(response),
        usage: false
      })
    }
    const results = braveResults(parseJson(response))
    if (typeof results === "string") {
      return yield* new SearchFailed({ provider: "brave", reason: "unreadable", detail: results, usage: false })
    }
    return results
  })

export const braveSearch: SearchProvider = {
  id: "brave",
  keyVariable: BRAVE_KEY_VARIABLE,
  unavailable: braveKey.pipe(
    Effect.map((key) => (Option.isNone(key) ? `no Brave Search API key (set ${BRAVE_KEY_VARIABLE})` : undefined)),
    Effect.orElseSucceed(() => `no Brave Search API key (set ${BRAVE_KEY_VARIABLE})`)
  ),
  search
}

registerSearchProvider(braveSearch)
