/**
 * The runner: profile -> plan -> batches of steps under budgets and retries, with skip/resume,
 * KPIs and a summary. It never names a concrete step: everything comes from the registry.
 */
import { randomBytes } from "node:crypto"
import { mkdir, readdir, rm } from "node:fs/promises"
import { join, resolve } from "node:path"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { TEMP_MARKER } from "./AtomicFile.ts"
import { Budget, type BudgetLimits, type BudgetOptions } from "./Budget.ts"
import { trackBudget } from "./BudgetMetrics.ts"
import { EventLog, type RunEvent } from "./EventLog.ts"
import { makeSetbacks } from "./FailurePolicy.ts"
import { HttpFetcher } from "./http/HttpFetcher.ts"
import { httpSettingsOf } from "./http/HttpSettings.ts"
import type { Job } from "./Job.ts"
import { evaluateKpis, kpiVerdict, measureRecords } from "./Kpi.ts"
import { relieveBetweenSteps, setMemoryBudget } from "./MemoryRelief.ts"
import { observeRun } from "./PipelineMetrics.ts"
import {
  ancestorsOf,
  finalRecordSources,
  type Plan,
  type PlanInvalid,
  type PlanNode,
  recordSourcesOf,
  upstreamFieldsOf
} from "./Plan.ts"
import { prepare, RunRequestInvalid, type StepNotAvailable } from "./Prepare.ts"
import type { Profile } from "./Profile.ts"
import { RECORD_KEY } from "./Record.ts"
import { mergeRecords } from "./RecordFile.ts"
import { Registry } from "./Registry.ts"
import { type RetryPolicy, stepPolicy } from "./Retry.ts"
import { classifyOutcome, MissingUpstream } from "./RunOutcome.ts"
import {
  acquireLock,
  describeInputs,
  jobFilesDigest,
  type RunLocked,
  type RunState,
  readState,
  recordFileOf,
  type StateUnreadable,
  type StepState,
  writeState
} from "./RunState.ts"
import { traceRun, traceStep } from "./RunTracing.ts"
import type { StepConfigInvalid } from "./Settings.ts"
import {
  describeError,
  type ExecutionEnv,
  executeStep,
  fingerprintOf,
  reusableState,
  type StepProgress
} from "./StepExecution.ts"
import { ExitCode, type RunSummary, type StepSummary } from "./Summary.ts"

export interface RunRequest {
  readonly job: Job
  readonly jobFile: string | null
  readonly profile: Profile
  readonly inputs: ReadonlyArray<string>
  readonly outDir: string
  readonly sample?: number | undefined
  /** Reuse the outputs of steps whose recorded contracts still hold. */
  readonly resume: boolean
  /** Run up to `workers` independent steps at once. */
  readonly workers: number
  /** CLI overrides of the job's budgets. */
  readonly budgets?: BudgetLimits
  /** CLI `--set step.key=value` overrides. */
  readonly set?: ReadonlyArray<string>
  /** `run-step`: run only these steps, reading their input from the folder's recorded outputs. */
  readonly only?: ReadonlyArray<string>
  readonly runId?: string
  readonly budgetOptions?: BudgetOptions
  /** How a step that failed with a retryable error is tried again. @default 2 retries from 1 s, capped at 30 s */
  readonly retry?: RetryPolicy
  readonly onEvent?: (event: RunEvent) => void
  readonly onProgress?: (progress: StepProgress, phase: "start" | "end") => void
  /** Completes when the caller wants the run stopped (SIGINT, a server cancel). */
  readonly cancel?: Effect.Effect<void>
}

export { prepare, RunRequestInvalid, StepNotAvailable, unavailableHere } from "./Prepare.ts"

export type RunRefused =
  | PlanInvalid
  | StepNotAvailable
  | StepConfigInvalid
  | RunLocked
  | StateUnreadable
  | RunRequestInvalid

export const newRunId = () =>
  `${new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}-${randomBytes(3).toString("hex")}`

