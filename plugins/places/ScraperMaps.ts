/**
 * `scraper.maps`: a place's details as cross-checks of what the registry and the site say: rating,
 * number of reviews, opening status, phone (E.164) and website. After `enrich.address` (when the
 * profile has it) it reads the details of the place matched there (Place Details, one request per
 * matched company, none for the others); alone, it finds and matches the place itself, asking the
 * search for the details at once (one request per company). Like enrich.address, it is "not
 * available" without a provider key and the run goes on, unless the job sets `required: true`.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { parsePhoneNumberFromString } from "libphonenumber-js/max"
import { HttpFetcher } from "../../core/http/HttpFetcher.ts"
import type { Rec } from "../../core/Record.ts"
import { defineStep, type FieldMap, type StepService } from "../../core/Step.ts"
import { matchPlace } from "./matchPlace.ts"
import type { BusinessStatus, PlaceDetails, PlacesClient, PlacesRequestFailed } from "./PlacesProvider.ts"
import {
  anyProviderAvailable,
  companyQueryOf,
  openProvider,
  PlacesConfig,
  reads,
  requestsPerSecond
} from "./PlacesSettings.ts"
import { makeTally, type Tally, writeSummary } from "./summary.ts"

export const MAPS_SUMMARY = "reports/scraper_maps_summary.json"

export const mapsWrites: FieldMap = {
  maps_rating: { type: "number", description: "Average user rating of the company's place, 1.0 to 5.0" },
  maps_reviews: { type: "integer", description: "Number of user ratings of the place" },
  maps_status: {
    type: "string",
    description: "Opening status of the place: open, closed_temporarily or closed_permanently"
  },
  maps_phone: { type: "string", description: "The place's phone, E.164 (a cross-check of the site's phones)" },
  maps_website: { type: "string", description: "The website the place links to (a cross-check of the found website)" }
}

const none = { maps_rating: null, maps_reviews: null, maps_status: null, maps_phone: null, maps_website: null }

const STATUS: Record<BusinessStatus, string> = {
  OPERATIONAL: "open",
  CLOSED_TEMPORARILY: "closed_temporarily",
  CLOSED_PERMANENTLY: "closed_permanently"
}

/** A phone as E.164, read in the search's region when it has no country code; null when not a valid number. */
export const e164 = (phone: string | null, region: string): string | null => {
  if (phone === null) return null
  const parsed = parsePhoneNumberFromString(phone, region as Parameters<typeof parsePhoneNumberFromString>[1])
  return parsed?.isValid() ? parsed.number : null
}

export const fieldsOf = (details: PlaceDetails, region: string) => ({
  maps_rating: details.rating,
  maps_reviews: details.userRatingsTotal,
  maps_status: details.businessStatus === null ? null : STATUS[details.businessStatus],
  maps_phone: e164(details.phone, region),
  maps_website: details.website
})

export class ScraperMaps extends Context.Tag("plugin/places/ScraperMaps")<ScraperMaps, StepService<PlacesConfig>>() {}

/** Details of the place enrich.address matched, if it matched one. */
const detailsOfMatched = (client: PlacesClient, record: Rec, tally: Tally, region: string) =>
  Effect.gen(function* () {
    const placeId =
      typeof record.maps_place_id === "string" && record.maps_place_id !== "" ? record.maps_place_id : null
    if (placeId === null) {
      tally.no_match++
      return { ...record, ...none }
    }
    tally.details++
    const details = yield* client.details(placeId)
    if (details === null) {
      tally.not_found++
      return { ...record, ...none }
    }
    tally.matched++
    return { ...record, ...fieldsOf(details, region) }
  })

/** Alone: search with details, match, and take the details of the place that is the company. */
const findAndMatch = (client: PlacesClient, record: Rec, tally: Tally, minMatch: number, region: string) =>
  Effect.gen(function* () {
    const query = companyQueryOf(record)
    if (query.names.length === 0) {
      tally.no_name++
      return { ...record, ...none }
    }
    tally.searched++
    const match = matchPlace(query, yield* client.find(query, { withDetails: true }), minMatch)
    if (match?.candidate.details === undefined) {
      tally.no_match++
      return { ...record, ...none }
    }
    tally.matched++
    return { ...record, ...fieldsOf(match.candidate.details, region) }
  })

const make = Effect.gen(function* () {
  const fetcher = yield* HttpFetcher

  const run: StepService<PlacesConfig>["run"] = (input, context) =>
    Stream.unwrap(
      Effect.gen(function* () {
        const config = context.config
        const opened = yield* openProvider(context, fetcher)
        const tally = makeTally()
        const finish = writeSummary(context, MAPS_SUMMARY, opened, tally, performance.now(), "maps_details")
        if (!opened.available) {
          yield* context.log(
            `${context.stepId} not available (${opened.reason}); records passed on without maps fields`
          )
          return input.pipe(
            Stream.map((record): Rec => ({ ...record, ...none })),
            Stream.ensuring(finish)
          )
        }
        const afterAddress = context.upstreamFields.some((field) => field.name === "maps_place_id")
        const one = (record: Rec) =>
          Effect.suspend(() => {
            tally.records++
            return afterAddress
              ? detailsOfMatched(opened.client, record, tally, config.region)
              : findAndMatch(opened.client, record, tally, config.min_match, config.region)
          }).pipe(
            Effect.catchTag("PlacesRequestFailed", (error: PlacesRequestFailed) =>
              error.usage ? Effect.fail(error) : tally.failure(context, error).pipe(Effect.as({ ...record, ...none }))
            )
          )
        yield* context.log(
          `${opened.provider.label}: ${afterAddress ? "details of the places enrich.address matched" : "places found and matched here (no enrich.address upstream)"}, ${requestsPerSecond(config)} requests/s at most`
        )
        return input.pipe(Stream.mapEffect(one, { concurrency: config.concurrency }), Stream.ensuring(finish))
      })
    )

  return { run } satisfies StepService<PlacesConfig>
})

export const ScraperMapsLive = Layer.effect(ScraperMaps, make)

export const scraperMaps = defineStep<PlacesConfig>({
  id: "scraper.maps",
  description:
    "Rating, reviews, opening status, phone (E.164) and website of each company's place at a Places provider, as cross-checks; reads enrich.address's match when the profile has it, else matches the place itself",
  kind: "transform",
  after: ["normalize.standardize", "enrich.address"],
  reads: {
    ...reads,
    maps_place_id: { type: "string", description: "The place enrich.address matched", optional: true }
  },
  writes: mapsWrites,
  outputs: [{ path: MAPS_SUMMARY, description: "Provider, pace, places read, matched, failed", optional: true }],
  config: PlacesConfig,
  version: "1",
  availability: anyProviderAvailable,
  tag: ScraperMaps
})
