/**
 * `finalize.premium_dataset`: the rows a team can use straight away: active, scoring at least the
 * job's `premium.min_quality_score` (default 80), and with at least one checked contact channel.
 * A registry address of a diffusible establishment is a checked postal channel; the enrichment
 * steps add checked emails and phones.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { Rec } from "../../core/Record.ts"
import { defineStep } from "../../core/Step.ts"
import { datasetColumns, writeDatasetPair } from "./columns.ts"

const CSV = "dataset_premium.csv"
const PARQUET = "dataset_premium.parquet"

const Config = Schema.Struct({
  /** Lowest quality_score kept (bound from the job's premium.min_quality_score). @default 80 */
  min_quality_score: Schema.optionalWith(Schema.Number.pipe(Schema.between(0, 100)), { default: () => 80 })
})

const hasList = (value: unknown) => Array.isArray(value) && value.length > 0

/** Whether a record has a contact channel someone checked: registry address, or verified email/phone. */
export const hasCheckedChannel = (record: Rec) =>
  (typeof record.address_line === "string" && record.address_line !== "" && record.diffusion === "O") ||
  hasList(record.emails) ||
  hasList(record.phones)

export const isPremium = (record: Rec, minScore: number) =>
  record.is_active === true &&
  typeof record.quality_score === "number" &&
  record.quality_score >= minScore &&
  hasCheckedChannel(record)

export const premiumDataset = defineStep({
  id: "finalize.premium_dataset",
  description: "Keeps active rows with a checked contact channel and quality_score >= premium.min_quality_score.",
  kind: "sink",
  needs: ["quality.score"],
  // The job's suppression list shapes the file (GDPR): a changed job writes it again on resume.
  readsJob: true,
  version: "2",
  reads: {
    quality_score: { type: "integer", description: "0-100 completeness score" },
    is_active: { type: "boolean", description: "Establishment and legal unit active" }
  },
  outputs: [
    { path: CSV, description: "Premium rows (CSV)" },
    { path: PARQUET, description: "Premium rows (Parquet)" }
  ],
  config: Config,
  fromJob: { min_quality_score: "premium.min_quality_score" },
  run: (input, context) =>
    Effect.gen(function* () {
      const columns = datasetColumns(context.upstreamFields)
      const keep = (record: Rec) => isPremium(record, context.config.min_quality_score)
      const parquet = yield* writeDatasetPair(context, input, columns, { csv: CSV, parquet: PARQUET }, keep)
      yield* context.measure("premium_rows", parquet.rows)
      yield* context.log(`premium: ${parquet.rows} rows with quality_score >= ${context.config.min_quality_score}`)
    })
})
