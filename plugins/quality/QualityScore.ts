/**
 * `quality.score`: a 0-100 completeness score per row (docs/quality-score.md).
 *
 * score = round(100 × Σ weight(field) for filled fields / Σ weight(field) for all weighted fields),
 * minus `duplicate_penalty` when the row is a duplicate SIRET, floored at 0. A field counts as filled
 * when it is not null, not empty and not an empty list; `is_active` counts only when true, and
 * `headcount_band` only when known (not "NN" nor empty). Enrichment steps add their fields to the
 * weights through this step's settings (`weights`), so the formula stays one documented sum.
 */
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { Rec } from "../../core/Record.ts"
import { defineStep } from "../../core/Step.ts"

/** Registry-only weights: identity and how to reach the place by post weigh most. */
export const DEFAULT_WEIGHTS: Readonly<Record<string, number>> = {
  name: 15,
  address_line: 15,
  postcode: 5,
  city: 5,
  naf: 10,
  naf_label: 5,
  is_active: 15,
  headcount_band: 5,
  created_on: 5,
  legal_category: 5,
  department: 5,
  company_category: 5,
  website: 0,
  emails: 0,
  phones: 0
}

const Config = Schema.Struct({
  /** Points per field (merged over the defaults; 0 removes a field). */
  weights: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.Number.pipe(Schema.nonNegative()) }), {
    default: () => ({})
  }),
  /** Points taken from a duplicate SIRET row. @default 20 */
  duplicate_penalty: Schema.optionalWith(Schema.Number.pipe(Schema.nonNegative()), { default: () => 20 })
})

const counts = (field: string, value: unknown) => {
  if (field === "is_active") return value === true
  if (field === "headcount_band") return typeof value === "string" && value !== "" && value !== "NN"
  return value !== null && value !== undefined && value !== "" && !(Array.isArray(value) && value.length === 0)
}

/** The score of one record under `weights` (exported for tests and the documentation). */
export const scoreOf = (record: Rec, weights: Readonly<Record<string, number>>, duplicatePenalty: number): number => {
  let total = 0
  let earned = 0
  for (const [field, weight] of Object.entries(weights)) {
    if (weight <= 0) continue
    total += weight
    if (counts(field, record[field])) earned += weight
  }
  const flags = record.quality_flags
  const penalty = Array.isArray(flags) && flags.includes("duplicate_siret") ? duplicatePenalty : 0
  return total === 0 ? 0 : Math.max(0, Math.round((100 * earned) / total) - penalty)
}

export const qualityScore = defineStep({
  id: "quality.score",
  description: "Scores each row 0-100 from the completeness of its fields (documented formula).",
  kind: "transform",
  needs: ["normalize.standardize"],
  after: ["quality.checks", "quality.validation", "quality.clean_contacts", "enrich.*", "correlation.*"],
  reads: { siret: { type: "string", description: "Establishment identifier" } },
  writes: {
    quality_score: {
      type: "integer",
      description: "0-100: weighted share of filled key fields (docs/quality-score.md), minus a duplicate penalty"
    }
  },
  config: Config,
  run: (input, context) => {
    const weights = { ...DEFAULT_WEIGHTS, ...context.config.weights }
    return Stream.map(input, (record) => ({
      ...record,
      quality_score: scoreOf(record, weights, context.config.duplicate_penalty)
    }))
  }
})
