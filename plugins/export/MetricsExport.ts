/**
 * `metrics.export`: the run's figures as JSON files, for dashboards and for comparing runs without
 * a Prometheus server: `reports/report_metrics.json` (per step: rows in and out, duration, the
 * figures the step measured; the run's totals) and `metrics/summary.json` (the process's Prometheus
 * series at the end of the run: HTTP requests, bytes, latency, cache, robots.txt, headless pages).
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { metricsRegistry } from "../../core/Metrics.ts"
import { readState } from "../../core/RunState.ts"
import { defineStep } from "../../core/Step.ts"

const REPORT = "reports/report_metrics.json"
const SUMMARY = "metrics/summary.json"

export const metricsExport = defineStep({
  id: "metrics.export",
  description:
    "Writes the run's metrics as JSON: per-step figures (reports/report_metrics.json) and the Prometheus series (metrics/summary.json)",
  kind: "sink",
  after: ["*"],
  outputs: [
    { path: REPORT, description: "Per step: rows in and out, duration, measured figures; run totals" },
    { path: SUMMARY, description: "The Prometheus series of the run (prom-client JSON: name, help, type, values)" }
  ],
  version: "1",
  run: (input, context) =>
    Effect.gen(function* () {
      let rows = 0
      yield* Stream.runForEach(input, () => Effect.sync(() => rows++))
      const state = yield* readState(context.runDir)
      const steps = Object.entries(state?.steps ?? {})
        .filter(([name]) => name !== context.invokedAs)
        .map(([name, step]) => ({
          step: name,
          rows_in: step.rows_in,
          rows_out: step.rows_out,
          seconds: Math.round(step.duration_ms) / 1000,
          finished_at: step.finished_at,
          measures: step.measures
        }))
      const report = {
        run_id: context.runId,
        niche: context.job.niche,
        profile: context.profile.id,
        rows,
        steps,
        totals: {
          seconds: Math.round(steps.reduce((sum, step) => sum + step.seconds, 0) * 1000) / 1000,
          measures: Object.assign({}, ...steps.map((step) => step.measures)) as Record<string, number>
        }
      }
      yield* context.writeOutput(REPORT, `${JSON.stringify(report, null, 2)}\n`)
      const series = yield* Effect.promise(() => metricsRegistry.getMetricsAsJSON())
      yield* context.writeOutput(SUMMARY, `${JSON.stringify({ run_id: context.runId, series }, null, 2)}\n`)
      yield* context.log(`metrics: ${steps.length} steps in ${REPORT}, ${series.length} series in ${SUMMARY}`)
    })
})
