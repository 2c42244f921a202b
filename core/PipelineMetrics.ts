/**
 * The pipeline's Prometheus series, fed by the runner's event log: `observeRun` returns a listener
 * that turns step and run events into durations, outcomes, row counts and KPI gauges. It counts once
 * per step and once per run, never per record, so the hot paths pay nothing. Labels are bounded:
 * step ids, statuses, niche and profile names, KPI names; never run ids, URLs or SIRETs.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { Counter, Gauge, Histogram } from "prom-client"
import packageJson from "../package.json"
import type { RunEvent } from "./EventLog.ts"
import type { KpiResult } from "./Kpi.ts"
import { metricsRegistry } from "./Metrics.ts"
import type { RunSummary } from "./Summary.ts"

const registers = [metricsRegistry]

/** How a step ended, as the metrics say it: the summary's statuses a step can reach once started (or skipped). */
export type StepOutcome = "done" | "skipped" | "failed" | "stopped"

export const stepDuration = new Histogram({
  name: "pipeline_step_duration_seconds",
  help: "Time a step ran, by step and how it ended (done, failed, stopped)",
  labelNames: ["step", "status"] as const,
  // From a small transform on a sample (sub-second) to a crawl of thousands of sites (hours).
  buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 14400],
  registers
})
export const stepStatus = new Counter({
  name: "pipeline_step_status_total",
  help: "Steps that ended, by step and status (done, skipped, failed, stopped)",
  labelNames: ["step", "status"] as const,
  registers
})
export const stepRowsIn = new Counter({
  name: "pipeline_step_rows_in_total",
  help: "Records read by steps that finished, by step",
  labelNames: ["step"] as const,
  registers
})
export const stepRowsOut = new Counter({
  name: "pipeline_step_rows_out_total",
  help: "Records written by steps that finished, by step (sinks write files, not records)",
  labelNames: ["step"] as const,
  registers
})

const runLabels = ["niche", "profile"] as const

export const runInfo = new Gauge({
  name: "pipeline_run_info",
  help: "1 for each niche and profile this process has run, with the Filon version that ran it",
  labelNames: [...runLabels, "version"] as const,
  registers
})
export const runsTotal = new Counter({
  name: "pipeline_runs_total",
  help: "Runs that ended, by niche, profile and status (succeeded, failed, cancelled)",
  labelNames: [...runLabels, "status"] as const,
  registers
})
export const runsRunning = new Gauge({
  name: "pipeline_runs_running",
  help: "Runs in progress, by niche and profile",
  labelNames: runLabels,
  registers
})
export const runLastStatus = new Gauge({
  name: "pipeline_run_last_status",
  help: "How the last run of a niche and profile ended: 1 for its status, 0 for the others",
  labelNames: [...runLabels, "status"] as const,
  registers
})
export const runLastDuration = new Gauge({
  name: "pipeline_run_last_duration_seconds",
  help: "Duration of the last run of a niche and profile",
  labelNames: runLabels,
  registers
})
export const runLastSuccess = new Gauge({
  name: "pipeline_run_last_success_timestamp_seconds",
  help: "When the last successful run of a niche and profile ended (Unix time)",
  labelNames: runLabels,
  registers
})

const kpiLabels = ["niche", "kpi"] as const

export const kpiValue = new Gauge({
  name: "pipeline_kpi_value",
  help: "Last measured value of a job's KPI (absent when the run had nothing to measure it on)",
  labelNames: kpiLabels,
  registers
})
export const kpiTarget = new Gauge({
  name: "pipeline_kpi_target",
  help: "The job's target for a KPI (min_* a floor, max_* a ceiling), as the runner checked it",
  labelNames: kpiLabels,
  registers
})
export const kpiMet = new Gauge({
  name: "pipeline_kpi_met",
  help: "1 when the last run of a niche that measured its KPIs met this one, 0 otherwise",
  labelNames: kpiLabels,
  registers
})

