/**
 * `create-job` (a job file from NAF codes and a template) and `batch` (one run per NAF code,
 * each in its own sub-folder of --output-dir).
 */
import { readFile } from "node:fs/promises"
import { dirname, isAbsolute, join, resolve } from "node:path"
import * as Effect from "effect/Effect"
import YAML from "yaml"
import { writeFileAtomic } from "../../core/AtomicFile.ts"
import { decodeJob, type Job } from "../../core/Job.ts"
import { looksLikePath } from "../../core/Profile.ts"
import { ExitCode } from "../../core/Summary.ts"
import { decodeArgs, type OptionSpecs, UsageError } from "../args.ts"
import type { CliIo } from "../io.ts"
import { reportFailure, runOptions, runProfileCommand } from "./run.ts"

export const createJobOptions = {
  naf: { kind: "strings", value: "CODE", description: "NAF code or prefix to include (repeatable)" },
  template: {
    kind: "string",
    value: "FILE",
    description: "job file to start from (default: a quick, active-only job)"
  },
  niche: { kind: "string", value: "NAME", description: "niche (default: naf_<codes>)" },
  profile: { kind: "string", value: "NAME", description: "profile (default: the template's, else quick)" },
  department: { kind: "strings", value: "CODE", description: "department to keep (repeatable)" },
  output: { kind: "string", value: "FILE", description: "write the job there instead of stdout" }
} as const satisfies OptionSpecs

export const batchOptions = {
  naf: createJobOptions.naf,
  template: { kind: "string", value: "FILE", description: "job file each run starts from (required)" },
  "output-dir": { kind: "string", value: "DIR", description: "one sub-folder per NAF code (required)" },
  "continue-on-error": { kind: "boolean", description: "go on with the next code when a run fails" },
  ...runOptions
} as const satisfies OptionSpecs

const DEFAULT_TEMPLATE = { niche: "job", profile: "quick", filters: { active_only: true } }

const nicheOf = (codes: ReadonlyArray<string>) => `naf_${codes.map((code) => code.replace(/\./g, "")).join("_")}`

const readTemplate = (io: CliIo, template: string | undefined) =>
  template === undefined
    ? Effect.succeed({ file: "(default template)", value: DEFAULT_TEMPLATE as Record<string, unknown> })
    : Effect.tryPromise({
        try: async () => {
          const file = resolve(io.cwd, template)
          return { file, value: YAML.parse(await readFile(file, "utf8")) as Record<string, unknown> }
        },
        catch: () => new UsageError({ reason: `template ${template} cannot be read as YAML` })
      })

/** A template with its NAF filter (and optionally niche, profile, departments) replaced, validated. */
const isRelativePath = (value: unknown): value is string =>
  typeof value === "string" && (value.startsWith("./") || value.startsWith("../"))

/**
 * A template's relative paths (profile file, plugins, suppression list) point from the template's
 * folder; the written job lives elsewhere (the batch's sub-folders), so they are made absolute.
 */
const anchorPaths = (template: { readonly file: string; readonly value: Record<string, unknown> }) => {
  if (!isAbsolute(template.file)) return template.value
  const from = (path: unknown) => (isRelativePath(path) ? resolve(dirname(template.file), path) : path)
  const value: Record<string, unknown> = { ...template.value }
  if (typeof value.profile === "string" && looksLikePath(value.profile))
    value.profile = resolve(dirname(template.file), value.profile)
  if (Array.isArray(value.plugins)) value.plugins = value.plugins.map(from)
  if (value.suppression_list !== undefined) value.suppression_list = from(value.suppression_list)
  return value
}

const jobFromTemplate = (
  template: { readonly file: string; readonly value: Record<string, unknown> },
  overrides: {
    readonly naf: ReadonlyArray<string>
    readonly niche?: string
    readonly profile?: string
    readonly departments?: ReadonlyArray<string>
  }
): Effect.Effect<Job, import("../../core/Job.ts").JobInvalid> => {
  const filters: Record<string, unknown> = {
    ...((template.value.filters as Record<string, unknown>) ?? {}),
    naf_include: overrides.naf
  }
  if (overrides.departments && overrides.departments.length > 0) filters.departments = overrides.departments
  const value = {
    ...anchorPaths(template),
    niche: overrides.niche ?? nicheOf(overrides.naf),
    ...(overrides.profile ? { profile: overrides.profile } : template.value.profile ? {} : { profile: "quick" }),
    filters
  }
  return decodeJob(value, { file: template.file })
}

