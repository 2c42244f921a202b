/**
 * Web-search providers for `http.serp`. A provider turns a query into ranked results through the run's
 * HttpFetcher; it reads its key and base URL from `FILON_<PROVIDER>_API_KEY` / `FILON_<PROVIDER>_BASE_URL`
 * and says when it cannot run here (no key). Brave Search is built in; a plugin adds another with
 * `registerSearchProvider` when its module loads, and jobs pick it with `http.serp`'s `provider` setting.
 */
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type { BudgetExceeded } from "../../core/Budget.ts"
import type { HttpFetcherShape } from "../../core/http/HttpFetcher.ts"

/** One organic result, as written to `search_results`. */
export interface SearchResult {
  readonly url: string
  readonly title: string
  readonly snippet: string
  /** 1 for the first result. */
  readonly rank: number
}

export interface SearchQuery {
  readonly q: string
  /** Results wanted (the provider may cap it). */
  readonly count: number
}

/** A query the provider refused or could not answer. */
export class SearchFailed extends Data.TaggedError("SearchFailed")<{
  readonly provider: string
  readonly reason: "unauthorized" | "rate_limited" | "refused" | "unreachable" | "unreadable"
  readonly detail: string
  readonly status?: number
  /** The key is missing or refused: the run's settings are unusable (exit 2). */
  readonly usage: boolean
}> {
  override get message() {
    return `${this.provider} search: ${this.reason}${this.status !== undefined ? ` (HTTP ${this.status})` : ""}: ${this.detail}`
  }
}

export interface SearchProvider {
  /** Lower case, as the `provider` setting names it, e.g. "brave". */
  readonly id: string
  /** The environment variable holding the key, e.g. FILON_BRAVE_API_KEY. */
  readonly keyVariable: string
  /** Undefined when the provider can run; else why not (e.g. no key). */
  readonly unavailable: Effect.Effect<string | undefined>
  readonly search: (
    fetcher: HttpFetcherShape,
    query: SearchQuery
  ) => Effect.Effect<ReadonlyArray<SearchResult>, SearchFailed | BudgetExceeded>
}

const providers = new Map<string, SearchProvider>()

/** Makes a provider available to `http.serp` (a later registration of the same id replaces it). */
export const registerSearchProvider = (provider: SearchProvider): void => {
  providers.set(provider.id, provider)
}

export const searchProvider = (id: string): SearchProvider | undefined => providers.get(id)

export const searchProviders = (): ReadonlyArray<SearchProvider> => [...providers.values()]
