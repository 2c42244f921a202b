/**
 * `filon monitoring`: the alert rules and dashboard carry the job's own thresholds, name only series
 * the registry exports, parse as YAML/JSON, and the committed monitoring/ folder cannot drift.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import YAML from "yaml"
import "../../core/ServerMetrics.ts"
import "../../plugins/web/headless/HeadlessMetrics.ts"
import { registeredNames } from "../support/metrics.ts"
import { repoRoot, runCli, tempDirs, testJob, writeJob } from "./support.ts"

const temp = tempDirs("monitoring")
afterAll(temp.cleanup)

const DEMO_JOB = join(repoRoot, "plugins", "sirene", "sample", "demo.job.yaml")

interface Rule {
  readonly alert: string
  readonly expr: string
  readonly labels: Record<string, string>
}
interface Panel {
  readonly title: string
  readonly type: string
  readonly targets?: ReadonlyArray<{ readonly expr: string }>
  readonly fieldConfig?: {
    readonly defaults: { readonly thresholds: { readonly steps: Array<{ value: number | null }> } }
  }
}

/** A job with every kind of threshold, generated into a folder of its own. */
let generated: { dir: string; rules: Rule[]; panels: Panel[] }

beforeAll(async () => {
  const dir = temp.make("job")
  const job = writeJob(
    dir,
    testJob({
      niche: "monitoring_test",
      kpi_targets: { min_quality_score: 65, max_duplicate_rate: 0.02, min_fill_rates: { name_upper: 0.75 } },
      budgets: { max_http_requests: 1500, max_http_bytes: 1048576, max_wall_time_min: 30, max_ram_mb: 2048 }
    })
  )
  const out = join(dir, "monitoring")
  const result = await runCli(["monitoring", "--job", job, "--out", out])
  expect(result.code).toBe(0)
  const alerts = YAML.parse(readFileSync(join(out, "prometheus", "alerts.yml"), "utf8")) as {
    groups: Array<{ name: string; rules: Rule[] }>
  }
  const dashboard = JSON.parse(readFileSync(join(out, "grafana", "dashboards", "filon.json"), "utf8")) as {
    panels: Panel[]
  }
  generated = { dir: out, rules: alerts.groups.flatMap((group) => group.rules), panels: dashboard.panels }
})

const ruleFor = (alert: string, label: Record<string, string>) =>
  generated.rules.find(
    (rule) => rule.alert === alert && Object.entries(label).every(([key, value]) => rule.labels[key] === value)
  )

/** The series a PromQL expression reads: identifiers outside selectors, ranges, strings and groupings, not functions or keywords. */
const seriesNamesOf = (expr: string): string[] => {
  const bare = expr
    .replace(/"[^"]*"/g, "")
    .replace(/\{[^}]*\}/g, "")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "")
  const keywords = new Set(["and", "or", "unless", "bool", "offset"])
  return [...bare.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)]
    .map((match) => match[1]!)
    .filter((name) => !keywords.has(name))
}

