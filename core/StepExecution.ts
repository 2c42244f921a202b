/**
 * Running one planned step: decide whether its recorded outputs can be reused, otherwise stream
 * its input records through its service, write its record file and outputs, and record contracts.
 */
import { createHash } from "node:crypto"
import { join } from "node:path"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { digestFile, writeAtomic } from "./AtomicFile.ts"
import { Budget } from "./Budget.ts"
import { EventLog } from "./EventLog.ts"
import type { PlanNode } from "./Plan.ts"
import { RECORD_KEY } from "./Record.ts"
import { mergeRecords, writeRecords } from "./RecordFile.ts"
import * as Retry from "./Retry.ts"
import { checkOutputs, recordFileOf, type StepState } from "./RunState.ts"
import { type DeclaredField, isRecordStream, type OutputContract, type StepContext, StepOutputInvalid } from "./Step.ts"
import { blameOf, watchRecords, withinTimeLimit } from "./StepGuard.ts"

export class StepFailed extends Data.TaggedError("StepFailed")<{
  readonly step: string
  readonly cause: unknown
  /** For a third-party plugin's step: the plugin (`id version`), and the record it was working on. */
  readonly plugin?: string
  readonly record?: string
}> {
  override get message() {
    const cause = this.cause as { message?: unknown; _tag?: unknown } | undefined
    const text =
      typeof cause?.message === "string" && cause.message !== "" ? cause.message : String(cause?._tag ?? cause)
    const blame = [
      ...(this.plugin !== undefined ? [`plugin ${this.plugin}`] : []),
      ...(this.record !== undefined ? [`record ${this.record}`] : [])
    ]
    return `step ${this.step} failed${blame.length > 0 ? ` (${blame.join(", ")})` : ""}: ${text}`
  }
}

/** Live counters a progress display reads while a step runs. */
export interface StepProgress {
  readonly name: string
  rowsIn: number
  rowsOut: number
  total: number | undefined
  readonly startedAt: number
}

export interface ExecutionEnv {
  readonly runId: string
  readonly runDir: string
  readonly job: StepContext<unknown>["job"]
  readonly inputs: ReadonlyArray<string>
  readonly inputsDescription: string
  /**
   * The sha256 of the files the job points to (its suppression list), or null without any: a step
   * that reads the job is re-run when such a file's content changes, not only its path.
   */
  readonly jobFilesDigest: string | null
  readonly sample: number | undefined
  readonly profile: { readonly id: string; readonly file: string }
  /** Fields declared upstream of each node (by node name). */
  readonly upstreamFields: ReadonlyMap<string, ReadonlyArray<DeclaredField>>
  /** Outputs recorded so far by the ancestors of a node. */
  readonly upstreamOutputs: (node: string) => ReadonlyArray<OutputContract & { readonly step: string }>
  /** Record files each node reads (by node name). */
  readonly recordSources: ReadonlyMap<string, ReadonlyArray<string>>
  readonly onProgress?: ((progress: StepProgress, phase: "start" | "end") => void) | undefined
  readonly retry: Retry.RetryPolicy
}

export type StepOutcome =
  | { readonly _tag: "Skipped"; readonly state: StepState }
  | { readonly _tag: "Done"; readonly state: StepState }

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")

/** What makes a step's outputs reusable: its code version, settings, and the exact inputs it read. */
export const fingerprintOf = (
  node: PlanNode,
  settings: unknown,
  env: ExecutionEnv,
  steps: Readonly<Record<string, StepState>>
) =>
  sha256(
    JSON.stringify({
      id: node.id,
      name: node.name,
      version: node.step!.version,
      plugin: node.step!.plugin ?? null,
      settings,
      records: (env.recordSources.get(node.name) ?? []).map((source) => steps[source]?.outputs[0]?.sha256 ?? null),
      // Files upstream steps left (a manifest lists and hashes them) and, for steps that embed it, the job.
      upstreamOutputs: env.upstreamOutputs(node.name).map((output) => `${output.path}:${output.sha256}`),
      job: node.step!.readsJob ? env.job : null,
      // Only present when the job names such files, so other runs' fingerprints stay as they were.
      ...((node.step!.readsJob || node.step!.readsJobFiles) && env.jobFilesDigest !== null
        ? { jobFiles: env.jobFilesDigest }
        : {}),
      inputs: node.step!.kind === "source" ? sha256(env.inputsDescription) : null,
      sample: env.sample ?? null
    })
  )

