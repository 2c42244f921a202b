/**
 * Step settings, merged in one order everywhere: step default < profile `config` < job < CLI.
 * Defaults live in each step's config schema, so the merged object is decoded last.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import YAML from "yaml"
import type { Job } from "./Job.ts"
import type { Profile } from "./Profile.ts"
import type { StepDefinition } from "./Step.ts"

export class StepConfigInvalid extends Data.TaggedError("StepConfigInvalid")<{
  readonly step: string
  readonly problems: ReadonlyArray<string>
}> {
  override get message() {
    const what = this.step === "" ? "step settings are invalid" : `settings of step ${this.step} are invalid`
    return `${what}:\n${this.problems.map((problem) => `  ${problem}`).join("\n")}`
  }
}

type Settings = Readonly<Record<string, unknown>>

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Deep merge of plain objects; arrays and scalars from a later layer replace earlier ones. */
export const mergeLayers = (...layers: ReadonlyArray<Settings | undefined>): Record<string, unknown> => {
  const result: Record<string, unknown> = {}
  for (const layer of layers) {
    if (!layer) continue
    for (const [key, value] of Object.entries(layer)) {
      const previous = result[key]
      result[key] = isPlainObject(previous) && isPlainObject(value) ? mergeLayers(previous, value) : value
    }
  }
  return result
}

const getPath = (value: unknown, path: string): unknown =>
  path.split(".").reduce<unknown>((current, key) => (isPlainObject(current) ? current[key] : undefined), value)

/** The job's layer for one step: values bound with `fromJob`, then the job's `config.<step id>`. */
export const jobSettingsFor = (step: StepDefinition, name: string, job: Job): Settings => {
  const bound: Record<string, unknown> = {}
  for (const [key, path] of Object.entries(step.fromJob)) {
    const value = getPath(job, path)
    if (value !== undefined) bound[key] = value
  }
  const perStep = job.config ?? {}
  return mergeLayers(bound, perStep[step.id], name === step.id ? undefined : perStep[name])
}

/**
 * Parses CLI `--set step.id.key=value` overrides. The step id is the longest prefix naming a
 * step in `stepIds`; values are read as YAML scalars (`3`, `true`, `"x"`, `[a, b]`).
 */
export const parseSetOverrides = (
  assignments: ReadonlyArray<string>,
  stepIds: ReadonlyArray<string>
): Either<Record<string, Record<string, unknown>>, string> => {
  const result: Record<string, Record<string, unknown>> = {}
  for (const assignment of assignments) {
    const eq = assignment.indexOf("=")
    if (eq <= 0) return { error: `--set ${assignment}: expected step.id.key=value` }
    const target = assignment.slice(0, eq)
    const step = [...stepIds].sort((a, b) => b.length - a.length).find((id) => target.startsWith(`${id}.`))
    if (!step) return { error: `--set ${assignment}: no step of this profile matches ${target}` }
    const keyPath = target.slice(step.length + 1).split(".")
    let value: unknown
    try {
      value = YAML.parse(assignment.slice(eq + 1))
    } catch {
      value = assignment.slice(eq + 1)
    }
    const nested = keyPath.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Settings
    result[step] = mergeLayers(result[step], nested)
  }
  return { value: result }
}

type Either<A, E> =
  | { readonly value: A; readonly error?: undefined }
  | { readonly error: E; readonly value?: undefined }

/** Merges the four layers for one step and decodes them with the step's schema (which fills defaults). */
export const resolveSettings = (
  step: StepDefinition,
  name: string,
  layers: { readonly profile: Profile; readonly job: Job; readonly cli: Readonly<Record<string, Settings>> }
): Effect.Effect<unknown, StepConfigInvalid> => {
  const merged = mergeLayers(
    layers.profile.config[step.id],
    name === step.id ? undefined : layers.profile.config[name],
    jobSettingsFor(step, name, layers.job),
    layers.cli[step.id],
    name === step.id ? undefined : layers.cli[name]
  )
  return Schema.decodeUnknown(step.config, { errors: "all", onExcessProperty: "error" })(merged).pipe(
    Effect.mapError(
      (error) =>
        new StepConfigInvalid({
          step: name,
          problems: describeIssues(error)
        })
    )
  )
}

/** One problem per failing key; an optional key's "or undefined" alternative is not news to the user. */
export const issuesOf = (
  error: ParseResult.ParseError,
  root = "(settings)"
): ReadonlyArray<{ readonly path: string; readonly message: string }> => {
  const seen = new Set<string>()
  const problems: Array<{ path: string; message: string }> = []
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  // "Expected undefined" is the optional wrapper's own alternative: noise when a real problem is listed.
  const meaningful = issues.filter((issue) => !issue.message.startsWith("Expected undefined"))
  for (const issue of meaningful.length > 0 ? meaningful : issues) {
    const path = issue.path.length > 0 ? issue.path.join(".") : root
    if (seen.has(path)) continue
    seen.add(path)
    problems.push({ path, message: issue.message })
  }
  return problems
}

/** `issuesOf` as lines, `path: message`. */
export const describeIssues = (error: ParseResult.ParseError): ReadonlyArray<string> =>
  issuesOf(error).map((issue) => `${issue.path}: ${issue.message}`)
