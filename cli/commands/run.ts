/**
 * `run-profile`, `run-step` and `resume`: decode arguments, build a run request, call the runner (with
 * the metrics endpoint and push when asked), render the summary (text or --json) and return the exit code.
 */
import { stat } from "node:fs/promises"
import { resolve } from "node:path"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { loadConfig } from "../../core/Config.ts"
import { exitCodeOf, messageOf } from "../../core/ExitCodes.ts"
import { type Job, loadJob } from "../../core/Job.ts"
import { type LaunchTarget, openRun, startRun } from "../../core/Launch.ts"
import { resolvePlan } from "../../core/Plan.ts"
import { looksLikePath } from "../../core/Profile.ts"
import { Registry } from "../../core/Registry.ts"
import { prepare, type RunRequest, unavailableHere } from "../../core/Runner.ts"
import { readState } from "../../core/RunState.ts"
import { ExitCode } from "../../core/Summary.ts"
import { decodeArgs, describeOptions, type OptionSpecs, type Parsed, UsageError } from "../args.ts"
import type { CliIo } from "../io.ts"
import { type RunMetricsOptions, withRunMetrics } from "../metrics.ts"
import { makeProgressDisplay } from "../progress.ts"
import { planJson, renderPlan, renderSummary } from "../render.ts"

export class StateMissing extends Data.TaggedError("StateMissing")<{ readonly dir: string }> {
  override get message() {
    return `${this.dir} holds no run state to resume (was a run started there with --out ${this.dir}?)`
  }
}

/** Options shared by every command that runs a profile. */
export const runOptions = {
  input: { kind: "strings", value: "PATH", description: "input file or folder (CSV, .zip, Parquet)" },
  out: { kind: "string", value: "DIR", description: "run folder (default out/<niche>/)" },
  profile: { kind: "string", value: "NAME|FILE", description: "profile id or path (default: the job's profile)" },
  sample: { kind: "integer", value: "N", description: "keep at most N records at the source" },
  json: { kind: "boolean", description: "print only the JSON summary on stdout" },
  parallel: { kind: "boolean", description: "run independent steps at once" },
  workers: { kind: "integer", value: "N", description: "with --parallel: steps at once (default 2)" },
  "time-budget-min": { kind: "number", value: "M", description: "wall-time budget, minutes (overrides the job)" },
  "max-ram-mb": { kind: "number", value: "R", description: "RAM budget, MiB (overrides the job)" },
  set: { kind: "strings", value: "STEP.KEY=VALUE", description: "override a step setting" },
  config: { kind: "string", value: "FILE", description: "installation config file (default: FILON_CONFIG)" },
  "prometheus-port": {
    kind: "integer",
    value: "N",
    description: "serve /metrics on 127.0.0.1 (or FILON_HOST) port N while the run lasts"
  },
  pushgateway: {
    kind: "string",
    value: "URL",
    description: "push the run's metrics to this Pushgateway at the end (default: config metrics.pushgateway)"
  }
} as const satisfies OptionSpecs

export const runProfileOptions = {
  job: { kind: "string", value: "FILE", description: "job file (YAML)" },
  ...runOptions,
  resume: { kind: "boolean", description: "reuse outputs of steps whose recorded contracts still hold" },
  "dry-run": { kind: "boolean", description: "check everything and show the plan; run nothing" },
  explain: { kind: "boolean", description: "show the plan, including steps not available" }
} as const satisfies OptionSpecs

export const runStepOptions = {
  ...runProfileOptions,
  step: { kind: "strings", value: "ID", description: "the step to run (repeatable)" }
} as const satisfies OptionSpecs

export const resumeOptions = {
  out: { kind: "string", value: "DIR", description: "the run folder to resume (required)" },
  job: { kind: "string", value: "FILE", description: "must match the run's job when given" },
  input: { kind: "strings", value: "PATH", description: "must match the run's inputs when given" },
  profile: { kind: "string", value: "NAME|FILE", description: "must match the run's profile when given" },
  json: runOptions.json,
  parallel: runOptions.parallel,
  workers: runOptions.workers,
  "time-budget-min": runOptions["time-budget-min"],
  "max-ram-mb": runOptions["max-ram-mb"],
  config: runOptions.config,
  "prometheus-port": runOptions["prometheus-port"],
  pushgateway: runOptions.pushgateway
} as const satisfies OptionSpecs