export const createJobCommand = (io: CliIo, argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const args = yield* decodeArgs("create-job", argv, createJobOptions)
    if (args.naf.length === 0) return yield* new UsageError({ reason: "create-job: --naf CODE is required" })
    const template = yield* readTemplate(io, args.template)
    const job = yield* jobFromTemplate(template, {
      naf: args.naf,
      ...(args.niche ? { niche: args.niche } : {}),
      ...(args.profile ? { profile: args.profile } : {}),
      departments: args.department
    })
    const text = YAML.stringify(job)
    if (args.output) {
      yield* writeFileAtomic(resolve(io.cwd, args.output), text)
      io.err(`wrote ${args.output}`)
    } else io.out(text)
    return ExitCode.ok
  }).pipe(Effect.catchAll(reportFailure(io, false)))

/** Runs the template once per NAF code; the exit code is the first failure's (0 when all succeed). */
export const batchCommand = (io: CliIo, argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const args = yield* decodeArgs("batch", argv, batchOptions)
    if (args.naf.length === 0) return yield* new UsageError({ reason: "batch: --naf CODE is required" })
    if (!args.template) return yield* new UsageError({ reason: "batch: --template FILE is required" })
    if (!args["output-dir"]) return yield* new UsageError({ reason: "batch: --output-dir DIR is required" })
    const template = yield* readTemplate(io, args.template)
    const outputDir = resolve(io.cwd, args["output-dir"])
    const runs: Array<{ naf: string; exit_code: number; summary: unknown }> = []
    for (const naf of args.naf) {
      const job = yield* jobFromTemplate(template, {
        naf: [naf],
        niche: `${String(template.value.niche ?? "job")}_${naf.replace(/\./g, "")}`
      })
      const folder = join(outputDir, naf)
      const jobFile = join(folder, "job.yaml")
      yield* writeFileAtomic(jobFile, YAML.stringify(job))
      const forwarded = forwardRunOptions(argv)
      let captured = ""
      const capture = (text: string) => {
        captured += text
      }
      const runIo: CliIo = args.json ? { ...io, out: capture } : io
      if (!args.json) io.err(`— batch: NAF ${naf} → ${folder}`)
      const code = yield* runProfileCommand(runIo, [
        "--job",
        jobFile,
        "--out",
        folder,
        ...forwarded,
        ...(args.json ? ["--json"] : [])
      ])
      runs.push({ naf, exit_code: code, summary: args.json && captured ? JSON.parse(captured) : null })
      if (code !== ExitCode.ok && code !== ExitCode.kpisNotMet && !args["continue-on-error"]) break
    }
    // A real failure (1, 2, 3, 130) outranks "KPIs not met" (4), whichever run it came from.
    const failed =
      runs.find((run) => run.exit_code !== ExitCode.ok && run.exit_code !== ExitCode.kpisNotMet) ??
      runs.find((run) => run.exit_code === ExitCode.kpisNotMet)
    if (args.json) io.out(JSON.stringify({ runs }, null, 2))
    else io.out(runs.map((run) => `${run.naf}: exit ${run.exit_code}`).join("\n"))
    return failed?.exit_code ?? ExitCode.ok
  }).pipe(Effect.catchAll(reportFailure(io, argv.includes("--json"))))

/** The run options of a batch command line, passed on to each run (minus batch's own and --out). */
const forwardRunOptions = (argv: ReadonlyArray<string>): string[] => {
  const own = new Set(["naf", "template", "output-dir", "continue-on-error", "json", "out"])
  const result: string[] = []
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!
    const name = arg.startsWith("--") ? arg.slice(2).split("=")[0]! : ""
    const spec = (batchOptions as OptionSpecs)[name]
    const takesValue = spec !== undefined && spec.kind !== "boolean" && !arg.includes("=")
    if (!own.has(name)) result.push(arg, ...(takesValue && argv[index + 1] !== undefined ? [argv[index + 1]!] : []))
    if (takesValue) index++
  }
  return result
}
