/**
 * KPIs: the job's `kpi_targets` checked at the end of a run against figures measured on the
 * run's final records (fill rates, duplicates, mean quality score) and reported by steps.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { Job } from "./Job.ts"
import type { Rec } from "./Record.ts"

export const KpiResult = Schema.Struct({
  name: Schema.String,
  target: Schema.Number,
  /** Null when the run produced nothing to measure it on. */
  value: Schema.NullOr(Schema.Number),
  met: Schema.Boolean,
  detail: Schema.optional(Schema.String)
})
export type KpiResult = typeof KpiResult.Type

export interface DatasetFigures {
  readonly rows: number
  readonly fill_rates: Readonly<Record<string, number>>
  readonly duplicate_rate: number
  readonly mean_quality_score: number | null
}

/** A value counts as filled when it is not null, not empty and not an empty list (fill rates, scores). */
export const isFilled = (value: unknown) =>
  value !== null && value !== undefined && value !== "" && !(Array.isArray(value) && value.length === 0)

/** One pass over key-sorted records: row count, fill rate per field, duplicate key rate, mean quality_score. */
export const measureRecords = <E>(records: Stream.Stream<Rec, E>, key: string): Effect.Effect<DatasetFigures, E> =>
  Effect.gen(function* () {
    let rows = 0
    let duplicates = 0
    let previousKey: unknown
    let scoreSum = 0
    let scored = 0
    const filled = new Map<string, number>()
    yield* Stream.runForEachChunk(records, (chunk) =>
      Effect.sync(() => {
        for (const record of chunk) {
          rows++
          // Records arrive sorted by key, so a duplicate is always next to its twin.
          if (rows > 1 && record[key] === previousKey) duplicates++
          previousKey = record[key]
          // for-in, not Object.entries: no [key, value] pair per field.
          for (const field in record) {
            if (!filled.has(field)) filled.set(field, 0)
            if (isFilled(record[field])) filled.set(field, filled.get(field)! + 1)
          }
          const score = record.quality_score
          if (typeof score === "number" && Number.isFinite(score)) {
            scoreSum += score
            scored++
          }
        }
      })
    )
    return {
      rows,
      fill_rates: Object.fromEntries([...filled].map(([field, count]) => [field, rows === 0 ? 0 : count / rows])),
      duplicate_rate: rows === 0 ? 0 : duplicates / rows,
      mean_quality_score: scored === 0 ? null : scoreSum / scored
    }
  })

const round = (value: number) => Math.round(value * 10_000) / 10_000

/** Which way a target bounds its figure: a `min_*` target is a floor, a `max_*` target a ceiling. */
export type KpiBound = "at_least" | "at_most"

export interface KpiThreshold {
  /** As reported: `min_quality_score`, `max_duplicate_rate`, `min_fill_rates.<field>`, … */
  readonly name: string
  readonly target: number
  readonly bound: KpiBound
}

/**
 * The job's targets as named thresholds, in the order they are reported. The runner checks these and
 * `filon monitoring` turns the same list into alert rules, so a threshold is written in one place.
 */
export const kpiThresholds = (targets: NonNullable<Job["kpi_targets"]>): ReadonlyArray<KpiThreshold> => [
  ...(targets.min_quality_score !== undefined
    ? [{ name: "min_quality_score", target: targets.min_quality_score, bound: "at_least" as const }]
    : []),
  ...(targets.min_lines_per_s !== undefined
    ? [{ name: "min_lines_per_s", target: targets.min_lines_per_s, bound: "at_least" as const }]
    : []),
  ...(targets.max_duplicate_rate !== undefined
    ? [{ name: "max_duplicate_rate", target: targets.max_duplicate_rate, bound: "at_most" as const }]
    : []),
  ...Object.entries(targets.min_fill_rates ?? {}).map(([field, target]) => ({
    name: `min_fill_rates.${field}`,
    target,
    bound: "at_least" as const
  }))
]

/** The figure a threshold is checked against, or why there is none. */
const figureOf = (
  name: string,
  measured: DatasetFigures | undefined,
  measures: Readonly<Record<string, number>>
): { readonly value: number | null | undefined; readonly missing: string } => {
  // No rows: nothing to measure, which is not the same as a target met (or a field never written).
  const figures = measured !== undefined && measured.rows === 0 ? undefined : measured
  if (name === "min_quality_score")
    return {
      value: figures?.mean_quality_score,
      missing:
        measured?.rows === 0 ? "not measured: no rows" : "not measured: no step of this profile writes quality_score"
    }
  if (name === "min_lines_per_s")
    return { value: measures.lines_per_s, missing: "not measured: no step reported lines_per_s" }
  if (name === "max_duplicate_rate") return { value: figures?.duplicate_rate, missing: "not measured: no rows" }
  const field = name.slice("min_fill_rates.".length)
  return { value: figures ? (figures.fill_rates[field] ?? 0) : undefined, missing: "not measured: no rows" }
}

/** Compares each target with its figure. A target with nothing to measure is not met, and says why. */
export const evaluateKpis = (
  targets: NonNullable<Job["kpi_targets"]>,
  measured: DatasetFigures | undefined,
  measures: Readonly<Record<string, number>>
): ReadonlyArray<KpiResult> =>
  kpiThresholds(targets).map(({ name, target, bound }) => {
    const { value, missing } = figureOf(name, measured, measures)
    if (value === null || value === undefined) return { name, target, value: null, met: false, detail: missing }
    return { name, target, value: round(value), met: bound === "at_least" ? value >= target : value <= target }
  })

/** The last line of a run: `KPIs MET` or `KPIs NOT MET: <which>`. */
export const kpiVerdict = (results: ReadonlyArray<KpiResult>): string => {
  const failed = results.filter((result) => !result.met)
  if (failed.length === 0) return results.length === 0 ? "KPIs MET (no targets set)" : "KPIs MET"
  const describe = (result: KpiResult) =>
    `${result.name} ${result.value === null ? `(${result.detail ?? "not measured"})` : `${result.value} vs ${result.target}`}`
  return `KPIs NOT MET: ${failed.map(describe).join("; ")}`
}