const RUN_STATUSES: ReadonlyArray<RunSummary["status"]> = ["succeeded", "failed", "cancelled"]

/** The KPI names last reported per niche, so a target removed from the job stops being exported. */
const reportedKpis = new Map<string, ReadonlySet<string>>()

const recordKpis = (niche: string, results: ReadonlyArray<KpiResult>) => {
  const names = new Set(results.map((result) => result.name))
  for (const stale of reportedKpis.get(niche) ?? []) {
    if (names.has(stale)) continue
    for (const gauge of [kpiValue, kpiTarget, kpiMet]) gauge.remove({ niche, kpi: stale })
  }
  reportedKpis.set(niche, names)
  for (const result of results) {
    const labels = { niche, kpi: result.name }
    kpiTarget.set(labels, result.target)
    kpiMet.set(labels, result.met ? 1 : 0)
    if (result.value === null) kpiValue.remove(labels)
    else kpiValue.set(labels, result.value)
  }
}

const countOf = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : 0)

export interface RunObserver {
  /** An event log listener: pass it to `EventLog.layer` with the others. */
  readonly onEvent: (event: RunEvent) => void
}

/**
 * Observes one run: a listener for its events and, when the scope closes, the run counted as failed
 * if it never reported its end (a defect or an interruption from outside killed it).
 */
export const observeRun = (run: {
  readonly niche: string
  readonly profile: string
}): Effect.Effect<RunObserver, never, Scope.Scope> => {
  const labels = { niche: run.niche, profile: run.profile }
  /** Steps started and not yet ended, with when they started (ms). */
  const started = new Map<string, number>()
  let running = false

  const endStep = (step: string, status: StepOutcome, seconds: number | undefined) => {
    started.delete(step)
    stepStatus.inc({ step, status })
    if (seconds !== undefined) stepDuration.observe({ step, status }, seconds)
  }
  const endRun = (status: RunSummary["status"], at: number, seconds: number | undefined) => {
    if (!running) return
    running = false
    // Steps still open when the run ended were cut short (a budget, a cancel, another step's failure).
    for (const [step, since] of [...started]) endStep(step, "stopped", Math.max(0, (at - since) / 1000))
    runsRunning.dec(labels)
    runsTotal.inc({ ...labels, status })
    for (const candidate of RUN_STATUSES)
      runLastStatus.set({ ...labels, status: candidate }, candidate === status ? 1 : 0)
    if (seconds !== undefined) runLastDuration.set(labels, seconds)
    if (status === "succeeded") runLastSuccess.set(labels, at / 1000)
  }

  const onEvent = (event: RunEvent) => {
    const at = Date.parse(event.ts)
    const step = event.step
    switch (event.type) {
      case "run.start":
      case "run.resume":
        running = true
        runsRunning.inc(labels)
        runInfo.set({ ...labels, version: packageJson.version }, 1)
        return
      case "step.start":
        if (step) started.set(step, at)
        return
      case "step.end":
        if (!step) return
        stepRowsIn.inc({ step }, countOf(event.rows_in))
        stepRowsOut.inc({ step }, countOf(event.rows_out))
        endStep(step, "done", countOf(event.duration_ms) / 1000)
        return
      case "step.skip":
        if (step) endStep(step, "skipped", undefined)
        return
      case "step.fail": {
        // The runner names the failed step once; a failure without a step (or one already counted) is the run's.
        const since = step ? started.get(step) : undefined
        if (step && since !== undefined) endStep(step, "failed", Math.max(0, (at - since) / 1000))
        return
      }
      case "kpi.result":
        recordKpis(run.niche, (event.results as ReadonlyArray<KpiResult> | undefined) ?? [])
        return
      case "run.end":
        endRun(event.status as RunSummary["status"], at, countOf(event.duration_s))
        return
      default:
        return
    }
  }

  return Effect.acquireRelease(Effect.succeed({ onEvent }), () =>
    Effect.sync(() => endRun("failed", Date.now(), undefined))
  )
}
