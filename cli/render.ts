/**
 * Text renderings: the plan (`--explain`, `profiles NAME`) and the run summary.
 */
import type { Plan } from "../core/Plan.ts"
import type { RunSummary } from "../core/Summary.ts"

const fields = (map: Readonly<Record<string, { readonly optional?: boolean }>>) =>
  Object.entries(map)
    .map(([name, spec]) => (spec.optional ? `${name}?` : name))
    .join(", ") || "-"

/** The plan as text: batches, each step with its dependencies, fields, outputs and availability. */
export const renderPlan = (
  plan: Plan,
  settings?: ReadonlyMap<string, unknown>,
  absent: ReadonlyMap<string, Absent> = new Map()
): string => {
  const lines = [`profile ${plan.profile.id} (${plan.profile.file})`, `  ${plan.profile.description}`, ""]
  plan.batches.forEach((batch, index) => {
    lines.push(`batch ${index + 1}${batch.length > 1 ? ` (${batch.length} independent steps)` : ""}`)
    for (const name of batch) {
      const node = plan.nodes.find((candidate) => candidate.name === name)!
      const alias = node.name === node.id ? "" : ` (alias of ${node.id})`
      if (!node.step) {
        lines.push(`  ${name}${alias}: not available (no loaded plugin provides it yet)`, `      ${node.description}`)
        continue
      }
      const plugin = node.step.plugin ? ` [plugin ${node.step.plugin.id}]` : ""
      lines.push(`  ${name}${alias} — ${node.step.kind}${plugin}`, `      ${node.description}`)
      const here = absent.get(name)
      if (here) {
        lines.push(
          `      not available here: ${here.reason} (${here.optional ? "the run goes on without it unless the job sets required: true" : "a run is refused"})`
        )
      }
      if (node.deps.length > 0) lines.push(`      after: ${node.deps.join(", ")}`)
      lines.push(`      reads: ${fields(node.step.reads)}`, `      writes: ${fields(node.step.writes)}`)
      if (node.step.outputs.length > 0)
        lines.push(`      outputs: ${node.step.outputs.map((output) => output.path).join(", ")}`)
      const setting = settings?.get(name)
      if (setting && Object.keys(setting as object).length > 0) lines.push(`      settings: ${JSON.stringify(setting)}`)
    }
  })
  if (plan.unavailable.length > 0) {
    lines.push(
      "",
      `not available: ${plan.unavailable.map((node) => node.name).join(", ")} (a run of this profile is refused)`
    )
  }
  for (const problem of plan.fieldProblems) {
    lines.push(`field problem: ${problem.step} reads ${problem.field}, which no upstream step writes`)
  }
  return lines.join("\n")
}

/** A step that cannot run on this machine, and whether the run goes on without it. */
export interface Absent {
  readonly reason: string
  readonly optional: boolean
}

/** The plan as JSON for `--explain --json`. */
export const planJson = (plan: Plan, absent: ReadonlyMap<string, Absent> = new Map()) => ({
  profile: { id: plan.profile.id, file: plan.profile.file, description: plan.profile.description },
  batches: plan.batches,
  steps: plan.nodes.map((node) => ({
    name: node.name,
    id: node.id,
    available: node.step !== undefined,
    kind: node.step?.kind ?? null,
    batch: node.batch,
    after: node.deps,
    reads: Object.keys(node.step?.reads ?? {}),
    writes: Object.keys(node.step?.writes ?? {}),
    outputs: (node.step?.outputs ?? []).map((output) => output.path)
  })),
  not_available: plan.unavailable.map((node) => node.name),
  not_available_here: Object.fromEntries(absent),
  field_problems: plan.fieldProblems
})

const pad = (text: string, width: number) => text.padEnd(width)

/** The human summary; its last line is the KPI verdict. */
export const renderSummary = (summary: RunSummary): string => {
  const lines = [
    `run ${summary.run_id} ${summary.status} in ${summary.duration_s.toFixed(2)}s (profile ${summary.profile}${summary.resumed ? ", resumed" : ""})`,
    `run folder: ${summary.out_dir}`
  ]
  for (const step of summary.steps) {
    const rows =
      step.rows_in === null
        ? ""
        : step.rows_out === null
          ? `${step.rows_in} in`
          : `${step.rows_in} in, ${step.rows_out} out`
    const time = step.duration_s !== null ? `${step.duration_s.toFixed(2)}s` : ""
    lines.push(
      `  ${pad(step.name, 34)} ${pad(step.status, 8)} ${pad(rows, 26)} ${pad(time, 9)} ${step.detail ?? ""}`.trimEnd()
    )
  }
  const budgets = Object.entries(summary.budgets)
    .filter(([, line]) => line.limit !== null || line.used > 0)
    .map(
      ([name, line]) =>
        `${name} ${line.used}${line.limit !== null ? `/${line.limit}` : ""}${line.exceeded ? " EXCEEDED" : ""}`
    )
  if (budgets.length > 0) lines.push(`budgets: ${budgets.join(", ")}`)
  if (summary.stopped_by) {
    const steps = summary.stopped_by.steps.length > 0 ? summary.stopped_by.steps.join(", ") : "the run"
    lines.push(`stopped by budget ${summary.stopped_by.budget}: ${summary.stopped_by.message}; it stopped ${steps}`)
  }
  if (summary.outputs.length > 0) {
    lines.push("outputs:")
    for (const output of summary.outputs) {
      lines.push(
        `  ${pad(output.path, 40)} ${output.rows !== null ? `${output.rows} rows, ` : ""}${output.bytes} bytes, sha256 ${output.sha256.slice(0, 12)}…`
      )
    }
  }
  if (summary.error && !summary.stopped_by) lines.push(`error: ${summary.error.message}`)
  for (const result of summary.kpis.results) {
    lines.push(
      `  KPI ${pad(result.name, 30)} ${result.value ?? "n/a"} (target ${result.target}) ${result.met ? "met" : "NOT MET"}`
    )
  }
  lines.push(summary.kpis.verdict)
  return lines.join("\n")
}