/** The merged budgets: job, then CLI flags. */
export const budgetLimitsOf = (job: Job, overrides: BudgetLimits = {}): BudgetLimits => ({
  ...job.budgets,
  ...Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined))
})

/** Runs a profile. Refusals (bad plan, settings, lock) fail; a run that started always returns a summary. */
export const runProfile = (request: RunRequest): Effect.Effect<RunSummary, RunRefused, Registry> =>
  Effect.scoped(
    Effect.gen(function* () {
      const registry = yield* Registry
      const { plan, settings } = yield* prepare(request.profile, request.job, request.set)
      const only = request.only ?? []
      for (const name of only) {
        if (!plan.nodes.some((node) => node.name === name || node.id === name)) {
          return yield* new RunRequestInvalid({ reason: `step ${name} is not in profile ${plan.profile.id}` })
        }
      }
      const outDir = resolve(request.outDir)
      yield* Effect.tryPromise({
        try: () => mkdir(join(outDir, "state"), { recursive: true }),
        catch: (error) =>
          new RunRequestInvalid({
            reason: `cannot use ${outDir} as the run folder: ${(error as Error)?.message ?? error}`
          })
      })
      const previous = request.resume || only.length > 0 ? yield* readState(outDir) : undefined
      const runId = previous?.run_id ?? request.runId ?? newRunId()
      yield* acquireLock(outDir, runId)
      yield* Effect.promise(() => sweepTemporaryFiles(outDir))

      const recordSources = recordSourcesOf(plan.nodes)
      const ancestors = ancestorsOf(plan.nodes)
      // The live step states, shared with `execute` (which fills it) so steps can list upstream outputs.
      const stepStates: Record<string, StepState> = { ...(previous?.steps ?? {}) }
      const env: ExecutionEnv = {
        runId,
        runDir: outDir,
        job: request.job,
        inputs: request.inputs,
        inputsDescription: yield* describeInputs(request.inputs),
        jobFilesDigest: yield* jobFilesDigest(request.job, request.jobFile),
        sample: request.sample,
        profile: { id: plan.profile.id, file: plan.profile.file },
        upstreamFields: upstreamFieldsOf(plan.nodes),
        upstreamOutputs: (name) => {
          const before = ancestors.get(name) ?? new Set<string>()
          return plan.nodes
            .filter((node) => before.has(node.name))
            .flatMap((node) =>
              (stepStates[node.name]?.outputs ?? [])
                .filter((output) => !output.path.startsWith("state/"))
                .map((output) => ({ ...output, step: node.name }))
            )
        },
        recordSources,
        onProgress: request.onProgress,
        retry: request.retry ?? stepPolicy
      }
      const limits = budgetLimitsOf(request.job, request.budgets)
      setMemoryBudget(limits.max_ram_mb)
      const metrics = yield* observeRun({ niche: request.job.niche, profile: plan.profile.id })
      const baseLayer = Layer.mergeAll(
        Budget.layer(limits, request.budgetOptions),
        EventLog.layer(outDir, runId, [metrics.onEvent, ...(request.onEvent ? [request.onEvent] : [])])
      )
      // The run's one door to the network, over the run's budget; its cache opens on first use.
      const runLayer = Layer.provideMerge(HttpFetcher.layer(httpSettingsOf(request.job)), baseLayer)
      const stepLayer = Layer.provideMerge(
        registry.layer as Layer.Layer<never, unknown, Budget | EventLog | HttpFetcher>,
        runLayer
      )
      return yield* execute(request, plan, settings, env, previous, outDir, stepStates).pipe(
        Effect.provide(stepLayer),
        Effect.orDie,
        traceRun({ runId, niche: request.job.niche, profile: plan.profile.id })
      )
    })
  )

interface Progress {
  readonly steps: Record<string, StepState>
  readonly summaries: Map<string, StepSummary>
  readonly running: Set<string>
  /** Steps that ended in an error, in the order they failed. */
  readonly failed: string[]
}

