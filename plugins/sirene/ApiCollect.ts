/**
 * `api.collect`: the records dumps.collect makes from the stock files, made instead from the
 * recherche-entreprises API (SIRENE.md §6) for jobs small enough for it. The job's filters become
 * `/search` queries (api/ApiQuery.ts), pages of 25 legal units are fetched politely through the
 * HttpFetcher (api/ApiClient.ts), each matching establishment becomes one raw record with its legal
 * unit's fields (api/ApiRecords.ts), and every filter is checked again on each record.
 *
 * The API serves 10,000 results per query at most (page × per_page ≤ 10,000). A query that finds
 * more (or more than `max_results_per_query`) is split by region, department, NAF sub-class, then
 * headcount band; one that cannot be split is fetched up to the ceiling and the step logs, and
 * `reports/api_collect_summary.json` records, how many results were left out. Never silently.
 */
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { HttpFetcher } from "../../core/http/HttpFetcher.ts"
import { Filters } from "../../core/Job.ts"
import type { Rec } from "../../core/Record.ts"
import { defineStep, type FieldMap, type StepContext, type StepService } from "../../core/Step.ts"
import { fetchPage } from "./api/ApiClient.ts"
import { type ApiQuery, describeQuery, planQuery, queryParams, splitQuery } from "./api/ApiQuery.ts"
import {
  type ApiPage,
  ESTABLISHMENT_API_COLUMNS,
  establishmentsOf,
  recordFilter,
  recordOf,
  UNIT_API_COLUMNS
} from "./api/ApiRecords.ts"
import {
  API_MATCHING_LIMIT,
  API_MAX_REQUESTS_PER_S,
  API_PER_PAGE,
  API_RESULT_CEILING,
  apiBaseUrl,
  userAgentOf
} from "./api/ApiSettings.ts"
import { writes as dumpsWrites } from "./DumpsCollect.ts"

const ApiCollectConfig = Schema.Struct({
  /** The job's filters (bound from the job's `filters`), checked like the job's own. */
  filters: Schema.optional(Filters),
  /** Requests per second to the API at most; its limit is 7 per IP. @default 7 */
  requests_per_s: Schema.optionalWith(
    Schema.Number.pipe(Schema.greaterThan(0), Schema.lessThanOrEqualTo(API_MAX_REQUESTS_PER_S)),
    { default: () => API_MAX_REQUESTS_PER_S }
  ),
  /** Pages of one query fetched at once (the job's `http.per_host_concurrency` bounds it too). @default 2 */
  pages_in_flight: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 8)), { default: () => 2 }),
  /**
   * Results fetched per query at most: a query finding more is split, or, when it cannot be, fetched
   * up to this many with a warning. The API serves 10,000 at most. @default 10000
   */
  max_results_per_query: Schema.optionalWith(Schema.Int.pipe(Schema.between(API_PER_PAGE, API_RESULT_CEILING)), {
    default: () => API_RESULT_CEILING
  }),
  /**
   * Send the headcount bands to the API, which applies them to the legal unit's band (fewer pages);
   * false: check only each establishment's own band, reaching establishments whose band differs from
   * their legal unit's. @default true
   */
  headcount_on_api: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  /** The User-Agent sent to the API. @default "Filon/<version> (+https://github.com/filon-data/filon; api.collect)" */
  user_agent: Schema.optional(Schema.String.pipe(Schema.minLength(1))),
  /** A contact (email or URL) added to the default User-Agent, so the API's operators can reach you. */
  contact: Schema.optional(Schema.String)
})
type ApiCollectConfig = typeof ApiCollectConfig.Type

export const SUMMARY = "reports/api_collect_summary.json"

/** The dumps.collect fields the API can fill: the same declarations, so downstream steps read them alike. */
const writes: FieldMap = Object.fromEntries(
  [...ESTABLISHMENT_API_COLUMNS, ...UNIT_API_COLUMNS, "source_file"].map((name) => [name, dumpsWrites[name]!])
)

/** What became of one query. */
interface QueryReport {
  readonly query: string
  readonly total_results: number
  outcome: "fetched" | "split" | "capped" | "sample_reached"
  pages: number
  results: number
  records: number
  /** Results the query found but that could not be fetched (beyond the ceiling). */
  not_fetched: number
  /** The API reported its ceiling: the true count is larger than `total_results` says. */
  not_fetched_at_least?: true
  parts?: number
}

/** One query being paged. */
interface Paging {
  readonly query: ApiQuery
  readonly report: QueryReport
  nextPage: number
  readonly lastPage: number
}

export class ApiCollect extends Context.Tag("plugin/sirene/ApiCollect")<ApiCollect, StepService<ApiCollectConfig>>() {}

