/**
 * The run summary: what `--json` prints and `GET /runs/:id` answers, one schema for both.
 */
import * as Schema from "effect/Schema"
import { BudgetName, BudgetUsage } from "./Budget.ts"
import { KpiResult } from "./Kpi.ts"

export const OutputSummary = Schema.Struct({
  path: Schema.String,
  step: Schema.String,
  bytes: Schema.Number,
  sha256: Schema.String,
  rows: Schema.NullOr(Schema.Number)
})

export const StepStatus = Schema.Literal("done", "skipped", "failed", "stopped", "not_run")

export const StepSummary = Schema.Struct({
  /** The id as the profile names it. */
  name: Schema.String,
  /** The canonical step id. */
  id: Schema.String,
  status: StepStatus,
  batch: Schema.Number,
  rows_in: Schema.NullOr(Schema.Number),
  rows_out: Schema.NullOr(Schema.Number),
  duration_s: Schema.NullOr(Schema.Number),
  /** Why it was skipped, stopped or not run, or how it failed. */
  detail: Schema.NullOr(Schema.String)
})
export type StepSummary = typeof StepSummary.Type

export const RunStatus = Schema.Literal("succeeded", "failed", "cancelled")

export const RunSummary = Schema.Struct({
  run_id: Schema.String,
  status: RunStatus,
  exit_code: Schema.Number,
  niche: Schema.String,
  profile: Schema.String,
  out_dir: Schema.String,
  started_at: Schema.String,
  ended_at: Schema.String,
  duration_s: Schema.Number,
  resumed: Schema.Boolean,
  steps: Schema.Array(StepSummary),
  kpis: Schema.Struct({ met: Schema.Boolean, verdict: Schema.String, results: Schema.Array(KpiResult) }),
  budgets: BudgetUsage,
  /** Set when a budget stopped the run: which one, and the steps it cut short. */
  stopped_by: Schema.NullOr(
    Schema.Struct({ budget: BudgetName, message: Schema.String, steps: Schema.Array(Schema.String) })
  ),
  measures: Schema.Record({ key: Schema.String, value: Schema.Number }),
  outputs: Schema.Array(OutputSummary),
  error: Schema.NullOr(
    Schema.Struct({ tag: Schema.String, message: Schema.String, step: Schema.NullOr(Schema.String) })
  )
})
export type RunSummary = typeof RunSummary.Type

/** Exit codes of CONTRACTS.md. */
export const ExitCode = {
  ok: 0,
  stepFailed: 1,
  usage: 2,
  budget: 3,
  kpisNotMet: 4,
  interrupted: 130
} as const