describe("filon monitoring", () => {
  it("writes alert rules whose thresholds are the job's own values", () => {
    expect(ruleFor("FilonKpiNotMet", { kpi: "min_quality_score" })?.expr).toBe(
      'pipeline_kpi_value{niche="monitoring_test",kpi="min_quality_score"} < 65'
    )
    expect(ruleFor("FilonKpiNotMet", { kpi: "max_duplicate_rate" })?.expr).toEndWith("> 0.02")
    expect(ruleFor("FilonKpiNotMet", { kpi: "min_fill_rates.name_upper" })?.expr).toEndWith("< 0.75")
    // Budgets in the base unit of pipeline_budget_used: requests, bytes, seconds, bytes.
    expect(ruleFor("FilonBudgetNearlyUsed", { budget: "http_requests" })?.expr).toBe(
      'pipeline_budget_used{niche="monitoring_test",budget="http_requests"} > 0.9 * 1500'
    )
    expect(ruleFor("FilonBudgetNearlyUsed", { budget: "http_bytes" })?.expr).toEndWith("> 0.9 * 1048576")
    expect(ruleFor("FilonBudgetNearlyUsed", { budget: "wall_time" })?.expr).toEndWith(`> 0.9 * ${30 * 60}`)
    expect(ruleFor("FilonBudgetNearlyUsed", { budget: "ram" })?.expr).toEndWith(`> 0.9 * ${2048 * 1024 * 1024}`)
    expect(ruleFor("FilonServerQueueFull", {})?.expr).toBe("filon_server_queue_depth >= 100")
  })

  it("draws each KPI target as the threshold of its dashboard panel", () => {
    const panel = (kpi: string) =>
      generated.panels.find((candidate) => candidate.targets?.some((target) => target.expr.includes(`kpi="${kpi}"`)))
    const steps = (kpi: string) => panel(kpi)?.fieldConfig?.defaults.thresholds.steps.map((step) => step.value)
    expect(steps("min_quality_score")).toEqual([null, 65])
    expect(steps("max_duplicate_rate")).toEqual([null, 0.02])
    expect(steps("min_fill_rates.name_upper")).toEqual([null, 0.75])
  })

  it("names only series the registry exports after a run", async () => {
    const run = await runCli([
      "run-profile",
      "--job",
      writeJob(temp.make("run"), testJob({ niche: "monitoring_run" })),
      "--out",
      join(temp.make("run-out"), "out")
    ])
    expect(run.code).toBe(0)
    const registered = await registeredNames()
    const expressions = [
      ...generated.rules.map((rule) => rule.expr),
      ...generated.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr))
    ]
    expect(expressions.length).toBeGreaterThan(20)
    // A histogram is registered under its base name and read through its _bucket, _sum and _count series.
    const names = new Set(expressions.flatMap(seriesNamesOf))
    // The parser finds what the expressions read (so an empty result below means something).
    for (const name of ["pipeline_kpi_value", "pipeline_step_duration_seconds_bucket", "http_cache_hit_ratio"])
      expect(names).toContain(name)
    expect([...names].some((name) => ["by", "rate", "sum", "le", "niche"].includes(name))).toBe(false)
    const unknown = [...names].filter(
      (name) => !registered.has(name) && !registered.has(name.replace(/_(bucket|sum|count)$/, ""))
    )
    expect(unknown).toEqual([])
  })

  it("writes YAML and JSON that parse, with the stack's files pointing at each other", () => {
    const read = (path: string) => readFileSync(join(generated.dir, path), "utf8")
    const compose = YAML.parse(read("docker-compose.yml")) as { services: Record<string, { image: string }> }
    expect(Object.keys(compose.services).sort()).toEqual(["grafana", "prometheus", "pushgateway"])
    const prometheus = YAML.parse(read("prometheus/prometheus.yml")) as {
      rule_files: string[]
      scrape_configs: Array<{ job_name: string; honor_labels?: boolean }>
    }
    expect(prometheus.rule_files).toEqual(["alerts.yml"])
    expect(prometheus.scrape_configs.find((config) => config.job_name === "pushgateway")?.honor_labels).toBe(true)
    const datasources = YAML.parse(read("grafana/provisioning/datasources/prometheus.yml")) as {
      datasources: Array<{ uid: string }>
    }
    const dashboard = JSON.parse(read("grafana/dashboards/filon.json")) as {
      panels: Array<{ datasource?: { uid: string } }>
    }
    for (const panel of dashboard.panels.filter((candidate) => candidate.datasource))
      expect(panel.datasource?.uid).toBe(datasources.datasources[0]!.uid)
    const provider = YAML.parse(read("grafana/provisioning/dashboards/filon.yml")) as {
      providers: Array<{ options: { path: string } }>
    }
    expect(provider.providers[0]?.options.path).toBe("/var/lib/grafana/dashboards")
  })

  it("keeps the committed monitoring/ folder identical to what the demo job generates", async () => {
    const result = await runCli(["monitoring", "--job", DEMO_JOB, "--out", join(repoRoot, "monitoring"), "--check"])
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: "" })
  })

  it("fails --check on a folder whose files differ, naming them, and writes nothing", async () => {
    const dir = temp.make("stale")
    expect((await runCli(["monitoring", "--job", DEMO_JOB, "--out", dir])).code).toBe(0)
    const alerts = join(dir, "prometheus", "alerts.yml")
    const edited = readFileSync(alerts, "utf8").replace("< 50", "< 40")
    writeFileSync(alerts, edited)
    const result = await runCli(["monitoring", "--job", DEMO_JOB, "--out", dir, "--check"])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("prometheus/alerts.yml (differs)")
    expect(readFileSync(alerts, "utf8")).toBe(edited)
  })

  it("needs at least one job, and refuses two jobs of the same niche", async () => {
    expect((await runCli(["monitoring"])).code).toBe(2)
    const result = await runCli(["monitoring", "--job", DEMO_JOB, "--job", DEMO_JOB, "--out", temp.make("twice")])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("two jobs have the niche demo_it_idf")
  })
})
