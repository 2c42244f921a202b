/**
 * `quality.checks`: duplicate SIRETs, required fields, fill rates, and the row count against the
 * previous run of the same job (a warning below 98%, the gate Annuaire des entreprises uses).
 */
import { readFile } from "node:fs/promises"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { isFilled } from "../../core/Kpi.ts"
import type { Rec } from "../../core/Record.ts"
import { defineStep } from "../../core/Step.ts"

export const SUMMARY = "reports/quality_summary.json"

const Config = Schema.Struct({
  /** Fields every row should have; a row missing one is flagged `missing_<field>`. @default siret, siren, name, naf, address_line */
  required: Schema.optionalWith(Schema.Array(Schema.String), {
    default: () => ["siret", "siren", "name", "naf", "address_line"]
  }),
  /** Below this share of the previous run's rows, the summary warns. @default 0.98 */
  min_row_ratio: Schema.optionalWith(Schema.Number.pipe(Schema.between(0, 1)), { default: () => 0.98 })
})

/** The row count of the previous run's summary; one this same run wrote (before a kill) does not count. */
const previousRows = (path: string, runId: string) =>
  Effect.promise(() =>
    readFile(path, "utf8")
      .then((text) => JSON.parse(text) as { rows?: unknown; run_id?: unknown; previous_rows?: unknown })
      .then((summary) => {
        const value = summary.run_id === runId ? summary.previous_rows : summary.rows
        return typeof value === "number" ? value : undefined
      })
      .catch(() => undefined)
  )

export const qualityChecks = defineStep({
  id: "quality.checks",
  description: "Flags duplicate SIRETs and missing required fields; reports fill rates and the row count trend.",
  kind: "transform",
  needs: ["normalize.standardize"],
  reads: { siret: { type: "string", description: "Establishment identifier" } },
  writes: {
    quality_flags: {
      type: "string[]",
      description: "Problems found on the row: duplicate_siret, missing_<field> (empty when none)"
    }
  },
  outputs: [{ path: SUMMARY, description: "Row count, duplicates, missing required fields, fill rates, warnings" }],
  config: Config,
  run: (input, context) =>
    Stream.unwrapScoped(
      Effect.gen(function* () {
        // Read before this run overwrites it: the previous run of this job left it in the same folder.
        const before = yield* previousRows(context.path(SUMMARY), context.runId)
        const counts = { rows: 0, duplicates: 0 }
        const missing: Record<string, number> = Object.fromEntries(context.config.required.map((field) => [field, 0]))
        // Every dataset column is reported, even one no row fills (0); internal fields are not columns.
        const internal = new Set(
          context.upstreamFields.filter((field) => field.spec.internal).map((field) => field.name)
        )
        const filled = new Map<string, number>(
          context.upstreamFields.filter((field) => !field.spec.internal).map((field) => [field.name, 0])
        )
        let previousSiret: unknown
        const flagged = Stream.map(input, (record): Rec => {
          counts.rows++
          const flags: string[] = []
          // Records arrive sorted by SIRET: a duplicate sits right after its twin.
          if (counts.rows > 1 && record.siret === previousSiret) {
            flags.push("duplicate_siret")
            counts.duplicates++
          }
          previousSiret = record.siret
          for (const field of context.config.required) {
            if (!isFilled(record[field])) {
              flags.push(`missing_${field}`)
              missing[field] = (missing[field] ?? 0) + 1
            }
          }
          // for-in, not Object.entries: no [key, value] pair per field (measured: a third of the time).
          for (const field in record) {
            if (internal.has(field)) continue
            if (isFilled(record[field])) filled.set(field, (filled.get(field) ?? 0) + 1)
            else if (!filled.has(field)) filled.set(field, 0)
          }
          return { ...record, quality_flags: flags }
        })
        const writeSummary = Effect.suspend(() => {
          const ratio = before ? counts.rows / before : null
          const warnings: string[] = []
          if (ratio !== null && ratio < context.config.min_row_ratio) {
            warnings.push(
              `row count ${counts.rows} is ${(ratio * 100).toFixed(1)}% of the previous run's ${before} (below ${context.config.min_row_ratio * 100}%)`
            )
          }
          if (counts.duplicates > 0) warnings.push(`${counts.duplicates} duplicate SIRET rows`)
          const summary = {
            run_id: context.runId,
            rows: counts.rows,
            previous_rows: before ?? null,
            row_ratio: ratio === null ? null : Math.round(ratio * 10_000) / 10_000,
            duplicate_sirets: counts.duplicates,
            missing_required: missing,
            fill_rates: Object.fromEntries(
              [...filled]
                .sort(([a], [b]) => (a < b ? -1 : 1))
                .map(([field, n]) => [field, counts.rows ? Math.round((n / counts.rows) * 10_000) / 10_000 : 0])
            ),
            warnings
          }
          return context
            .writeOutput(SUMMARY, `${JSON.stringify(summary, null, 2)}\n`)
            .pipe(
              Effect.zipRight(
                Effect.forEach(warnings, (warning) => context.log(`warning: ${warning}`), { discard: true })
              )
            )
        })
        return flagged.pipe(Stream.concat(Stream.fromEffect(writeSummary).pipe(Stream.drain)))
      })
    )
})
