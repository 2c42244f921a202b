/**
 * Errors to exit codes (CONTRACTS.md): the only place the CLI and the server decide them.
 * 2 bad usage or config, 1 a step failed, 3 budget exceeded, 4 KPIs not met, 130 interrupted.
 */
import { ExitCode } from "./Summary.ts"

const USAGE_ERRORS = new Set([
  "UsageError",
  "JobInvalid",
  "ProfileInvalid",
  "ProfileNotFound",
  "PlanInvalid",
  "StepNotAvailable",
  "StepConfigInvalid",
  "StepNotFound",
  "PluginInvalid",
  "PluginConflict",
  "RunLocked",
  "StateUnreadable",
  "RunRequestInvalid",
  "StateMissing"
])

export const exitCodeOf = (error: unknown): number => {
  const tag = (error as { _tag?: unknown } | undefined)?._tag
  if (typeof tag === "string" && USAGE_ERRORS.has(tag)) return ExitCode.usage
  if (tag === "BudgetExceeded") return ExitCode.budget
  return ExitCode.stepFailed
}

/** The text shown for an error: its own message, which names the file, key or step at fault. */
export const messageOf = (error: unknown): string => {
  const value = error as { message?: unknown } | undefined
  return typeof value?.message === "string" && value.message !== "" ? value.message : String(error)
}
