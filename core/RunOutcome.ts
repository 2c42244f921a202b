/**
 * How a run ended, in the summary's terms: which of the three racers won (the steps, a sampled
 * budget, a cancel), and for a failure whether a budget, a step or a usage problem caused it.
 */
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type { BudgetExceeded } from "./Budget.ts"
import { describeError } from "./StepExecution.ts"
import { ExitCode, type RunSummary } from "./Summary.ts"

/** A step asked for the records of an upstream step this folder does not hold (`run-step` too early). */
export class MissingUpstream extends Data.TaggedError("MissingUpstream")<{
  readonly step: string
  readonly upstream: string
}> {
  override get message() {
    return `step ${this.step} needs the records of ${this.upstream}, which this run folder does not hold: run that step first (or run-profile --resume)`
  }
}

export type Outcome =
  | { readonly _tag: "Finished"; readonly exit: Exit.Exit<void, unknown> }
  | { readonly _tag: "Budget"; readonly error: BudgetExceeded }
  | { readonly _tag: "Cancelled" }

export interface Classified {
  /** Every step ran or was accounted for (failed or not run in a run the profile let go on). */
  readonly finished: boolean
  readonly status: RunSummary["status"]
  readonly exitCode: number
  readonly error: RunSummary["error"]
  readonly stoppedBy: RunSummary["stopped_by"]
}

/**
 * `stopped`: the steps cut short; `failed`: the steps that ended in an error, in order; `continued`:
 * the failures the profile's `on_step_failure: continue` let the run go past. Such a run reaches its
 * end but did not do everything it was asked: it is `failed` with exit 1, its error the first failure.
 */
export const classifyOutcome = (
  outcome: Outcome,
  stopped: ReadonlyArray<string>,
  failed: ReadonlyArray<string>,
  continued: ReadonlyArray<{ readonly step: string; readonly tag: string; readonly message: string }> = []
): Classified => {
  const unfinished = classify(outcome, stopped, failed)
  if (outcome._tag !== "Finished" || !Exit.isSuccess(outcome.exit)) return { ...unfinished, finished: false }
  const [first] = continued
  if (first === undefined) return { ...unfinished, finished: true }
  return { finished: true, status: "failed", exitCode: ExitCode.stepFailed, error: first, stoppedBy: null }
}

const classify = (
  outcome: Outcome,
  stopped: ReadonlyArray<string>,
  failed: ReadonlyArray<string>
): Omit<Classified, "finished"> => {
  if (outcome._tag === "Budget") {
    return {
      status: "failed",
      exitCode: ExitCode.budget,
      error: { tag: "BudgetExceeded", message: outcome.error.message, step: stopped[0] ?? null },
      stoppedBy: { budget: outcome.error.budget, message: outcome.error.message, steps: [...stopped] }
    }
  }
  if (outcome._tag === "Cancelled") {
    return {
      status: "cancelled",
      exitCode: ExitCode.interrupted,
      error: {
        tag: "Interrupted",
        message: "the run was interrupted; resume it with `filon resume --out <dir>`",
        step: null
      },
      stoppedBy: null
    }
  }
  if (Exit.isSuccess(outcome.exit)) return { status: "succeeded", exitCode: ExitCode.ok, error: null, stoppedBy: null }
  const failure = Option.getOrUndefined(Cause.failureOption(outcome.exit.cause)) as
    | { _tag?: string; step?: string; message?: string }
    | undefined
  const defect = failure ? undefined : Cause.squash(outcome.exit.cause)
  const cause = failure ?? defect
  const step = failure?.step ?? (defect instanceof MissingUpstream ? defect.step : failed[0]) ?? null
  const error = { tag: String((cause as { _tag?: unknown })?._tag ?? "Error"), message: describeError(cause), step }
  if (failure?._tag === "BudgetExceeded") {
    const exceeded = failure as BudgetExceeded
    return {
      status: "failed",
      exitCode: ExitCode.budget,
      error,
      stoppedBy: { budget: exceeded.budget, message: exceeded.message, steps: [...stopped] }
    }
  }
  // A step may find the run's inputs unusable (a file it cannot read as anything): its error says so
  // with `usage: true`, and that is bad usage (exit 2), not a failed step (exit 1).
  const usage =
    defect instanceof MissingUpstream || (failure as { cause?: { usage?: unknown } } | undefined)?.cause?.usage === true
  return { status: "failed", exitCode: usage ? ExitCode.usage : ExitCode.stepFailed, error, stoppedBy: null }
}
