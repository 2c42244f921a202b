/**
 * The thresholds monitoring watches, read from a job exactly as the runner reads them: budgets through
 * `budgetLimitsOf` (the runner's merge), KPI targets through `kpiThresholds` (the runner's checks).
 * Alert rules and dashboards are generated from this, so a threshold lives in the job and nowhere else.
 */
import { BUDGET_SETTINGS, type BudgetName, BudgetName as BudgetNames } from "../Budget.ts"
import { budgetInBaseUnits } from "../BudgetMetrics.ts"
import type { Job } from "../Job.ts"
import { type KpiThreshold, kpiThresholds } from "../Kpi.ts"
import { budgetLimitsOf } from "../Runner.ts"

/** Share of a budget after which an alert warns; the runner itself stops at the whole of it. */
export const BUDGET_WARNING_SHARE = 0.9

export interface BudgetThreshold {
  readonly budget: BudgetName
  /** The job key that sets it, e.g. `max_wall_time_min`. */
  readonly setting: string
  /** As written in the job (requests, bytes, minutes, MiB). */
  readonly value: number
  /** In the base unit of `pipeline_budget_used` (requests, bytes, seconds, bytes). */
  readonly limit: number
}

export interface JobThresholds {
  readonly niche: string
  readonly kpis: ReadonlyArray<KpiThreshold>
  readonly budgets: ReadonlyArray<BudgetThreshold>
}

export const thresholdsOf = (job: Job): JobThresholds => {
  const limits = budgetLimitsOf(job)
  return {
    niche: job.niche,
    kpis: kpiThresholds(job.kpi_targets ?? {}),
    budgets: BudgetNames.literals.flatMap((budget) => {
      const setting = BUDGET_SETTINGS[budget]
      const value = limits[setting]
      return value === undefined ? [] : [{ budget, setting, value, limit: budgetInBaseUnits(budget, value) }]
    })
  }
}

/** A PromQL string literal (niche names come from job files). */
export const promString = (value: string) => JSON.stringify(value)

/** What a KPI threshold means in words, for alert summaries and panel titles. */
export const describeKpi = (kpi: KpiThreshold) =>
  kpi.name.startsWith("min_fill_rates.")
    ? `fill rate of ${kpi.name.slice("min_fill_rates.".length)}`
    : ({
        min_quality_score: "mean quality score",
        min_lines_per_s: "rows per second",
        max_duplicate_rate: "duplicate rate"
      }[kpi.name] ?? kpi.name)

/** The PromQL comparison that is true when a KPI misses its target. */
export const kpiMissOperator = (kpi: KpiThreshold) => (kpi.bound === "at_least" ? "<" : ">")