const make = Effect.gen(function* () {
  const fetcher = yield* HttpFetcher

  const run: StepService<ApiCollectConfig>["run"] = (_input, context) =>
    Stream.unwrap(
      Effect.gen(function* () {
        const baseUrl = yield* apiBaseUrl.pipe(Effect.orDie)
        return collectAll(context, baseUrl)
      })
    )

  /**
   * Pulls pages one batch at a time. The summary is written in the pull that yields the last records,
   * so that a `--sample` cut (the runner takes N records and stops pulling) never leaves it unwritten.
   */
  const collectAll = (context: StepContext<ApiCollectConfig>, baseUrl: string): Stream.Stream<Rec, unknown> => {
    const config = context.config
    const started = performance.now()
    const requestsBefore = fetcher.stats().requests
    const userAgent = config.user_agent ?? userAgentOf(config.contact)
    const filter = recordFilter(config.filters)
    const maxPage = Math.floor(config.max_results_per_query / API_PER_PAGE)
    const sample = context.sample
    const queue: ApiQuery[] = [planQuery(config.filters, { headcountOnApi: config.headcount_on_api })]
    const reports: QueryReport[] = []
    const seen = new Set<string>()
    const tally = {
      pages: 0,
      cache_hits: 0,
      results: 0,
      establishments: 0,
      records: 0,
      filtered_out: 0,
      duplicates: 0,
      from_head_office: 0,
      at_matching_limit: 0,
      expected: 0
    }
    let current: Paging | undefined

    const pageOf = (query: ApiQuery, page: number) =>
      fetchPage({
        fetcher,
        url: `${baseUrl}/search?${queryParams(query, page)}`,
        query: describeQuery(query),
        userAgent,
        requestsPerSecond: config.requests_per_s
      }).pipe(
        Effect.tap((fetched) =>
          Effect.sync(() => {
            tally.pages++
            if (fetched.cache === "hit") tally.cache_hits++
          })
        ),
        Effect.map((fetched) => fetched.page)
      )

    /** The new records of a page, filtered and without SIRETs already given, up to the sample. */
    const recordsOf = (page: ApiPage, report: QueryReport): Rec[] => {
      const out: Rec[] = []
      report.pages++
      report.results += page.results.length
      tally.results += page.results.length
      for (const unit of page.results) {
        const { establishments, fromSiege, atLimit } = establishmentsOf(unit, API_MATCHING_LIMIT)
        if (fromSiege) tally.from_head_office++
        if (atLimit) tally.at_matching_limit++
        for (const etab of establishments) {
          tally.establishments++
          const record = recordOf(unit, etab)
          const siret = typeof record.siret === "string" ? record.siret : ""
          if (seen.has(siret)) {
            tally.duplicates++
            continue
          }
          seen.add(siret)
          if (!filter.keep(record)) {
            tally.filtered_out++
            continue
          }
          if (sample !== undefined && tally.records >= sample) return out
          tally.records++
          report.records++
          out.push(record)
        }
      }
      return out
    }

    const sampleReached = () => sample !== undefined && tally.records >= sample

    /** A query that cannot be split further and finds more than can be fetched: never left silent. */
    const reportCapped = (report: QueryReport, total: number, reachable: number, atCeiling: boolean) => {
      report.outcome = "capped"
      report.not_fetched = Math.max(0, total - reachable)
      if (atCeiling) report.not_fetched_at_least = true
      const missing = atCeiling
        ? `${report.not_fetched > 0 ? `${report.not_fetched} and ` : ""}the rest (the API does not say how many beyond ${API_RESULT_CEILING})`
        : String(report.not_fetched)
      return context.log(
        `warning: ${report.query}: ${atCeiling ? `at least ${total}` : total} results and no narrower query to split it into; only the first ${reachable} are fetched, ${missing} not fetched`,
        { query: report.query, total_results: total, fetched_at_most: reachable }
      )
    }

    /** Page 1 of the next query: split it, or start paging it. */
    const startQuery = (query: ApiQuery) =>
      Effect.gen(function* () {
        const label = describeQuery(query)
        const first = yield* pageOf(query, 1)
        const total = first.total_results
        const report: QueryReport = {
          query: label,
          total_results: total,
          outcome: "fetched",
          pages: 0,
          results: 0,
          records: 0,
          not_fetched: 0
        }
        reports.push(report)
        const tooMany = total > config.max_results_per_query || total >= API_RESULT_CEILING
        const parts = tooMany ? splitQuery(query) : null
        if (parts !== null) {
          report.outcome = "split"
          report.parts = parts.length
          queue.unshift(...parts)
          yield* context.log(
            `${label}: ${total >= API_RESULT_CEILING ? `at least ${total}` : total} results, more than one query may fetch (${config.max_results_per_query}); split into ${parts.length} queries`
          )
          return [] as Rec[]
        }
        const lastPage = Math.min(first.total_pages, maxPage)
        const reachable = lastPage * API_PER_PAGE
        // At the ceiling the API's count is itself capped: more may exist than it says.
        const atCeiling = total >= API_RESULT_CEILING
        if (total > reachable || atCeiling) yield* reportCapped(report, total, reachable, atCeiling)
        tally.expected += Math.min(total, reachable)
        yield* context.expectTotal(sample !== undefined ? Math.min(sample, tally.expected) : tally.expected)
        current = { query, report, nextPage: 2, lastPage }
        return recordsOf(first, report)
      })

    /** The next batch of pages of the query being paged. */
    const continueQuery = (paging: Paging) =>
      Effect.gen(function* () {
        // Under --sample, no more pages at once than could still be needed (one record per result at least).
        const batch =
          sample === undefined
            ? config.pages_in_flight
            : Math.min(config.pages_in_flight, Math.max(1, Math.ceil((sample - tally.records) / API_PER_PAGE)))
        const pages: number[] = []
        for (let page = paging.nextPage; page <= paging.lastPage && pages.length < batch; page++) {
          pages.push(page)
        }
        paging.nextPage += pages.length
        const fetched = yield* Effect.forEach(pages, (page) => pageOf(paging.query, page), {
          concurrency: config.pages_in_flight
        })
        const out: Rec[] = []
        for (const page of fetched) {
          out.push(...recordsOf(page, paging.report))
          // Paging past the end of what the API holds (it changed meanwhile): the query is done.
          if (page.results.length === 0) paging.nextPage = paging.lastPage + 1
        }
        return out
      })

    const finish = Effect.gen(function* () {
      if (current !== undefined && current.nextPage <= current.lastPage) current.report.outcome = "sample_reached"
      const seconds = (performance.now() - started) / 1000
      const notFetched = reports.reduce((sum, report) => sum + report.not_fetched, 0)
      const summary = {
        base_url: baseUrl,
        user_agent: userAgent,
        requests_per_s: config.requests_per_s,
        // The fetcher's per-host spacing applies too: the slower of the two sets the pace.
        effective_requests_per_s: Math.min(config.requests_per_s, fetcher.settings.perHostRps),
        filters: filter.description,
        queries: reports.length,
        queries_split: reports.filter((report) => report.outcome === "split").length,
        queries_capped: reports.filter((report) => report.outcome === "capped").length,
        pages: tally.pages,
        http_requests: fetcher.stats().requests - requestsBefore,
        cache_hits: tally.cache_hits,
        results: tally.results,
        establishments: tally.establishments,
        records: tally.records,
        filtered_out: tally.filtered_out,
        duplicates: tally.duplicates,
        head_offices_only: tally.from_head_office,
        units_at_matching_limit: tally.at_matching_limit,
        not_fetched: notFetched,
        not_fetched_at_least: reports.some((report) => report.not_fetched_at_least === true),
        sample: sample ?? null,
        seconds: Math.round(seconds * 1000) / 1000,
        by_query: reports
      }
      yield* context.writeOutput(SUMMARY, [`${JSON.stringify(summary, null, 2)}\n`])
      yield* context.measure("api_pages", tally.pages)
      yield* context.measure("api_results_not_fetched", notFetched)
      yield* context.measure("lines_per_s", Math.round(tally.records / Math.max(seconds, 1e-6)))
      if (tally.at_matching_limit > 0) {
        yield* context.log(
          `warning: ${tally.at_matching_limit} legal units listed ${API_MATCHING_LIMIT} matching establishments, the most the API lists: some of their establishments may be missing`
        )
      }
      yield* context.log(
        `${tally.records} records from ${tally.results} legal units in ${tally.pages} pages of ${reports.length} queries${
          notFetched > 0 ? `; ${notFetched} results not fetched (beyond the ceiling, see ${SUMMARY})` : ""
        }`,
        { requests: summary.http_requests, filtered_out: tally.filtered_out }
      )
    })

    const pull = Effect.gen(function* () {
      const records =
        current !== undefined && current.nextPage <= current.lastPage
          ? yield* continueQuery(current)
          : yield* startQuery(queue.shift()!)
      const pagingLeft = current !== undefined && current.nextPage <= current.lastPage
      const done = sampleReached() || (!pagingLeft && queue.length === 0)
      if (done) yield* finish
      return [Chunk.unsafeFromArray(records), done ? Option.none<void>() : Option.some<void>(undefined)] as const
    })

    return Stream.paginateChunkEffect<void, Rec, unknown, never>(undefined, () => pull)
  }

  return { run } satisfies StepService<ApiCollectConfig>
})

export const ApiCollectLive = Layer.effect(ApiCollect, make)

export const apiCollect = defineStep({
  id: "api.collect",
  description:
    "The dumps.collect records from the recherche-entreprises API: the job's filters as queries, 25 results a page, at most 7 requests/s, queries over the 10,000-result ceiling split",
  kind: "source",
  writes,
  outputs: [
    {
      path: SUMMARY,
      description: "Queries (split, capped), pages, results, records, requests and results not fetched",
      // `--sample 0` never pulls the source, so nothing is fetched and there is nothing to report.
      optional: true
    }
  ],
  config: ApiCollectConfig,
  fromJob: { filters: "filters" },
  version: "1",
  tag: ApiCollect
})
