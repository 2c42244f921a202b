/**
 * The runner feeds the one Prometheus registry: step outcomes, durations and rows, the run's end,
 * KPIs and budgets. Counters are process-wide, so each test reads differences, under its own niche.
 */
import { afterEach, describe, expect, it } from "bun:test"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import { httpCache } from "../../core/http/HttpMetrics.ts"
import { decodeJob, type Job } from "../../core/Job.ts"
import { metricsRegistry } from "../../core/Metrics.ts"
import type { Profile } from "../../core/Profile.ts"
import { makeRegistry, Registry } from "../../core/Registry.ts"
import { type RunRequest, runProfile } from "../../core/Runner.ts"
import packageJson from "../../package.json"
import { sampleSum, seriesOf } from "../support/metrics.ts"
import testPlugin from "../support/plugin/index.ts"

const dirs: string[] = []
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), "filon-metrics-"))
  dirs.push(dir)
  return dir
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

const profileOf = (steps: string[], config: Profile["config"] = {}): Profile => ({
  id: "metrics_test",
  file: "(test)",
  description: "test",
  steps,
  config
})

const jobOf = (niche: string, value: Record<string, unknown> = {}) =>
  Effect.runPromise(decodeJob({ niche, ...value }, { file: "(test job)" })) as Promise<Job>

const run = async (request: Partial<RunRequest> & { job: Job; profile: Profile }) => {
  const registry = await Effect.runPromise(makeRegistry([testPlugin]))
  return Effect.runPromise(
    runProfile({
      jobFile: null,
      inputs: [],
      outDir: await tempDir(),
      resume: false,
      workers: 1,
      retry: { base: "1 millis", cap: "5 millis", times: 1 },
      ...request
    }).pipe(Effect.provideService(Registry, registry))
  )
}

const PIPELINE = ["test.source", "test.upper", "test.score", "test.export"]