export const runHelp = (command: string, specs: OptionSpecs) =>
  `usage: filon ${command} [options]\n${describeOptions(specs)}`

const checkInputs = (inputs: ReadonlyArray<string>) =>
  Effect.forEach(inputs, (input) =>
    Effect.promise(() => stat(input).catch(() => undefined)).pipe(
      Effect.flatMap((info) =>
        info ? Effect.succeed(input) : Effect.fail(new UsageError({ reason: `input ${input} does not exist` }))
      )
    )
  )

interface Resolved {
  readonly job: Job
  readonly jobFile: string | null
  readonly profileName: string
  readonly inputs: ReadonlyArray<string>
  readonly outDir: string
}

/** Runs (or explains) a profile and reports; returns the exit code. */
const runWith = (
  io: CliIo,
  resolved: Resolved,
  flags: {
    readonly json: boolean
    readonly explain?: boolean
    readonly dryRun?: boolean
    /** --config FILE (else FILON_CONFIG). */
    readonly config?: string | undefined
    /** --prometheus-port and --pushgateway. */
    readonly metrics: RunMetricsOptions
    readonly request: Omit<RunRequest, "job" | "jobFile" | "profile" | "inputs" | "outDir">
  }
) =>
  Effect.gen(function* () {
    const config = yield* loadConfig({ explicit: flags.config, cwd: io.cwd })
    const target: LaunchTarget = {
      job: resolved.job,
      jobFile: resolved.jobFile,
      profileName: resolved.profileName,
      builtins: io.builtins,
      config,
      cwd: io.cwd
    }
    const { registry, profile } = yield* openRun(target)
    if (flags.explain) {
      const plan = yield* resolvePlan(profile, registry)
      const absent = yield* unavailableHere(plan)
      io.out(flags.json ? JSON.stringify(planJson(plan, absent), null, 2) : renderPlan(plan, undefined, absent))
      return ExitCode.ok
    }
    if (flags.dryRun) {
      const { plan, settings } = yield* prepare(profile, resolved.job, flags.request.set).pipe(
        Effect.provideService(Registry, registry)
      )
      const absent = yield* unavailableHere(plan)
      io.out(
        flags.json
          ? JSON.stringify({ ...planJson(plan, absent), runnable: true }, null, 2)
          : `${renderPlan(plan, settings, absent)}\n\ndry run: the plan is valid; nothing was run`
      )
      return ExitCode.ok
    }
    const display = makeProgressDisplay(io.progressStream ?? process.stderr)
    const run = startRun(
      target,
      { registry, profile },
      {
        ...flags.request,
        inputs: resolved.inputs,
        outDir: resolved.outDir,
        onEvent: display.onEvent,
        onProgress: display.onProgress,
        cancel: io.interrupted
      }
    ).pipe(Effect.ensuring(Effect.sync(display.stop)))
    const summary = yield* withRunMetrics(
      io,
      {
        port: flags.metrics.port,
        pushgateway: flags.metrics.pushgateway ?? config.config.metrics.pushgateway
      },
      run
    )
    io.out(flags.json ? JSON.stringify(summary, null, 2) : renderSummary(summary))
    return summary.exit_code
  })

/** Turns a typed failure into its message on stderr (or a JSON error with --json) and its exit code. */
export const reportFailure = (io: CliIo, json: boolean) => (error: unknown) =>
  Effect.sync(() => {
    const code = exitCodeOf(error)
    if (json)
      io.out(
        JSON.stringify(
          {
            status: "refused",
            exit_code: code,
            error: { tag: (error as { _tag?: string })._tag ?? "Error", message: messageOf(error) }
          },
          null,
          2
        )
      )
    io.err(`error: ${messageOf(error)}`)
    return code
  })

const requestFlags = (args: Parsed<typeof runProfileOptions>) => ({
  sample: args.sample,
  resume: args.resume,
  workers: args.parallel ? (args.workers ?? 2) : 1,
  set: args.set,
  budgets: { max_wall_time_min: args["time-budget-min"], max_ram_mb: args["max-ram-mb"] }
})

