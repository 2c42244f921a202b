/**
 * `http.serp`: one web search per company (its best name and city) through a search provider
 * (Brave Search built in, see SearchProvider.ts); the ranked results go to `search_results` for
 * `enrich.domain`. Without the provider's key the step is "not available" and an optional one: the
 * run goes on without it unless the job sets `required: true`.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { HttpFetcher } from "../../core/http/HttpFetcher.ts"
import type { Rec } from "../../core/Record.ts"
import { defineStep, type StepService } from "../../core/Step.ts"
import { setBravePace } from "./BraveSearch.ts"
import { companyOf } from "./companyOf.ts"
import { SearchFailed, searchProvider, searchProviders } from "./SearchProvider.ts"

const Config = Schema.Struct({
  /** The search provider ("brave", or one a plugin registers). @default "brave" */
  provider: Schema.optionalWith(Schema.String, { default: () => "brave" }),
  /** Results asked for per company. @default 10 */
  results: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 20)), { default: () => 10 }),
  /** Provider requests per second, process-wide (Brave's free plan: 1). @default 1 */
  requests_per_s: Schema.optionalWith(Schema.Number.pipe(Schema.between(0.01, 100)), { default: () => 1 }),
  /** Companies searched at once. @default 4 */
  concurrency: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 64)), { default: () => 4 }),
  /** Stop the run when no provider key is set, instead of going on without searches. @default false */
  required: Schema.optionalWith(Schema.Boolean, { default: () => false })
})
type SerpConfig = typeof Config.Type

export class HttpSerp extends Context.Tag("plugin/discovery/HttpSerp")<HttpSerp, StepService<SerpConfig>>() {}

/** The query for a company: its best name, in quotes, and its city. */
export const queryOf = (record: Rec): string | undefined => {
  const company = companyOf(record)
  const name = company.names[0]
  if (name === undefined) return undefined
  return company.city !== undefined ? `"${name}" ${company.city}` : `"${name}"`
}

const make = Effect.gen(function* () {
  const fetcher = yield* HttpFetcher
  const run: StepService<SerpConfig>["run"] = (input, context) =>
    Stream.unwrap(
      Effect.gen(function* () {
        const config = context.config
        const provider = searchProvider(config.provider)
        if (provider === undefined) {
          const known = searchProviders().map((entry) => entry.id)
          return yield* new SearchFailed({
            provider: config.provider,
            reason: "refused",
            detail: `no search provider "${config.provider}" (known: ${known.join(", ")})`,
            usage: true
          })
        }
        const absent = yield* provider.unavailable
        if (absent !== undefined) {
          // Optional: Prepare refused the run already when the job sets required: true.
          yield* context.log(`http.serp not available (${absent}); records passed on without search results`)
          return Stream.map(input, (record) => ({ ...record, search_results: [], search_status: "not_available" }))
        }
        if (provider.id === "brave") setBravePace(config.requests_per_s)
        const tally = { searched: 0, results: 0, failed: 0 }
        const searchOne = (record: Rec) => {
          const q = queryOf(record)
          if (q === undefined) return Effect.succeed({ ...record, search_results: [], search_status: "no_name" })
          return provider.search(fetcher, { q, count: config.results }).pipe(
            Effect.map((results) => {
              tally.searched++
              tally.results += results.length
              return {
                ...record,
                search_results: results.map((result) => ({ ...result })),
                search_status: results.length > 0 ? "ok" : "no_results"
              }
            }),
            Effect.catchTag("SearchFailed", (error) => {
              // A refused key stops the run (exit 2): every other query would be refused too.
              if (error.usage) return Effect.fail(error)
              tally.failed++
              return Effect.succeed({ ...record, search_results: [], search_status: `failed: ${error.message}` })
            })
          )
        }
        const done = Stream.fromEffect(
          context.log(`searched ${tally.searched} companies with ${provider.id}`, { ...tally })
        ).pipe(Stream.drain)
        return Stream.mapEffect(input, searchOne, { concurrency: config.concurrency }).pipe(Stream.concat(done))
      })
    )
  return { run } satisfies StepService<SerpConfig>
})

export const HttpSerpLive = Layer.effect(HttpSerp, make)

export const httpSerp = defineStep({
  id: "http.serp",
  description: "Web-search results per company (name and city) from a search provider (Brave Search built in)",
  kind: "transform",
  after: ["dumps.collect", "api.collect", "normalize.standardize"],
  reads: {
    siret: { type: "string", description: "Establishment identifier" },
    name: { type: "string", description: "Display name", optional: true },
    legal_name: { type: "string", description: "Legal name", optional: true },
    city: { type: "string", description: "City", optional: true }
  },
  writes: {
    search_results: {
      type: "object[]",
      description: "Web-search results for the company: url, title, snippet, rank (1 = first)",
      internal: true
    },
    search_status: {
      type: "string",
      description:
        "ok, no_results, no_name, not_available (no provider key), or failed: why the provider gave no answer",
      internal: true
    }
  },
  config: Config,
  version: "1",
  availability: Effect.gen(function* () {
    const reasons: string[] = []
    for (const provider of searchProviders()) {
      const reason = yield* provider.unavailable
      if (reason === undefined) return { ok: true as const }
      reasons.push(reason)
    }
    return { ok: false as const, reason: reasons.join("; ") || "no search provider", optional: true }
  }),
  tag: HttpSerp
})
