/**
 * `correlation.checks`: does each record's website belong to the company? A 0-1 match score from
 * the site's own statements (SIREN/SIRET on the legal notice first, then name, postcode, city,
 * phone), with its evidence. Below `min_match_score` the site is rejected: the enrich steps then
 * take no contacts from it, since they would be someone else's.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { Rec } from "../../core/Record.ts"
import { defineStep } from "../../core/Step.ts"
import { openFactsSource } from "../contacts/siteFacts.ts"
import type { CompanyFacts } from "./matchScore.ts"

const Config = Schema.Struct({
  /** Sites scoring below this are rejected (docs/correlation.md). */
  min_match_score: Schema.optionalWith(Schema.Number.pipe(Schema.between(0, 1)), { default: () => 0.5 })
})
type CorrelationConfig = typeof Config.Type

const text = (value: unknown): string | null => (typeof value === "string" && value.trim() !== "" ? value.trim() : null)

export const companyFacts = (record: Rec): CompanyFacts => ({
  siren: text(record.siren) ?? text(record.siret)?.slice(0, 9) ?? null,
  siret: text(record.siret),
  names: [record.name, record.legal_name, record.input_name].map(text).filter((name): name is string => name !== null),
  postcode: text(record.postcode),
  city: text(record.city),
  phone: text(record.maps_phone)
})

export const correlationChecks = defineStep<CorrelationConfig>({
  id: "correlation.checks",
  description:
    "Scores whether each website belongs to the company (SIREN/SIRET on the legal notice, name, postcode, city, phone) and rejects sites below min_match_score",
  kind: "transform",
  needs: ["crawl.site"],
  after: [
    "crawl.site",
    "headless.collect",
    "feeds.collect",
    "parse.pdf",
    "parse.html",
    "parse.jsonld",
    "enrich.domain",
    "enrich.address",
    "scraper.maps"
  ],
  reads: {
    siret: { type: "string", description: "Establishment identifier" },
    siren: { type: "string", description: "Legal unit identifier", optional: true },
    name: { type: "string", description: "Display name", optional: true },
    legal_name: { type: "string", description: "Legal name", optional: true },
    postcode: { type: "string", description: "Postcode", optional: true },
    city: { type: "string", description: "City", optional: true },
    website: { type: "string", description: "Website crawled", optional: true },
    maps_phone: { type: "string", description: "Phone from a Places provider", optional: true }
  },
  writes: {
    match_score: {
      type: "number",
      description:
        "0-1: how surely the website belongs to the company (docs/correlation.md); empty without a crawled site"
    },
    match_evidence: {
      type: "string[]",
      description:
        "What the score rests on, with the weight of each signal (e.g. 'siren +0.7: the site states SIREN …')"
    },
    match_status: {
      type: "string",
      description: "accepted, rejected (below min_match_score: its contacts are not taken), or no_site"
    },
    website: { type: "string", description: "The company's website; emptied when correlation.checks rejects it" },
    rejected_website: {
      type: "string",
      description: "The website correlation.checks found is not the company's (score below min_match_score)"
    }
  },
  config: Config,
  version: "1",
  run: (input, context) =>
    Stream.unwrapScoped(
      Effect.gen(function* () {
        const source = yield* openFactsSource(context)
        const { siteEvidence } = yield* Effect.promise(() => import("./evidence.ts"))
        const { matchScore } = yield* Effect.promise(() => import("./matchScore.ts"))
        const tally = { accepted: 0, rejected: 0, no_site: 0 }
        const check = (record: Rec): Rec => {
          const evidence = source.factsOf(record, siteEvidence)
          if (evidence === undefined || evidence.pages === 0) {
            tally.no_site++
            return { ...record, match_score: null, match_evidence: null, match_status: "no_site" }
          }
          const match = matchScore(companyFacts(record), evidence)
          const status = match.score >= context.config.min_match_score ? "accepted" : "rejected"
          tally[status]++
          return {
            ...record,
            // A rejected site is not the company's: it leaves `website` for `rejected_website`.
            ...(status === "rejected" ? { website: null, rejected_website: record.website ?? null } : {}),
            match_score: match.score,
            match_evidence: match.evidence.map(
              (item) => `${item.signal} ${item.weight >= 0 ? "+" : ""}${item.weight}: ${item.detail}`
            ),
            match_status: status
          }
        }
        const finish = Effect.suspend(() =>
          Effect.all([
            context.measure("sites_accepted", tally.accepted),
            context.measure("sites_rejected", tally.rejected),
            context.log(
              `websites: ${tally.accepted} accepted, ${tally.rejected} rejected (score below ${context.config.min_match_score}), ${tally.no_site} without a crawled site`
            )
          ])
        )
        return Stream.map(input, check).pipe(Stream.concat(Stream.fromEffect(finish).pipe(Stream.drain)))
      })
    )
})
