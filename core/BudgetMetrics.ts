/**
 * Budget series: what each run has used of its budgets and their limits, read live from the run's
 * Budget at scrape time (a long crawl shows its budget filling up, not only at step ends) and kept
 * at their final values once the run is over. Values are in base units: requests, bytes, seconds.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { Gauge } from "prom-client"
import type { BudgetName, BudgetShape, BudgetUsage } from "./Budget.ts"
import { metricsRegistry } from "./Metrics.ts"

const BUDGETS: ReadonlyArray<BudgetName> = ["http_requests", "http_bytes", "wall_time", "ram"]

/** A budget figure (as jobs and summaries give it: minutes, MiB) in the base unit Prometheus expects. */
export const budgetInBaseUnits = (budget: BudgetName, value: number): number =>
  budget === "wall_time" ? value * 60 : budget === "ram" ? value * 1024 * 1024 : value

/** The runs in progress, each with its niche; a token per run, so two runs of one niche do not clash. */
const live = new Map<symbol, { readonly niche: string; readonly budget: BudgetShape }>()

const refresh = () => {
  for (const { niche, budget } of live.values()) recordUsage(niche, Effect.runSync(budget.usage))
}

const labelNames = ["niche", "budget"] as const
const registers = [metricsRegistry]

export const budgetUsed = new Gauge({
  name: "pipeline_budget_used",
  help: "Budget used by the current or last run of a niche, in base units (requests, bytes, seconds; ram: peak bytes)",
  labelNames,
  registers,
  collect: refresh
})
export const budgetLimit = new Gauge({
  name: "pipeline_budget_limit",
  help: "Budget limit the runner enforces for a niche, in the same units as pipeline_budget_used (absent: no limit)",
  labelNames,
  registers,
  collect: refresh
})
export const budgetExceeded = new Gauge({
  name: "pipeline_budget_exceeded",
  help: "1 when the budget stopped (or refused work to) the current or last run of a niche",
  labelNames,
  registers,
  collect: refresh
})

/** Sets the budget series of a niche from a run's usage (the summary's `budgets`). */
export const recordUsage = (niche: string, usage: BudgetUsage) => {
  for (const budget of BUDGETS) {
    const line = usage[budget]
    const labels = { niche, budget }
    budgetUsed.set(labels, budgetInBaseUnits(budget, line.used))
    budgetExceeded.set(labels, line.exceeded ? 1 : 0)
    if (line.limit === null) budgetLimit.remove(labels)
    else budgetLimit.set(labels, budgetInBaseUnits(budget, line.limit))
  }
}

/** Exports a run's budget while the scope lasts (read at each scrape), then its final figures. */
export const trackBudget = (niche: string, budget: BudgetShape): Effect.Effect<void, never, Scope.Scope> => {
  const token = Symbol(niche)
  return Effect.acquireRelease(
    Effect.sync(() => void live.set(token, { niche, budget })),
    () =>
      Effect.flatMap(budget.usage, (usage) =>
        Effect.sync(() => {
          live.delete(token)
          recordUsage(niche, usage)
        })
      )
  )
}