/** Reuses the step's recorded outputs when its fingerprint matches and every output is intact. */
export const reusableState = (
  fingerprint: string,
  previous: StepState | undefined,
  runDir: string
): Effect.Effect<{ readonly reusable: true } | { readonly reusable: false; readonly reason: string }> =>
  Effect.gen(function* () {
    if (!previous) return { reusable: false, reason: "no finished run of this step recorded" }
    if (previous.fingerprint !== fingerprint) return { reusable: false, reason: "its settings or input changed" }
    const check = yield* checkOutputs(runDir, previous.outputs)
    return check.ok ? { reusable: true } : { reusable: false, reason: `output ${check.path} is ${check.reason}` }
  })

/** Runs one step to completion (with retries on retryable errors) and returns its new state. */
export const executeStep = (node: PlanNode, settings: unknown, fingerprint: string, env: ExecutionEnv) =>
  Effect.gen(function* () {
    const step = node.step!
    const events = yield* EventLog
    const budget = yield* Budget
    const service = yield* step.tag
    const progress: StepProgress = { name: node.name, rowsIn: 0, rowsOut: 0, total: undefined, startedAt: Date.now() }
    const outputs = new Map<string, OutputContract>()
    const measures: Record<string, number> = {}
    const declared = new Set(step.outputs.map((output) => output.path))
    // Only third-party steps are watched: built-in ones pay nothing per record.
    const guard = step.guard
    const watch = guard ? watchRecords(step) : undefined

    const checkDeclared = (relative: string) =>
      declared.has(relative)
        ? Effect.void
        : Effect.fail(new StepOutputInvalid({ stepId: node.name, path: relative, reason: "NotDeclared" }))
    const context: StepContext<unknown> = {
      stepId: node.id,
      invokedAs: node.name,
      runId: env.runId,
      runDir: env.runDir,
      config: settings,
      pluginConfig: step.plugin?.settings,
      job: env.job,
      inputs: env.inputs,
      sample: env.sample,
      profile: env.profile,
      upstreamFields: env.upstreamFields.get(node.name) ?? [],
      upstreamOutputs: () => env.upstreamOutputs(node.name),
      path: (relative) => join(env.runDir, relative),
      writeOutput: (relative, content, meta) =>
        checkDeclared(relative).pipe(
          Effect.zipRight(writeAtomic(join(env.runDir, relative), content)),
          Effect.mapError((error) =>
            error._tag === "StepOutputInvalid"
              ? error
              : new StepOutputInvalid({
                  stepId: node.name,
                  path: relative,
                  reason: "WriteFailed",
                  detail: error.message
                })
          ),
          Effect.map((digest) => contractOf(relative, digest, meta)),
          Effect.tap((contract) => Effect.sync(() => outputs.set(relative, contract)))
        ),
      recordOutput: (relative, meta) =>
        checkDeclared(relative).pipe(
          Effect.zipRight(digestFile(join(env.runDir, relative))),
          Effect.flatMap((digest) =>
            digest
              ? Effect.succeed(contractOf(relative, digest, meta))
              : Effect.fail(new StepOutputInvalid({ stepId: node.name, path: relative, reason: "Missing" }))
          ),
          Effect.tap((contract) => Effect.sync(() => outputs.set(relative, contract)))
        ),
      measure: (name, value) =>
        Effect.sync(() => {
          measures[name] = value
        }),
      expectTotal: (total) =>
        Effect.sync(() => {
          progress.total = total
        }),
      log: (message, data) => events.emit("step.log", { step: node.name, message, ...data })
    }

    const sources = env.recordSources.get(node.name) ?? []
    // A step may read its input more than once (a sink writing CSV then Parquet): rows in is one pass.
    const passes: number[] = []
    const input = Stream.suspend(() => {
      const pass = passes.push(0) - 1
      return mergeRecords(
        sources.map((source) => join(env.runDir, recordFileOf(source))),
        { key: RECORD_KEY }
      ).pipe(
        Stream.mapChunks((chunk) => {
          passes[pass]! += chunk.length
          progress.rowsIn = Math.max(progress.rowsIn, passes[pass]!)
          return chunk
        })
      )
    })

    const attempt = Effect.suspend(() => {
      progress.rowsIn = 0
      progress.rowsOut = 0
      passes.length = 0
      outputs.clear()
      watch?.reset()
      const result = service.run(watch ? watch.input(input) : input, context)
      if (!isRecordStream(result)) return result as Effect.Effect<void, unknown>
      const checked = watch ? watch.output(result) : result
      const limited = step.kind === "source" && env.sample !== undefined ? Stream.take(checked, env.sample) : checked
      const counted = limited.pipe(
        Stream.mapChunks((chunk) => {
          progress.rowsOut += chunk.length
          return chunk
        })
      )
      const relative = recordFileOf(node.name)
      return writeRecords(join(env.runDir, relative), counted, { key: RECORD_KEY }).pipe(
        Effect.map((contract) => {
          // The record file comes first: dependents' fingerprints point at it.
          const entries = [...outputs]
          outputs.clear()
          outputs.set(relative, {
            path: relative,
            bytes: contract.bytes,
            sha256: contract.sha256,
            rows: contract.rows,
            schema: contract.fields
          })
          for (const [path, output] of entries) outputs.set(path, output)
        })
      )
    })

    env.onProgress?.(progress, "start")
    yield* events.emit("step.start", { step: node.name, id: node.id, sources })
    yield* attempt.pipe(
      Effect.tapError((error) =>
        Retry.isRetryable(error)
          ? events.emit("step.retry", { step: node.name, error: describeError(error) })
          : Effect.void
      ),
      Retry.retrying(env.retry),
      guard ? withinTimeLimit(guard) : (self) => self,
      Effect.ensuring(Effect.sync(() => env.onProgress?.(progress, "end"))),
      Effect.mapError((error) =>
        (error as { _tag?: unknown })?._tag === "BudgetExceeded"
          ? error
          : new StepFailed({ step: node.name, cause: error, ...(guard && watch ? blameOf(guard, watch, error) : {}) })
      ),
      Effect.catchAllDefect((defect) =>
        Effect.fail(
          new StepFailed({ step: node.name, cause: defect, ...(guard && watch ? blameOf(guard, watch, defect) : {}) })
        )
      )
    )

    for (const output of step.outputs) {
      if (!output.optional && !outputs.has(output.path)) {
        return yield* new StepFailed({
          step: node.name,
          cause: new StepOutputInvalid({ stepId: node.name, path: output.path, reason: "Missing" }),
          ...(guard ? { plugin: guard.plugin } : {})
        })
      }
    }
    const state: StepState = {
      fingerprint,
      outputs: [...outputs.values()],
      rows_in: progress.rowsIn,
      rows_out: step.kind === "sink" ? null : progress.rowsOut,
      duration_ms: Date.now() - progress.startedAt,
      measures,
      finished_at: new Date().toISOString()
    }
    yield* events.emit("step.end", {
      step: node.name,
      rows_in: state.rows_in,
      rows_out: state.rows_out,
      duration_ms: state.duration_ms,
      outputs: state.outputs.map((output) => output.path),
      measures,
      budgets: yield* budget.usage
    })
    return state
  })

const contractOf = (
  path: string,
  digest: { readonly bytes: number; readonly sha256: string },
  meta: { readonly rows?: number; readonly schema?: ReadonlyArray<string> } | undefined
): OutputContract => ({
  path,
  bytes: digest.bytes,
  sha256: digest.sha256,
  ...(meta?.rows !== undefined ? { rows: meta.rows } : {}),
  ...(meta?.schema ? { schema: meta.schema } : {})
})

export const describeError = (error: unknown): string => {
  const value = error as { message?: unknown; _tag?: unknown } | undefined
  if (typeof value?.message === "string" && value.message !== "") return value.message
  if (typeof value?._tag === "string") return value._tag
  return String(error)
}
