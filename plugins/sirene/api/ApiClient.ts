/**
 * One page of a recherche-entreprises query, through the run's HttpFetcher (budgets, proxies,
 * cache, retries on timeouts, 5xx and 429 with Retry-After, metrics), paced to the API's limit and
 * sent with a descriptive User-Agent.
 *
 * Pacing: the API allows 7 requests/s per IP. Requests to one API origin start at least
 * 1/`requests_per_s` apart across the whole process (parallel runs share the IP). The fetcher's own
 * per-host spacing (the job's `http.per_host_rps`, 2/s by default) applies on top, so the slower of
 * the two sets the pace.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type { BudgetExceeded } from "../../../core/Budget.ts"
import type { FetchResponse, HttpFetcherShape } from "../../../core/http/HttpFetcher.ts"
import { pace } from "../../../core/http/pace.ts"
import { type ApiPage, decodePage } from "./ApiRecords.ts"

/** A query the API refused (4xx), could not answer (after the fetcher's retries), or answered unreadably. */
export class ApiQueryFailed extends Data.TaggedError("ApiQueryFailed")<{
  /** The query, as `describeQuery` words it. */
  readonly query: string
  readonly url: string
  readonly reason: "refused" | "unreachable" | "unreadable"
  readonly detail: string
  readonly status?: number
}> {
  override get message() {
    const what = {
      refused: "the API refused the query",
      unreachable: "the API could not be reached",
      unreadable: "the API's answer could not be read"
    }[this.reason]
    return `recherche-entreprises: ${what} [${this.query}]${this.status !== undefined ? ` (HTTP ${this.status})` : ""}: ${this.detail} (${this.url})`
  }
}

/** A page of 25 legal units with up to 100 establishments each stays far below this. */
const MAX_PAGE_BYTES = 32 * 1024 * 1024

export interface PageRequest {
  readonly fetcher: HttpFetcherShape
  readonly url: string
  readonly query: string
  readonly userAgent: string
  readonly requestsPerSecond: number
}

export interface FetchedPage {
  readonly page: ApiPage
  readonly cache: FetchResponse["cache"]
}

const json = (response: FetchResponse): unknown => {
  try {
    return JSON.parse(response.text().text)
  } catch {
    return undefined
  }
}

/** The API's own words for a refusal: `{"erreur": "..."}` (open-api.yml), or a `message`/`detail`. */
const refusalOf = (response: FetchResponse): string => {
  const body = json(response) as Record<string, unknown> | undefined
  for (const key of ["erreur", "message", "detail"]) {
    const value = body?.[key]
    if (typeof value === "string" && value.trim() !== "") return value.trim()
    if (value !== undefined && value !== null && typeof value === "object") return JSON.stringify(value)
  }
  const raw = response.text().text.trim()
  return raw === "" ? "no explanation given" : raw.slice(0, 300)
}

/** Fetches one page; a spent budget goes through untouched so the run stops as it does for every step. */
export const fetchPage = (request: PageRequest): Effect.Effect<FetchedPage, ApiQueryFailed | BudgetExceeded> =>
  Effect.gen(function* () {
    const { url, query } = request
    yield* pace(new URL(url).origin, request.requestsPerSecond)
    const response = yield* request.fetcher
      .fetch({
        url,
        hostClass: "provider",
        // A documented API, not a site to crawl.
        ignoreRobots: true,
        accept: ["application/json"],
        headers: { "user-agent": request.userAgent, accept: "application/json" },
        maxBytes: MAX_PAGE_BYTES
      })
      .pipe(
        Effect.catchTag("FetchFailed", (error) =>
          Effect.fail(
            new ApiQueryFailed({
              query,
              url,
              reason: "unreachable",
              detail: `${error.reason}: ${error.detail}`,
              ...(error.status !== undefined ? { status: error.status } : {})
            })
          )
        )
      )
    if (response.status >= 400 || response.status < 200) {
      return yield* new ApiQueryFailed({
        query,
        url,
        reason: "refused",
        status: response.status,
        detail: refusalOf(response)
      })
    }
    const body = json(response)
    const page = body === undefined ? "the answer is not JSON" : decodePage(body)
    if (typeof page === "string") return yield* new ApiQueryFailed({ query, url, reason: "unreadable", detail: page })
    return { page, cache: response.cache }
  })
