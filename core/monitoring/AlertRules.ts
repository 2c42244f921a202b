/**
 * Prometheus alert rules for the jobs given: one group for every run (failures, exceeded budgets),
 * one per job with its own thresholds (KPI targets, budgets nearly used), one for the server's queue.
 */
import type { ServerConfig } from "../Config.ts"
import {
  BUDGET_WARNING_SHARE,
  type BudgetThreshold,
  describeKpi,
  type JobThresholds,
  kpiMissOperator,
  promString
} from "./Thresholds.ts"

export interface AlertRule {
  readonly alert: string
  readonly expr: string
  readonly for?: string
  readonly labels: Readonly<Record<string, string>>
  readonly annotations: { readonly summary: string; readonly description: string }
}

export interface RuleGroup {
  readonly name: string
  readonly rules: ReadonlyArray<AlertRule>
}

const everyRun: RuleGroup = {
  name: "filon-runs",
  rules: [
    {
      alert: "FilonRunFailed",
      expr: 'pipeline_run_last_status{status="failed"} == 1',
      labels: { severity: "critical" },
      annotations: {
        summary: "{{ $labels.niche }}: the last {{ $labels.profile }} run failed",
        description: "A step failed or a budget stopped the run; its summary and logs/<run_id>.jsonl say which."
      }
    },
    {
      alert: "FilonBudgetExceeded",
      expr: "pipeline_budget_exceeded == 1",
      labels: { severity: "critical" },
      annotations: {
        summary: "{{ $labels.niche }}: budget {{ $labels.budget }} exceeded",
        description: "The runner stopped the run, or refused it more work, at the budget's limit."
      }
    }
  ]
}

const UNITS: Record<BudgetThreshold["budget"], string> = {
  http_requests: "requests",
  http_bytes: "bytes",
  wall_time: "seconds",
  ram: "bytes"
}

const jobRules = (job: JobThresholds): RuleGroup => {
  const niche = promString(job.niche)
  const kpis = job.kpis.map(
    (kpi): AlertRule => ({
      alert: "FilonKpiNotMet",
      expr: `pipeline_kpi_value{niche=${niche},kpi=${promString(kpi.name)}} ${kpiMissOperator(kpi)} ${kpi.target}`,
      labels: { severity: "warning", kpi: kpi.name },
      annotations: {
        summary: `${job.niche}: ${describeKpi(kpi)} is {{ $value }}, the target is ${kpi.bound === "at_least" ? "at least" : "at most"} ${kpi.target}`,
        description: `Set in the job's kpi_targets.${kpi.name}; the run ended with KPIs NOT MET (exit code 4).`
      }
    })
  )
  const unmeasured: AlertRule[] =
    job.kpis.length === 0
      ? []
      : [
          {
            alert: "FilonKpiNotMeasured",
            expr: `pipeline_kpi_met{niche=${niche}} == 0 unless on (niche, kpi) pipeline_kpi_value{niche=${niche}}`,
            labels: { severity: "warning" },
            annotations: {
              summary: `${job.niche}: KPI {{ $labels.kpi }} could not be measured`,
              description: "The run produced no rows, or no step of its profile writes the field the KPI needs."
            }
          }
        ]
  const budgets = job.budgets.map(
    (budget): AlertRule => ({
      alert: "FilonBudgetNearlyUsed",
      expr: `pipeline_budget_used{niche=${niche},budget=${promString(budget.budget)}} > ${BUDGET_WARNING_SHARE} * ${budget.limit}`,
      labels: { severity: "warning", budget: budget.budget },
      annotations: {
        summary: `${job.niche}: {{ $value }} ${UNITS[budget.budget]} of budget ${budget.budget} used, over ${BUDGET_WARNING_SHARE * 100}% of ${budget.limit}`,
        description: `The job's budgets.${budget.setting} is ${budget.value}; the runner stops the run when it is reached.`
      }
    })
  )
  return { name: `filon-${job.niche}`, rules: [...kpis, ...unmeasured, ...budgets] }
}

const serverRules = (server: ServerConfig): RuleGroup => ({
  name: "filon-server",
  rules: [
    {
      alert: "FilonServerQueueFull",
      expr: `filon_server_queue_depth >= ${server.queue_size}`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: "The server's run queue is full: new runs are refused with 429",
        description: `server.queue_size is ${server.queue_size} in the config file; raise server.concurrency or the queue.`
      }
    }
  ]
})

/** The rule groups of a Prometheus rule file. */
export const alertRules = (jobs: ReadonlyArray<JobThresholds>, server: ServerConfig): { groups: RuleGroup[] } => ({
  groups: [everyRun, ...jobs.map(jobRules).filter((group) => group.rules.length > 0), serverRules(server)]
})
