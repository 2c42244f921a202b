/**
 * `enrich.address`: the place at a Places provider that is the company, found by name and address
 * (Text Search), kept only when its name is close and it lies at the company's postcode or city
 * (matchPlace.ts); the match confidence is kept. Without a provider key the step is "not available":
 * records pass on without its fields, and the run goes on unless the job sets `required: true`.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { HttpFetcher } from "../../core/http/HttpFetcher.ts"
import type { Rec } from "../../core/Record.ts"
import { defineStep, type FieldMap, type StepService } from "../../core/Step.ts"
import { matchPlace } from "./matchPlace.ts"
import type { PlacesRequestFailed } from "./PlacesProvider.ts"
import {
  anyProviderAvailable,
  companyQueryOf,
  openProvider,
  PlacesConfig,
  reads,
  requestsPerSecond
} from "./PlacesSettings.ts"
import { makeTally, writeSummary } from "./summary.ts"

export const ADDRESS_SUMMARY = "reports/enrich_address_summary.json"

export const addressWrites: FieldMap = {
  maps_place_id: {
    type: "string",
    description: "The company's place at the Places provider (Google: place ID); empty when no place matched"
  },
  maps_address: { type: "string", description: "The matched place's address as the provider formats it" },
  maps_match: {
    type: "number",
    description: "0-1 confidence that the place is the company (name and postcode/city, docs/places.md)"
  }
}

const none = { maps_place_id: null, maps_address: null, maps_match: null }

export class EnrichAddress extends Context.Tag("plugin/places/EnrichAddress")<
  EnrichAddress,
  StepService<PlacesConfig>
>() {}

const make = Effect.gen(function* () {
  const fetcher = yield* HttpFetcher

  const run: StepService<PlacesConfig>["run"] = (input, context) =>
    Stream.unwrap(
      Effect.gen(function* () {
        const opened = yield* openProvider(context, fetcher)
        const tally = makeTally()
        const started = performance.now()
        const finish = writeSummary(context, ADDRESS_SUMMARY, opened, tally, started, "maps_places_matched")
        if (!opened.available) {
          yield* context.log(
            `${context.stepId} not available (${opened.reason}); records passed on without maps fields`
          )
          return input.pipe(
            Stream.map((record): Rec => ({ ...record, ...none })),
            Stream.ensuring(finish)
          )
        }
        const findOne = (record: Rec) =>
          Effect.gen(function* () {
            tally.records++
            const query = companyQueryOf(record)
            if (query.names.length === 0) {
              tally.no_name++
              return { ...record, ...none }
            }
            tally.searched++
            const candidates = yield* opened.client.find(query, { withDetails: false })
            const match = matchPlace(query, candidates, context.config.min_match)
            if (match === null) {
              tally.no_match++
              return { ...record, ...none }
            }
            tally.matched++
            return {
              ...record,
              maps_place_id: match.candidate.placeId,
              maps_address: match.candidate.address,
              maps_match: match.confidence
            }
          }).pipe(
            Effect.catchTag("PlacesRequestFailed", (error: PlacesRequestFailed) =>
              error.usage ? Effect.fail(error) : tally.failure(context, error).pipe(Effect.as({ ...record, ...none }))
            )
          )
        yield* context.log(
          `${opened.provider.label}: matching places at ${requestsPerSecond(context.config)} requests/s at most`
        )
        return input.pipe(
          Stream.mapEffect(findOne, { concurrency: context.config.concurrency }),
          Stream.ensuring(finish)
        )
      })
    )

  return { run } satisfies StepService<PlacesConfig>
})

export const EnrichAddressLive = Layer.effect(EnrichAddress, make)

export const enrichAddress = defineStep<PlacesConfig>({
  id: "enrich.address",
  description:
    "Finds each company's place at a Places provider (Google Places by default) by name and address; keeps it when the name and postcode/city match, with the match confidence",
  kind: "transform",
  after: ["normalize.standardize"],
  reads,
  writes: addressWrites,
  outputs: [
    { path: ADDRESS_SUMMARY, description: "Provider, pace, companies searched, matched, failed", optional: true }
  ],
  config: PlacesConfig,
  version: "1",
  availability: anyProviderAvailable,
  tag: EnrichAddress
})