const resolveFromJob = (
  io: CliIo,
  args: {
    readonly job: string | undefined
    readonly profile: string | undefined
    readonly input: ReadonlyArray<string>
    readonly out: string | undefined
  },
  command: string
) =>
  Effect.gen(function* () {
    if (!args.job) return yield* new UsageError({ reason: `${command}: --job FILE is required` })
    const jobFile = resolve(io.cwd, args.job)
    const job = yield* loadJob(jobFile)
    // A profile path given on the command line is relative to the working directory; one in the job, to the job file.
    const profileName =
      args.profile && looksLikePath(args.profile) ? resolve(io.cwd, args.profile) : (args.profile ?? job.profile)
    if (!profileName)
      return yield* new UsageError({ reason: `${command}: no profile: pass --profile or set profile in ${args.job}` })
    const inputs = yield* checkInputs(args.input.map((input) => resolve(io.cwd, input)))
    const outDir = resolve(io.cwd, args.out ?? `out/${job.niche}`)
    return { job, jobFile, profileName, inputs, outDir } satisfies Resolved
  })

export const runProfileCommand = (io: CliIo, argv: ReadonlyArray<string>, command = "run-profile") =>
  Effect.gen(function* () {
    const args = yield* decodeArgs(command, argv, command === "run-step" ? runStepOptions : runProfileOptions)
    const steps = (args as { step?: ReadonlyArray<string> }).step ?? []
    if (command === "run-step" && steps.length === 0)
      return yield* new UsageError({ reason: "run-step: --step ID is required" })
    const resolved = yield* resolveFromJob(io, args, command)
    return yield* runWith(io, resolved, {
      json: args.json,
      config: args.config,
      metrics: { port: args["prometheus-port"], pushgateway: args.pushgateway },
      explain: args.explain,
      dryRun: args["dry-run"],
      request: { ...requestFlags(args), ...(steps.length > 0 ? { only: steps } : {}) }
    }).pipe(Effect.catchAll(reportFailure(io, args.json)))
  }).pipe(Effect.catchAll(reportFailure(io, argv.includes("--json"))))

export const resumeCommand = (io: CliIo, argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const args = yield* decodeArgs("resume", argv, resumeOptions)
    if (!args.out) return yield* new UsageError({ reason: "resume: --out DIR is required" })
    const outDir = resolve(io.cwd, args.out)
    const state = yield* readState(outDir)
    if (!state) return yield* new StateMissing({ dir: outDir })
    if (args.job) {
      const given = yield* loadJob(resolve(io.cwd, args.job))
      if (JSON.stringify(given) !== JSON.stringify(state.job)) {
        return yield* new UsageError({ reason: `resume: --job ${args.job} differs from the job this run started with` })
      }
    }
    if (args.input.length > 0) {
      const given = args.input.map((input) => resolve(io.cwd, input))
      if (JSON.stringify([...given].sort()) !== JSON.stringify([...state.inputs].sort())) {
        return yield* new UsageError({
          reason: `resume: --input differs from the run's inputs (${state.inputs.join(", ")})`
        })
      }
    }
    if (args.profile && args.profile !== state.profile.id && resolve(io.cwd, args.profile) !== state.profile.file) {
      return yield* new UsageError({
        reason: `resume: --profile ${args.profile} differs from the run's profile ${state.profile.id}`
      })
    }
    const inputs = yield* checkInputs(state.inputs)
    return yield* runWith(
      io,
      { job: state.job, jobFile: state.job_file, profileName: state.profile.file, inputs, outDir },
      {
        json: args.json,
        config: args.config,
        metrics: { port: args["prometheus-port"], pushgateway: args.pushgateway },
        request: {
          resume: true,
          sample: state.options.sample ?? undefined,
          set: state.options.set,
          workers: args.parallel ? (args.workers ?? 2) : 1,
          budgets: {
            ...state.options.budgets,
            ...(args["time-budget-min"] !== undefined ? { max_wall_time_min: args["time-budget-min"] } : {}),
            ...(args["max-ram-mb"] !== undefined ? { max_ram_mb: args["max-ram-mb"] } : {})
          }
        }
      }
    ).pipe(Effect.catchAll(reportFailure(io, args.json)))
  }).pipe(Effect.catchAll(reportFailure(io, argv.includes("--json"))))