describe("pipeline metrics", () => {
  it("counts each step once when it ends, with its duration and rows, and the run's end", async () => {
    const before = {
      done: await Promise.all(
        PIPELINE.map((step) => sampleSum("pipeline_step_status_total", { step, status: "done" }))
      ),
      durations: await Promise.all(
        PIPELINE.map((step) => sampleSum("pipeline_step_duration_seconds", { step, status: "done" }, "_count"))
      ),
      sourceOut: await sampleSum("pipeline_step_rows_out_total", { step: "test.source" }),
      upperIn: await sampleSum("pipeline_step_rows_in_total", { step: "test.upper" })
    }
    const summary = await run({
      job: await jobOf("metrics_steps"),
      profile: profileOf(PIPELINE, { "test.source": { rows: 120 } })
    })
    expect(summary.status).toBe("succeeded")
    for (const [index, step] of PIPELINE.entries()) {
      expect(await sampleSum("pipeline_step_status_total", { step, status: "done" })).toBe(before.done[index]! + 1)
      expect(await sampleSum("pipeline_step_duration_seconds", { step, status: "done" }, "_count")).toBe(
        before.durations[index]! + 1
      )
    }
    expect(await sampleSum("pipeline_step_rows_out_total", { step: "test.source" })).toBe(before.sourceOut + 120)
    expect(await sampleSum("pipeline_step_rows_in_total", { step: "test.upper" })).toBe(before.upperIn + 120)

    const runLabels = { niche: "metrics_steps", profile: "metrics_test" }
    expect(await sampleSum("pipeline_runs_total", { ...runLabels, status: "succeeded" })).toBe(1)
    expect(await sampleSum("pipeline_runs_running", runLabels)).toBe(0)
    expect(await sampleSum("pipeline_run_last_status", { ...runLabels, status: "succeeded" })).toBe(1)
    expect(await sampleSum("pipeline_run_last_status", { ...runLabels, status: "failed" })).toBe(0)
    expect(await sampleSum("pipeline_run_info", { ...runLabels, version: packageJson.version })).toBe(1)
    expect(await sampleSum("pipeline_run_last_duration_seconds", runLabels)).toBeGreaterThan(0)
    expect(await sampleSum("pipeline_run_last_success_timestamp_seconds", runLabels)).toBeGreaterThan(
      Date.now() / 1000 - 60
    )

    // Bounded labels only: nothing of the run's id or folder.
    const text = await metricsRegistry.metrics()
    expect(text).not.toContain(summary.run_id)
    expect(text).not.toContain(summary.out_dir)
  })

  it("counts a step that failed as failed, and the run as failed", async () => {
    const counter = join(await tempDir(), "attempts")
    const before = await sampleSum("pipeline_step_status_total", { step: "test.flaky", status: "failed" })
    const summary = await run({
      job: await jobOf("metrics_failed"),
      profile: profileOf(["test.source", "test.flaky"], { "test.flaky": { failures: 5, retryable: false, counter } })
    })
    expect(summary.status).toBe("failed")
    expect(await sampleSum("pipeline_step_status_total", { step: "test.flaky", status: "failed" })).toBe(before + 1)
    const labels = { niche: "metrics_failed", profile: "metrics_test" }
    expect(await sampleSum("pipeline_runs_total", { ...labels, status: "failed" })).toBe(1)
    expect(await sampleSum("pipeline_run_last_status", { ...labels, status: "failed" })).toBe(1)
    expect(await sampleSum("pipeline_runs_running", labels)).toBe(0)
  })

  it("exports the job's KPI targets, the measured values and whether each was met; drops a removed target", async () => {
    const niche = "metrics_kpis"
    const summary = await run({
      job: await jobOf(niche, { kpi_targets: { min_quality_score: 40, min_fill_rates: { name_upper: 1 } } }),
      profile: profileOf(PIPELINE, { "test.source": { rows: 50 } })
    })
    const score = summary.kpis.results.find((result) => result.name === "min_quality_score")!
    expect(await sampleSum("pipeline_kpi_target", { niche, kpi: "min_quality_score" })).toBe(40)
    expect(await sampleSum("pipeline_kpi_value", { niche, kpi: "min_quality_score" })).toBe(score.value!)
    expect(await sampleSum("pipeline_kpi_met", { niche, kpi: "min_quality_score" })).toBe(score.met ? 1 : 0)
    expect(await sampleSum("pipeline_kpi_target", { niche, kpi: "min_fill_rates.name_upper" })).toBe(1)
    expect(await sampleSum("pipeline_kpi_met", { niche, kpi: "min_fill_rates.name_upper" })).toBe(1)

    await run({
      job: await jobOf(niche, { kpi_targets: { max_duplicate_rate: 0 } }),
      profile: profileOf(PIPELINE, { "test.source": { rows: 50 } })
    })
    expect(await seriesOf("pipeline_kpi_target", { niche, kpi: "min_quality_score" })).toEqual([])
    expect(await sampleSum("pipeline_kpi_target", { niche, kpi: "max_duplicate_rate" })).toBe(0)
    expect(await sampleSum("pipeline_kpi_met", { niche, kpi: "max_duplicate_rate" })).toBe(1)
  })

  it("exports budgets in base units; a budget that stopped the run is exceeded and its step stopped", async () => {
    const niche = "metrics_budgets"
    const stoppedBefore = await sampleSum("pipeline_step_status_total", { step: "test.spend", status: "stopped" })
    const summary = await run({
      job: await jobOf(niche, { budgets: { max_http_requests: 37, max_wall_time_min: 10, max_ram_mb: 4096 } }),
      profile: profileOf(["test.source", "test.spend"])
    })
    expect(summary.stopped_by?.budget).toBe("http_requests")
    const budget = (name: string) => ({ niche, budget: name })
    expect(await sampleSum("pipeline_budget_used", budget("http_requests"))).toBe(37)
    expect(await sampleSum("pipeline_budget_limit", budget("http_requests"))).toBe(37)
    expect(await sampleSum("pipeline_budget_exceeded", budget("http_requests"))).toBe(1)
    expect(await sampleSum("pipeline_budget_limit", budget("wall_time"))).toBe(600)
    expect(await sampleSum("pipeline_budget_limit", budget("ram"))).toBe(4096 * 1024 * 1024)
    expect(await sampleSum("pipeline_budget_used", budget("ram"))).toBeGreaterThan(1024 * 1024)
    expect(await sampleSum("pipeline_budget_exceeded", budget("wall_time"))).toBe(0)
    // No byte limit in the job: no limit series, rather than a misleading 0.
    expect(await seriesOf("pipeline_budget_limit", budget("http_bytes"))).toEqual([])
    expect(await sampleSum("pipeline_step_status_total", { step: "test.spend", status: "stopped" })).toBe(
      stoppedBefore + 1
    )
  })

  it("counts a step skipped on resume as skipped", async () => {
    const outDir = await tempDir()
    const job = await jobOf("metrics_resume")
    const profile = profileOf(PIPELINE, { "test.source": { rows: 20 } })
    await run({ job, profile, outDir })
    const before = await sampleSum("pipeline_step_status_total", { step: "test.upper", status: "skipped" })
    await run({ job, profile, outDir, resume: true })
    expect(await sampleSum("pipeline_step_status_total", { step: "test.upper", status: "skipped" })).toBe(before + 1)
    expect(await sampleSum("pipeline_runs_total", { niche: "metrics_resume", status: "succeeded" })).toBe(2)
  })

  it("computes the HTTP cache hit ratio from the cache lookups when scraped", async () => {
    httpCache.inc({ host_class: "document", result: "hit" }, 3)
    httpCache.inc({ host_class: "document", result: "revalidated" })
    httpCache.inc({ host_class: "document", result: "miss" })
    const lookups = await seriesOf("http_cache_lookups_total", { host_class: "document" })
    const all = lookups.reduce((sum, sample) => sum + sample.value, 0)
    const hits = lookups.filter((sample) => sample.labels.result === "hit").reduce((sum, s) => sum + s.value, 0)
    expect(await sampleSum("http_cache_hit_ratio", { host_class: "document" })).toBeCloseTo(hits / all, 10)
    expect(hits / all).toBeLessThan(1)
  })
})
