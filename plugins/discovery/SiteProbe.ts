/**
 * `enrich.site_probe`: a given website (from a company list, or an earlier step) checked the way
 * enrich.domain checks its candidates: its home page fetched through the HttpFetcher and judged
 * (answers HTML, not a parked or registrar page, not a directory or platform; the company's name,
 * SIREN and city on it). Sites enrich.domain already probed pass through unchanged.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { HttpFetcher } from "../../core/http/HttpFetcher.ts"
import type { Rec } from "../../core/Record.ts"
import { defineStep, type StepService } from "../../core/Step.ts"
import { isSharedHost } from "../parse/sharedHosts.ts"
import { siteOf } from "../web/PageStore.ts"
import { companyOf } from "./companyOf.ts"
import { type ProbeVerdict, scoreResponse } from "./probe.ts"

const Config = Schema.Struct({
  /** Sites probed at once (requests in flight are bounded by the job's `http` settings). */
  concurrency: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 256)), { default: () => 16 })
})
type ProbeConfig = typeof Config.Type

export class SiteProbe extends Context.Tag("plugin/discovery/SiteProbe")<SiteProbe, StepService<ProbeConfig>>() {}

/** Websites enrich.domain found were probed there already. */
const alreadyProbed = (record: Rec) => record.website_source === "heuristic" || record.website_source === "search"

const make = Effect.gen(function* () {
  const fetcher = yield* HttpFetcher

  const probe = (record: Rec): Effect.Effect<Rec, unknown> => {
    const site = siteOf(record.website)
    if (site === undefined || alreadyProbed(record)) return Effect.succeed(record)
    if (isSharedHost(new URL(site.home).hostname)) {
      return Effect.succeed({ ...record, website_status: "directory", website_score: 0 })
    }
    const company = companyOf(record)
    return fetcher.fetch({ url: site.home, accept: ["text/html", "application/xhtml+xml"], hostClass: "site" }).pipe(
      Effect.map((response) => {
        const result = scoreResponse(response, {
          names: company.names,
          siren: company.siren,
          city: company.city ?? undefined
        })
        return { verdict: result.verdict, score: result.score }
      }),
      Effect.catchTag("FetchFailed", (failure) =>
        Effect.succeed({
          verdict: (failure.reason === "content_type" ? "not_html" : "unreachable") as ProbeVerdict,
          score: 0
        })
      ),
      Effect.map(({ verdict, score }) => ({
        ...record,
        website_source: record.website_source ?? "given",
        website_status: verdict,
        website_score: score
      }))
    )
  }

  const run: StepService<ProbeConfig>["run"] = (input, context) =>
    Stream.suspend(() => {
      const tally: Record<string, number> = {}
      return input.pipe(
        Stream.mapEffect(probe, { concurrency: context.config.concurrency }),
        Stream.tap((record) =>
          Effect.sync(() => {
            const status = typeof record.website_status === "string" ? record.website_status : "none"
            tally[status] = (tally[status] ?? 0) + 1
          })
        ),
        Stream.concat(
          Stream.fromEffect(
            Effect.suspend(() =>
              context.log(
                `websites probed: ${Object.entries(tally)
                  .sort(([a], [b]) => (a < b ? -1 : 1))
                  .map(([status, count]) => `${count} ${status}`)
                  .join(", ")}`
              )
            )
          ).pipe(Stream.drain)
        )
      )
    })

  return { run } satisfies StepService<ProbeConfig>
})

export const SiteProbeLive = Layer.effect(SiteProbe, make)

export const siteProbe = defineStep({
  id: "enrich.site_probe",
  description:
    "Checks each given website's home page: answers HTML, not parked, not a directory or platform; scores how surely it is the company's",
  kind: "transform",
  after: ["dumps.collect", "api.collect", "normalize.standardize", "enrich.domain"],
  reads: {
    website: { type: "string", description: "Website to probe", optional: true },
    website_source: { type: "string", description: "Where the website came from", optional: true }
  },
  writes: {
    website_status: {
      type: "string",
      description: "What the given website's home page is: ok, parked, directory, not_html, unreachable, http_error"
    },
    website_score: { type: "number", description: "0-1: how surely the website is the company's" },
    website_source: { type: "string", description: "given, search or heuristic" }
  },
  config: Config,
  version: "1",
  tag: SiteProbe
})
