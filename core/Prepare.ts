/**
 * Everything checked before a run starts: the plan, step availability, the field check and every
 * step's settings. A refusal here means nothing was written (exit 2).
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { unknownFailureKeys } from "./FailurePolicy.ts"
import type { Job } from "./Job.ts"
import { type Plan, PlanInvalid, resolvePlan } from "./Plan.ts"
import type { Profile } from "./Profile.ts"
import { Registry } from "./Registry.ts"
import { parseSetOverrides, resolveSettings, StepConfigInvalid } from "./Settings.ts"

export class StepNotAvailable extends Data.TaggedError("StepNotAvailable")<{
  readonly profile: string
  readonly steps: ReadonlyArray<{ readonly name: string; readonly reason: string }>
}> {
  override get message() {
    const list = this.steps.map((step) => `${step.name} (${step.reason})`).join(", ")
    return `profile ${this.profile} cannot run: these steps are not available: ${list}. Run with --explain to see the plan, or use a profile without them.`
  }
}

export class RunRequestInvalid extends Data.TaggedError("RunRequestInvalid")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

/** Steps of the plan that cannot run on this machine (their own availability check), by name. */
export const unavailableHere = (plan: Plan) =>
  Effect.gen(function* () {
    const absent = new Map<string, { readonly reason: string; readonly optional: boolean }>()
    for (const node of plan.nodes) {
      if (!node.step?.availability) continue
      const check = yield* node.step.availability
      if (!check.ok) absent.set(node.name, { reason: check.reason, optional: check.optional === true })
    }
    return absent as ReadonlyMap<string, { readonly reason: string; readonly optional: boolean }>
  })

/** Plans a run and checks everything that can be checked before it starts (steps, fields, settings). */
export const prepare = (profile: Profile, job: Job, set: ReadonlyArray<string> = []) =>
  Effect.gen(function* () {
    const registry = yield* Registry
    const plan = yield* resolvePlan(profile, registry)
    const unavailable: Array<{ name: string; reason: string }> = plan.unavailable.map((node) => ({
      name: node.name,
      reason: "not built yet"
    }))
    const optionalAbsent: Array<{ name: string; reason: string }> = []
    for (const node of plan.nodes) {
      const check = node.step?.availability ? yield* node.step.availability : { ok: true as const }
      if (!check.ok) (check.optional ? optionalAbsent : unavailable).push({ name: node.name, reason: check.reason })
    }
    if (unavailable.length > 0) return yield* new StepNotAvailable({ profile: profile.id, steps: unavailable })
    const strayKeys = unknownFailureKeys(profile, plan.nodes)
    if (strayKeys.length > 0) {
      return yield* new PlanInvalid({
        profile: profile.id,
        problems: strayKeys.map((key) => `on_step_failure names ${key}, which matches no step of the profile`)
      })
    }
    if (plan.fieldProblems.length > 0) {
      return yield* new PlanInvalid({
        profile: profile.id,
        problems: plan.fieldProblems.map(
          (problem) => `step ${problem.step} reads field ${problem.field}, which no upstream step writes`
        )
      })
    }
    const names = plan.nodes.flatMap((node) => [node.name, node.id])
    const cli = parseSetOverrides(set, names)
    if (cli.error !== undefined) return yield* new RunRequestInvalid({ reason: cli.error })
    const settings = new Map<string, unknown>()
    const problems: string[] = []
    for (const node of plan.nodes) {
      const decoded = yield* Effect.either(resolveSettings(node.step!, node.name, { profile, job, cli: cli.value }))
      if (decoded._tag === "Left") problems.push(...decoded.left.problems.map((problem) => `${node.name}: ${problem}`))
      else settings.set(node.name, decoded.right)
    }
    if (problems.length > 0) return yield* new StepConfigInvalid({ step: "", problems })
    // An optional step that cannot run here stops the run only when the job requires it.
    const required = optionalAbsent.filter(
      (absent) => (settings.get(absent.name) as { required?: unknown } | undefined)?.required === true
    )
    if (required.length > 0) {
      return yield* new StepNotAvailable({
        profile: profile.id,
        steps: required.map((absent) => ({ ...absent, reason: `${absent.reason}; the job sets required: true` }))
      })
    }
    return { plan, settings }
  })