/**
 * Starts the warm-ups of the steps a run is about to execute (`StepOptions.warmUp`), each function
 * once, so that a step's slow start (a thread, a browser) overlaps the steps before it (decision 026).
 */
const warmUpSteps = (nodes: ReadonlyArray<PlanNode>) => {
  const started = new Set<() => void>()
  for (const node of nodes) {
    const warmUp = node.step?.warmUp
    if (warmUp === undefined || started.has(warmUp)) continue
    started.add(warmUp)
    try {
      warmUp()
    } catch {
      // A warm-up is an optimisation: the step does its own start-up when its turn comes.
    }
  }
}

const execute = (
  request: RunRequest,
  plan: Plan,
  settings: ReadonlyMap<string, unknown>,
  env: ExecutionEnv,
  previous: RunState | undefined,
  outDir: string,
  stepStates: Record<string, StepState>
) =>
  Effect.gen(function* () {
    const events = yield* EventLog
    const budget = yield* Budget
    const http = yield* HttpFetcher
    yield* trackBudget(request.job.niche, budget)
    const startedAt = new Date()
    const only = new Set(request.only ?? [])
    const selected = (name: string, id: string) => only.size === 0 || only.has(name) || only.has(id)
    // A fresh run starts from nothing; a resumed one (or run-step) keeps earlier steps to compare contracts.
    const progress: Progress = {
      steps: stepStates,
      summaries: new Map(),
      running: new Set(),
      failed: []
    }
    const rerun = new Set<string>()
    // Steps that failed in a run the profile lets go on, and those they kept from running.
    const setbacks = makeSetbacks(plan.profile, plan.nodes, ancestorsOf(plan.nodes), env)
    const baseState: Omit<RunState, "steps"> = {
      version: 1,
      run_id: env.runId,
      job_file: request.jobFile,
      job: request.job,
      profile: { id: plan.profile.id, file: plan.profile.file },
      inputs: request.inputs,
      options: {
        sample: request.sample ?? null,
        set: request.set ?? [],
        budgets: Object.fromEntries(Object.entries(request.budgets ?? {}).filter(([, v]) => v !== undefined)) as Record<
          string,
          number
        >
      },
      created_at: previous?.created_at ?? startedAt.toISOString()
    }
    const save = Effect.suspend(() => writeState(outDir, { ...baseState, steps: progress.steps })).pipe(Effect.orDie)
    yield* save
    yield* events.emit(previous ? "run.resume" : "run.start", {
      profile: plan.profile.id,
      niche: request.job.niche,
      steps: plan.nodes.map((node) => node.name),
      batches: plan.batches,
      workers: request.workers
    })

    /** A step that did not do its job in a run that goes on: its input stands in for its records when it can. */
    const setBack = (node: PlanNode, status: "failed" | "not_run", reason: string, failure?: unknown) =>
      Effect.gen(function* () {
        rerun.add(node.name)
        delete progress.steps[node.name]
        // The run goes on: this failure no longer stops it, so it is not among the steps that did.
        const stopping = progress.failed.indexOf(node.name)
        if (stopping >= 0) progress.failed.splice(stopping, 1)
        const standIn = yield* setbacks.record(node, reason, failure)
        if (standIn) progress.steps[node.name] = standIn
        progress.summaries.set(node.name, stepSummaryOf(node, status, reason))
        yield* status === "failed"
          ? events.emit("step.fail", { step: node.name, error: reason, continued: true })
          : events.emit("step.log", { step: node.name, message: `not run: ${reason}` })
        yield* save
        return undefined
      })

    /** Steps this run has started executing (resumed and skipped ones are not counted). */
    let executed = 0
    const runNode = (name: string) =>
      Effect.gen(function* () {
        const node = plan.nodes.find((candidate) => candidate.name === name)!
        const summary = (status: StepSummary["status"], detail: string | null, state?: StepState) =>
          progress.summaries.set(name, stepSummaryOf(node, status, detail, state))
        if (!selected(node.name, node.id)) {
          if (progress.steps[name]) summary("skipped", "not selected (run-step)", progress.steps[name])
          return
        }
        const blocked = setbacks.blockedBy(node)
        if (blocked !== undefined) return yield* setBack(node, "not_run", blocked)
        for (const source of env.recordSources.get(name) ?? []) {
          if (!progress.steps[source]) {
            return yield* Effect.die(new MissingUpstream({ step: name, upstream: source }))
          }
        }
        const fingerprint = fingerprintOf(node, settings.get(name), env, progress.steps)
        const upstreamRerun = node.deps.some((dep) => rerun.has(dep))
        if (request.resume && only.size === 0 && !upstreamRerun) {
          const reuse = yield* reusableState(fingerprint, progress.steps[name], outDir)
          if (reuse.reusable) {
            summary("skipped", "outputs recorded and intact", progress.steps[name])
            yield* events.emit("step.skip", { step: name, reason: "outputs recorded and intact" })
            return
          }
          if (progress.steps[name])
            yield* events.emit("step.log", { step: name, message: `re-running: ${reuse.reason}` })
        }
        // The garbage of the steps already started here (whole record files went through them) is given
        // back before this one when memory calls for it: before every executed step but the first to start.
        // Not after a step: after the last one it would only delay the run's end (a full collection costs
        // 20-60 ms). Under --parallel a step of the first batch may find its sibling just started; the
        // bulk loops' own checks cover what happens inside a batch.
        if (executed++ > 0) yield* Effect.sync(relieveBetweenSteps)
        else yield* Effect.sync(() => warmUpSteps(plan.nodes.filter((other) => selected(other.name, other.id))))
        rerun.add(name)
        delete progress.steps[name]
        progress.running.add(name)
        const state = yield* executeStep(node, settings.get(name), fingerprint, env).pipe(
          // An interrupted step (a budget or a cancel won the race) stays in `running`: the summary names it.
          Effect.tapBoth({
            onFailure: () => Effect.sync(() => progress.failed.push(name) && progress.running.delete(name)),
            onSuccess: () => Effect.sync(() => progress.running.delete(name))
          }),
          traceStep({ name, id: node.id, runId: env.runId }, http.stats),
          Effect.catchIf(
            (error) => setbacks.continuesPast(node, error),
            (failure) => setBack(node, "failed", describeError(failure), failure)
          )
        )
        if (state === undefined) return
        progress.steps[name] = state
        summary("done", null, state)
        yield* save
      })

    const batches = Effect.forEach(
      plan.batches,
      (batch) => Effect.forEach(batch, runNode, { concurrency: Math.max(1, request.workers), discard: true }),
      { discard: true }
    )
    const cancelled = yield* Deferred.make<void>()
    if (request.cancel)
      yield* Effect.forkScoped(request.cancel.pipe(Effect.zipRight(Deferred.succeed(cancelled, undefined))))
    const outcome = yield* Effect.raceAll([
      Effect.exit(batches).pipe(Effect.map((exit) => ({ _tag: "Finished" as const, exit }))),
      budget.exceeded.pipe(Effect.catchAll((error) => Effect.succeed({ _tag: "Budget" as const, error }))),
      Deferred.await(cancelled).pipe(Effect.as({ _tag: "Cancelled" as const }))
    ])
    // Steps cut short: the one that failed (a budget error surfaces through a step) and those still running.
    const stoppedSteps = [...new Set([...progress.failed, ...progress.running])]
    progress.running.clear()

    const {
      status,
      error,
      stoppedBy,
      finished,
      exitCode: endCode
    } = classifyOutcome(outcome, stoppedSteps, progress.failed, setbacks.failures)
    let exitCode = endCode
    for (const name of stoppedSteps) {
      const detail = status === "cancelled" ? "interrupted" : (error?.message ?? "stopped")
      const failedHere = error?.step === name && outcome._tag === "Finished" && !stoppedBy
      const node = plan.nodes.find((candidate) => candidate.name === name)!
      progress.summaries.set(name, stepSummaryOf(node, failedHere ? "failed" : "stopped", detail))
    }
    // A run that went on past failed steps logged each as it failed.
    if (error && !finished)
      yield* events.emit(stoppedBy ? "budget.exceeded" : "step.fail", { step: error.step, error: error.message })

    const measures = Object.assign({}, ...Object.values(progress.steps).map((state) => state.measures)) as Record<
      string,
      number
    >
    let kpiResults: ReturnType<typeof evaluateKpis> = []
    if (finished) {
      const targets = request.job.kpi_targets ?? {}
      const needsFigures = Object.keys(targets).some((key) => key !== "min_lines_per_s")
      const finals = finalRecordSources(plan.nodes)
        .filter((name) => progress.steps[name] !== undefined)
        .map((name) => join(outDir, recordFileOf(name)))
      const figures =
        needsFigures && finals.length > 0
          ? yield* measureRecords(mergeRecords(finals, { key: RECORD_KEY }), RECORD_KEY).pipe(Effect.orDie)
          : undefined
      kpiResults = evaluateKpis(targets, figures, measures)
      yield* events.emit("kpi.result", { results: kpiResults })
      // A failed step (exit 1) outranks missed KPIs.
      if (exitCode === ExitCode.ok && kpiResults.some((result) => !result.met)) exitCode = ExitCode.kpisNotMet
    }
    yield* save

    const endedAt = new Date()
    const summary: RunSummary = {
      run_id: env.runId,
      status,
      exit_code: exitCode,
      niche: request.job.niche,
      profile: plan.profile.id,
      out_dir: outDir,
      started_at: startedAt.toISOString(),
      ended_at: endedAt.toISOString(),
      duration_s: (endedAt.getTime() - startedAt.getTime()) / 1000,
      resumed: previous !== undefined,
      steps: plan.nodes.map(
        (node) => progress.summaries.get(node.name) ?? stepSummaryOf(node, "not_run", error ? "not reached" : null)
      ),
      kpis: {
        met: finished && kpiResults.every((result) => result.met),
        verdict: finished ? kpiVerdict(kpiResults) : "KPIs NOT MET: the run did not finish",
        results: kpiResults
      },
      budgets: yield* budget.usage,
      stopped_by: stoppedBy,
      measures,
      outputs: plan.nodes.flatMap((node) =>
        (progress.steps[node.name]?.outputs ?? [])
          .filter((output) => !output.path.startsWith("state/"))
          .map((output) => ({
            path: output.path,
            step: node.name,
            bytes: output.bytes,
            sha256: output.sha256,
            rows: output.rows ?? null
          }))
      ),
      error
    }
    yield* events.emit("run.end", {
      status,
      exit_code: exitCode,
      duration_s: summary.duration_s,
      kpis: summary.kpis.verdict
    })
    return summary
  })

/** A step's line in the summary; counts and duration come from its recorded state, when it has one. */
const stepSummaryOf = (
  node: PlanNode,
  status: StepSummary["status"],
  detail: string | null,
  state?: StepState
): StepSummary => ({
  name: node.name,
  id: node.id,
  status,
  batch: node.batch,
  rows_in: state?.rows_in ?? null,
  rows_out: state?.rows_out ?? null,
  duration_s: state ? state.duration_ms / 1000 : null,
  detail
})

/** Removes what killed writers left behind (temporary names only; the lock is held). */
const sweepTemporaryFiles = async (dir: string): Promise<void> => {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) await sweepTemporaryFiles(path)
    else if (entry.name.includes(TEMP_MARKER)) await rm(path, { force: true })
  }
}

/** The runner as a service, for shells that hold a runtime (server, CLI). */
export class Runner extends Context.Tag("core/Runner")<
  Runner,
  { readonly run: (request: RunRequest) => Effect.Effect<RunSummary, RunRefused> }
>() {
  static readonly Live = Layer.effect(
    Runner,
    Effect.map(Registry, (registry) => ({
      run: (request: RunRequest) => runProfile(request).pipe(Effect.provideService(Registry, registry))
    }))
  )
}
