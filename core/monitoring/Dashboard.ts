/**
 * The Grafana dashboard (JSON model, provisioned from a file): runs, steps, budgets and HTTP for every
 * niche (a `niche` variable), and one row per job whose KPI panels draw the job's targets as threshold
 * lines, so the dashboard shows the same thresholds the runner checks.
 */
import type { ServerConfig } from "../Config.ts"
import type { KpiThreshold } from "../Kpi.ts"
import { BUDGET_WARNING_SHARE, describeKpi, type JobThresholds, promString } from "./Thresholds.ts"

/** The datasource uid the provisioning file declares. */
export const DATASOURCE_UID = "filon-prometheus"
export const DASHBOARD_UID = "filon"

const datasource = { type: "prometheus", uid: DATASOURCE_UID }
const ALL_NICHES = 'niche=~"$niche"'
const RATE = "$__rate_interval"

type Step = { readonly color: string; readonly value: number | null }

interface PanelSpec {
  readonly title: string
  readonly type?: "timeseries" | "stat"
  readonly width?: number
  readonly unit?: string
  readonly description?: string
  readonly queries: ReadonlyArray<{ readonly expr: string; readonly legend?: string }>
  readonly thresholds?: ReadonlyArray<Step>
  readonly textMode?: "value" | "name" | "value_and_name"
}

const HEIGHT = 8

/** Lays panels out left to right, rows of 24 columns, each section under a collapsed-open row header. */
const layout = (sections: ReadonlyArray<{ readonly title: string; readonly panels: ReadonlyArray<PanelSpec> }>) => {
  const panels: unknown[] = []
  let id = 1
  let y = 0
  for (const section of sections) {
    panels.push({ id: id++, type: "row", title: section.title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y } })
    y += 1
    let x = 0
    for (const spec of section.panels) {
      const w = spec.width ?? 8
      if (x + w > 24) {
        x = 0
        y += HEIGHT
      }
      panels.push(panelOf(spec, id++, { h: HEIGHT, w, x, y }))
      x += w
    }
    y += HEIGHT
  }
  return panels
}

const panelOf = (spec: PanelSpec, id: number, gridPos: Record<string, number>) => ({
  id,
  type: spec.type ?? "timeseries",
  title: spec.title,
  ...(spec.description ? { description: spec.description } : {}),
  datasource,
  gridPos,
  targets: spec.queries.map((query, index) => ({
    refId: String.fromCharCode(65 + index),
    datasource,
    expr: query.expr,
    legendFormat: query.legend ?? "__auto"
  })),
  fieldConfig: {
    defaults: {
      unit: spec.unit ?? "short",
      thresholds: { mode: "absolute", steps: spec.thresholds ?? [{ color: "green", value: null }] },
      ...(spec.type === "stat" ? {} : { custom: { thresholdsStyle: { mode: spec.thresholds ? "line" : "off" } } })
    },
    overrides: []
  },
  options:
    spec.type === "stat"
      ? { textMode: spec.textMode ?? "value", colorMode: "background", reduceOptions: { calcs: ["lastNotNull"] } }
      : { legend: { displayMode: "list", placement: "bottom" }, tooltip: { mode: "multi" } }
})

const runs = (server: ServerConfig): PanelSpec[] => [
  {
    title: "Runs in progress",
    type: "stat",
    width: 4,
    queries: [{ expr: `sum(pipeline_runs_running{${ALL_NICHES}})` }]
  },
  {
    title: "Runs waiting in the server's queue",
    type: "stat",
    width: 4,
    queries: [{ expr: "sum(filon_server_queue_depth)" }],
    thresholds: [
      { color: "green", value: null },
      { color: "red", value: server.queue_size }
    ]
  },
  {
    title: "Last run, by niche and profile",
    type: "stat",
    width: 16,
    textMode: "name",
    queries: [{ expr: `pipeline_run_last_status{${ALL_NICHES}} == 1`, legend: "{{niche}} {{profile}}: {{status}}" }]
  },
  {
    title: "Runs ended, by status",
    queries: [
      {
        expr: `sum by (niche, status) (increase(pipeline_runs_total{${ALL_NICHES}}[${RATE}]))`,
        legend: "{{niche}} {{status}}"
      }
    ]
  },
  {
    title: "Duration of the last run",
    unit: "s",
    queries: [{ expr: `pipeline_run_last_duration_seconds{${ALL_NICHES}}`, legend: "{{niche}} {{profile}}" }]
  },
  {
    title: "Time since the last successful run",
    unit: "s",
    queries: [
      { expr: `time() - pipeline_run_last_success_timestamp_seconds{${ALL_NICHES}}`, legend: "{{niche}} {{profile}}" }
    ]
  }
]

const steps: PanelSpec[] = [
  {
    title: "Step duration, 95th percentile",
    unit: "s",
    queries: [
      {
        expr: `histogram_quantile(0.95, sum by (le, step) (rate(pipeline_step_duration_seconds_bucket[${RATE}])))`,
        legend: "{{step}}"
      }
    ]
  },
  {
    title: "Steps ended, by status",
    queries: [
      {
        expr: `sum by (step, status) (increase(pipeline_step_status_total[${RATE}]))`,
        legend: "{{step}} {{status}}"
      }
    ]
  },
  {
    title: "Records per second, in and out",
    description: "Counted when a step ends, so a long step shows as one burst.",
    queries: [
      { expr: `sum by (step) (rate(pipeline_step_rows_in_total[${RATE}]))`, legend: "{{step}} in" },
      { expr: `sum by (step) (rate(pipeline_step_rows_out_total[${RATE}]))`, legend: "{{step}} out" }
    ]
  }
]

