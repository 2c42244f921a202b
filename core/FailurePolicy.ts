/**
 * What a failed step does to the rest of the run, as the profile's `on_step_failure` says: stop
 * (the default), or continue. A run that continues marks the step failed; each step downstream
 * then either reads what the failed step read (its input stands in for its records, so no row is
 * lost) or, when it needs a field only the failed step writes or has no input records at all, is
 * not run, with the reason. See docs/decisions/013-plugin-sdk.md.
 */
import { join } from "node:path"
import * as Effect from "effect/Effect"
import type { PlanNode } from "./Plan.ts"
import type { FailureAction, Profile } from "./Profile.ts"
import { RECORD_KEY } from "./Record.ts"
import { mergeRecords, writeRecords } from "./RecordFile.ts"
import { recordFileOf, type StepState } from "./RunState.ts"
import { describeError, type ExecutionEnv } from "./StepExecution.ts"

/** Step states written for a step that did not do its job start with this: they never match on resume. */
export const SETBACK_FINGERPRINT = "setback:"

const isPattern = (key: string) => key === "*" || key.endsWith(".*")
const patternMatches = (pattern: string, id: string) => pattern === "*" || id.startsWith(pattern.slice(0, -1))

/** The profile's action for one step: its name or id, else the longest matching `stage.*`, else `*`, else stop. */
export const failureActionOf = (profile: Profile, node: Pick<PlanNode, "name" | "id">): FailureAction => {
  const setting = profile.on_step_failure
  if (setting === undefined) return "stop"
  if (typeof setting === "string") return setting
  const exact = setting[node.name] ?? setting[node.id]
  if (exact !== undefined) return exact
  const pattern = Object.keys(setting)
    .filter((key) => isPattern(key) && (patternMatches(key, node.name) || patternMatches(key, node.id)))
    .sort((a, b) => b.length - a.length)[0]
  return pattern !== undefined ? setting[pattern]! : "stop"
}

/** Keys of `on_step_failure` that name no step of the plan (a typo would otherwise be ignored). */
export const unknownFailureKeys = (profile: Profile, nodes: ReadonlyArray<PlanNode>): ReadonlyArray<string> => {
  const setting = profile.on_step_failure
  if (setting === undefined || typeof setting === "string") return []
  return Object.keys(setting).filter(
    (key) =>
      !nodes.some((node) =>
        isPattern(key)
          ? patternMatches(key, node.name) || patternMatches(key, node.id)
          : key === node.name || key === node.id
      )
  )
}

/** A step that did not do its job in a run that goes on. */
interface Setback {
  readonly reason: string
  /** Its input stands in for its records, so steps reading them still get every row. */
  readonly passedOn: boolean
}

export interface ContinuedFailure {
  readonly step: string
  readonly tag: string
  readonly message: string
}

/**
 * The failed and not-run steps of one run that continues past failures. `ancestors` are the plan's
 * (transitive, by name).
 */
export const makeSetbacks = (
  profile: Profile,
  nodes: ReadonlyArray<PlanNode>,
  ancestors: ReadonlyMap<string, ReadonlySet<string>>,
  env: ExecutionEnv
) => {
  const setbacks = new Map<string, Setback>()
  const failures: ContinuedFailure[] = []
  const byName = new Map(nodes.map((node) => [node.name, node]))

  /** True when the profile lets the run go on past this error: a step's own failure, not a usage problem. */
  const continuesPast = (node: PlanNode, error: unknown): boolean => {
    const failure = error as { _tag?: unknown; cause?: { usage?: unknown } } | undefined
    return (
      failure?._tag === "StepFailed" && failure.cause?.usage !== true && failureActionOf(profile, node) === "continue"
    )
  }

  /** Why a step cannot run after the setbacks so far: an input without records, or a field nobody left to write it. */
  const blockedBy = (node: PlanNode): string | undefined => {
    if (setbacks.size === 0 || !node.step) return undefined
    for (const source of env.recordSources.get(node.name) ?? []) {
      const setback = setbacks.get(source)
      if (setback && !setback.passedOn) return `its input ${source} has no records (${setback.reason})`
    }
    const upstream = [...(ancestors.get(node.name) ?? [])].flatMap((name) => {
      const found = byName.get(name)
      return found ? [found] : []
    })
    for (const [field, spec] of Object.entries(node.step.reads)) {
      if (spec.optional) continue
      const writers = upstream.filter((other) => other.step && field in other.step.writes)
      if (writers.length > 0 && writers.every((writer) => setbacks.has(writer.name))) {
        const writer = writers.at(-1)!.name
        return `it reads ${field}, which ${writer} did not write (${setbacks.get(writer)!.reason})`
      }
    }
    return undefined
  }

  /** Writes a transform's input as its record file, so that steps downstream read what it read. */
  const standIn = (node: PlanNode): Effect.Effect<StepState | undefined> => {
    const started = Date.now()
    const relative = recordFileOf(node.name)
    const sources = (env.recordSources.get(node.name) ?? []).map((source) => join(env.runDir, recordFileOf(source)))
    return writeRecords(join(env.runDir, relative), mergeRecords(sources, { key: RECORD_KEY }), {
      key: RECORD_KEY
    }).pipe(
      Effect.map(
        (contract): StepState => ({
          fingerprint: `${SETBACK_FINGERPRINT}${node.name}`,
          outputs: [
            {
              path: relative,
              bytes: contract.bytes,
              sha256: contract.sha256,
              rows: contract.rows,
              schema: contract.fields
            }
          ],
          rows_in: contract.rows,
          rows_out: contract.rows,
          duration_ms: Date.now() - started,
          measures: {},
          finished_at: new Date().toISOString()
        })
      ),
      Effect.catchAll(() => Effect.succeed(undefined))
    )
  }

  /**
   * Records a step that failed (with `failure`) or was not run, and gives the state that stands in for
   * its records (a transform whose input is whole), or undefined.
   */
  const record = (node: PlanNode, reason: string, failure?: unknown): Effect.Effect<StepState | undefined> =>
    Effect.gen(function* () {
      if (failure !== undefined) {
        const tag = (failure as { _tag?: unknown })?._tag
        failures.push({
          step: node.name,
          tag: typeof tag === "string" ? tag : "Error",
          message: describeError(failure)
        })
      }
      const state = node.step?.kind === "transform" ? yield* standIn(node) : undefined
      // Sinks leave no records (their dependents read the sinks' own input), so nothing is missing.
      setbacks.set(node.name, { reason, passedOn: state !== undefined || node.step?.kind === "sink" })
      return state
    })

  return { continuesPast, blockedBy, record, failures: failures as ReadonlyArray<ContinuedFailure> }
}
