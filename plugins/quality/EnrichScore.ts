/**
 * `quality.enrich_score`: a 0-100 marketing score per row: how reachable and how attractive a prospect
 * the company is (docs/quality-score.md, "enrich_score").
 *
 *   enrich_score = reach (≤ 50) + maps (≤ 25) + size (≤ 15) + recency (≤ 10)
 *
 * and 0 when the establishment is not active (`is_active` false) or its place is closed for good.
 * Record-level and stateless; the recency reference is the job's `reference_date` setting, else the
 * latest `fetched_at` of the record's contacts (no clock time: reruns give the same dataset).
 */
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { Rec } from "../../core/Record.ts"
import { defineStep } from "../../core/Step.ts"
import type { Contact } from "../contacts/EnrichContacts.ts"
import { isoDate } from "../normalize/rules/dates.ts"
import { type Channels, CONTACT_READS, channelsOf } from "./QualityScore.ts"

/** Reach, ≤ 50: generic email 15 (nominative only 8), phone 15, website accepted 10 (unverified 5), LinkedIn 10. */
export const reachPoints = (channels: Channels): number =>
  (channels.genericEmail ? 15 : channels.nominativeEmail ? 8 : 0) +
  (channels.phone ? 15 : 0) +
  (channels.website === "accepted" ? 10 : channels.website === "unverified" ? 5 : 0) +
  (channels.linkedin ? 10 : 0)

const num = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null)

/**
 * Maps signals, ≤ 25: status open 5; rating ≥ 4.5 → 10, ≥ 4 → 8, ≥ 3 → 5, lower → 2;
 * reviews ≥ 100 → 10, ≥ 20 → 7, ≥ 5 → 4, ≥ 1 → 2. Nothing without a matched place.
 */
export const mapsPoints = (record: Rec): number => {
  const status = record.maps_status === "open" ? 5 : 0
  const rating = num(record.maps_rating)
  const ratingPoints = rating === null ? 0 : rating >= 4.5 ? 10 : rating >= 4 ? 8 : rating >= 3 ? 5 : 2
  const reviews = num(record.maps_reviews) ?? 0
  const reviewPoints = reviews >= 100 ? 10 : reviews >= 20 ? 7 : reviews >= 5 ? 4 : reviews >= 1 ? 2 : 0
  return status + ratingPoints + reviewPoints
}

/**
 * Size band, ≤ 15, from the INSEE headcount band: 01-03 (1-9 employees) → 5, 11-12 (10-49) → 10,
 * 21 and above (50+) → 15; 00 (no employee), NN (unknown) or missing → 0.
 */
export const sizePoints = (band: unknown): number => {
  if (typeof band !== "string" || !/^\d{2}$/.test(band)) return 0
  const code = Number(band)
  return code === 0 ? 0 : code <= 3 ? 5 : code <= 12 ? 10 : 15
}

/** Age in whole years between two ISO dates; null when either is missing or invalid. */
const yearsBetween = (from: string, to: string): number | null => {
  if (isoDate(from) === null || isoDate(to) === null) return null
  const [fy, fm, fd] = from.split("-").map(Number) as [number, number, number]
  const [ty, tm, td] = to.split("-").map(Number) as [number, number, number]
  return ty - fy - (tm < fm || (tm === fm && td < fd) ? 1 : 0)
}

/** Recency, ≤ 10: created less than 3 years before the reference date → 10, less than 10 years → 5. */
export const recencyPoints = (createdOn: unknown, reference: string | null): number => {
  if (typeof createdOn !== "string" || reference === null) return 0
  const age = yearsBetween(createdOn, reference)
  if (age === null || age < 0) return 0
  return age < 3 ? 10 : age < 10 ? 5 : 0
}

/** The latest `fetched_at` date (YYYY-MM-DD) among the record's contacts, or null. */
export const latestFetch = (record: Rec): string | null => {
  let latest: string | null = null
  for (const list of [record.contacts_clean, record.contacts]) {
    if (!Array.isArray(list)) continue
    for (const contact of list as ReadonlyArray<Partial<Contact>>) {
      const day = typeof contact?.fetched_at === "string" ? contact.fetched_at.slice(0, 10) : null
      if (day !== null && isoDate(day) !== null && (latest === null || day > latest)) latest = day
    }
  }
  return latest
}

/** The marketing score of one record (pure). */
export const enrichScoreOf = (record: Rec, referenceDate: string | null = null): number => {
  if (record.is_active === false || record.maps_status === "closed_permanently") return 0
  const reference = referenceDate ?? latestFetch(record)
  return Math.min(
    100,
    reachPoints(channelsOf(record)) +
      mapsPoints(record) +
      sizePoints(record.headcount_band) +
      recencyPoints(record.created_on, reference)
  )
}

const Config = Schema.Struct({
  /** Date (YYYY-MM-DD) the company's age is measured at; default: the latest fetch of its contacts. */
  reference_date: Schema.optional(
    Schema.String.pipe(Schema.filter((s) => isoDate(s) !== null || "must be a date written YYYY-MM-DD"))
  )
})

export const enrichScore = defineStep({
  id: "quality.enrich_score",
  description: "Scores each row 0-100 as a prospect: reachable channels, Maps signals, size band, recency.",
  kind: "transform",
  needs: ["normalize.standardize"],
  after: ["quality.validation", "quality.score", "quality.clean_contacts", "enrich.*", "scraper.maps", "correlation.*"],
  reads: {
    siret: { type: "string", description: "Establishment identifier" },
    ...CONTACT_READS,
    maps_rating: { type: "number", description: "Places rating", optional: true },
    maps_reviews: { type: "integer", description: "Places rating count", optional: true },
    maps_status: { type: "string", description: "Places opening status", optional: true },
    headcount_band: { type: "string", description: "INSEE headcount band", optional: true },
    created_on: { type: "date", description: "Creation date", optional: true },
    is_active: { type: "boolean", description: "Establishment active", optional: true }
  },
  writes: {
    enrich_score: {
      type: "integer",
      description:
        "0-100 marketing score: reachable channels (≤50), Maps rating, reviews and status (≤25), size band (≤15), recency (≤10); 0 when closed (docs/quality-score.md)"
    }
  },
  config: Config,
  run: (input, context) =>
    Stream.map(input, (record) => ({
      ...record,
      enrich_score: enrichScoreOf(record, context.config.reference_date ?? null)
    }))
})