const budgets: PanelSpec[] = [
  {
    title: "Budgets used, share of the limit",
    unit: "percentunit",
    width: 16,
    description: `Alerts warn past ${BUDGET_WARNING_SHARE * 100}%; the runner stops the run at 100%.`,
    queries: [
      {
        expr: `pipeline_budget_used{${ALL_NICHES}} / pipeline_budget_limit{${ALL_NICHES}}`,
        legend: "{{niche}} {{budget}}"
      }
    ],
    thresholds: [
      { color: "green", value: null },
      { color: "orange", value: BUDGET_WARNING_SHARE },
      { color: "red", value: 1 }
    ]
  },
  {
    title: "Budgets exceeded",
    type: "stat",
    textMode: "name",
    queries: [{ expr: `pipeline_budget_exceeded{${ALL_NICHES}} == 1`, legend: "{{niche}} {{budget}}" }]
  }
]

const http: PanelSpec[] = [
  {
    title: "HTTP requests per second, by status",
    queries: [{ expr: `sum by (status) (rate(http_requests_total[${RATE}]))`, legend: "{{status}}" }]
  },
  {
    title: "HTTP requests failed or refused",
    unit: "percentunit",
    queries: [
      {
        expr: `sum(rate(http_requests_total{status!~"[23].."}[${RATE}])) / sum(rate(http_requests_total[${RATE}]))`,
        legend: "share"
      }
    ]
  },
  {
    title: "HTTP latency, 95th percentile",
    unit: "s",
    queries: [
      {
        expr: `histogram_quantile(0.95, sum by (le, host_class) (rate(http_request_duration_seconds_bucket[${RATE}])))`,
        legend: "{{host_class}}"
      }
    ]
  },
  {
    title: "Bytes received per second",
    unit: "Bps",
    queries: [{ expr: `sum by (host_class) (rate(http_response_bytes_total[${RATE}]))`, legend: "{{host_class}}" }]
  },
  {
    title: "HTTP cache hit ratio",
    unit: "percentunit",
    queries: [{ expr: "http_cache_hit_ratio", legend: "{{host_class}}" }]
  },
  {
    title: "Retries, robots.txt skips, concurrency",
    queries: [
      { expr: `sum(rate(http_retries_total[${RATE}]))`, legend: "retries/s" },
      { expr: `sum(rate(http_robots_skips_total[${RATE}]))`, legend: "robots.txt skips/s" },
      { expr: "http_concurrency_limit", legend: "concurrency limit" }
    ]
  }
]

const headless: PanelSpec[] = [
  {
    title: "Headless pages per second, by status",
    queries: [{ expr: `sum by (status) (rate(headless_pages_total[${RATE}]))`, legend: "{{status}}" }]
  },
  {
    title: "Headless navigation, 95th percentile",
    unit: "s",
    queries: [
      {
        expr: `histogram_quantile(0.95, sum by (le) (rate(headless_navigation_seconds_bucket[${RATE}])))`,
        legend: "p95"
      }
    ]
  }
]

/** A KPI's value with the job's target as the line where the colour changes. */
const kpiPanel = (niche: string, kpi: KpiThreshold): PanelSpec => ({
  title: `${describeKpi(kpi)} (target: ${kpi.bound === "at_least" ? "at least" : "at most"} ${kpi.target})`,
  width: 6,
  queries: [{ expr: `pipeline_kpi_value{niche=${promString(niche)},kpi=${promString(kpi.name)}}`, legend: kpi.name }],
  thresholds:
    kpi.bound === "at_least"
      ? [
          { color: "red", value: null },
          { color: "green", value: kpi.target }
        ]
      : [
          { color: "green", value: null },
          { color: "red", value: kpi.target }
        ]
})

/** The dashboard's JSON model. */
export const dashboard = (jobs: ReadonlyArray<JobThresholds>, server: ServerConfig) => ({
  uid: DASHBOARD_UID,
  title: "Filon",
  description: `Generated by filon monitoring from the jobs ${jobs.map((job) => job.niche).join(", ") || "(none)"}; regenerate it rather than editing it.`,
  tags: ["filon"],
  editable: true,
  schemaVersion: 39,
  version: 1,
  refresh: "30s",
  time: { from: "now-24h", to: "now" },
  templating: {
    list: [
      {
        name: "niche",
        label: "Niche",
        type: "query",
        datasource,
        query: { query: "label_values(pipeline_run_info, niche)", refId: "niches" },
        definition: "label_values(pipeline_run_info, niche)",
        refresh: 2,
        includeAll: true,
        multi: true,
        current: { text: ["All"], value: ["$__all"] }
      }
    ]
  },
  panels: layout([
    { title: "Runs", panels: runs(server) },
    { title: "Steps", panels: steps },
    ...jobs
      .filter((job) => job.kpis.length > 0)
      .map((job) => ({ title: `KPIs: ${job.niche}`, panels: job.kpis.map((kpi) => kpiPanel(job.niche, kpi)) })),
    { title: "Budgets", panels: budgets },
    { title: "HTTP", panels: http },
    { title: "Headless browser", panels: headless }
  ])
})
