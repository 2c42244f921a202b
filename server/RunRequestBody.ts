/**
 * POST /runs: the body's schema, and its resolution into a stored request whose every path lies in
 * the data folder. Everything a user can get wrong is answered here, as a 400 naming the field,
 * before the run is accepted.
 */
import { createHash } from "node:crypto"
import { statSync } from "node:fs"
import { dirname } from "node:path"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { decodeJob, type Job, loadJob, strictStruct } from "../core/Job.ts"
import { looksLikePath } from "../core/Profile.ts"
import { issuesOf } from "../core/Settings.ts"
import { type DataDir, OutsideDataDir } from "./DataDir.ts"
import type { StoredRequest } from "./RunStore.ts"

const Positive = Schema.Finite.pipe(Schema.greaterThan(0))

export const RunOptionsBody = strictStruct({
  /** Keep at most N records at the source (like --sample). */
  sample: Schema.optional(Schema.Int.pipe(Schema.greaterThanOrEqualTo(1))),
  /** Independent steps at once (like --parallel --workers N). @default 1 */
  workers: Schema.optional(Schema.Int.pipe(Schema.between(1, 16))),
  /** Step setting overrides, `step.key=value` (like --set). */
  set: Schema.optional(Schema.Array(Schema.String.pipe(Schema.pattern(/^[^=.\s]+(\.[^=.\s]+)+=/)))),
  /** Wall-time budget, minutes (like --time-budget-min). */
  time_budget_min: Schema.optional(Positive),
  /** RAM budget, MiB (like --max-ram-mb). */
  max_ram_mb: Schema.optional(Positive)
})

export const RunBody = strictStruct({
  /** A job name (`<data-dir>/jobs/<name>.yaml`) or the job itself, as JSON. */
  job: Schema.Union(
    Schema.String.pipe(Schema.minLength(1)),
    Schema.Record({ key: Schema.String, value: Schema.Unknown })
  ),
  /** A profile id, or a profile file in the data folder; default: the job's profile. */
  profile: Schema.optional(Schema.String.pipe(Schema.minLength(1))),
  /** Input files or folders, relative to the data folder (like --input). */
  input: Schema.optionalWith(Schema.Array(Schema.String.pipe(Schema.minLength(1))), { default: () => [] }),
  options: Schema.optionalWith(RunOptionsBody, { default: () => ({}) })
})
export type RunBody = typeof RunBody.Type

/** One thing wrong with a request, located by field. */
export interface FieldProblem {
  readonly field: string
  readonly message: string
}

/** A request refused with 400: every problem found, each naming its field. */
export class BadRequest extends Error {
  constructor(
    readonly problems: ReadonlyArray<FieldProblem>,
    message = "invalid request"
  ) {
    super(`${message}: ${problems.map((problem) => `${problem.field}: ${problem.message}`).join("; ")}`)
  }
}

const decodeBody = Schema.decodeUnknownEither(RunBody, { errors: "all", onExcessProperty: "error" })

/** Parse issues as field problems, one per field. */
export const fieldProblemsOf = (error: ParseResult.ParseError, root = "(body)"): ReadonlyArray<FieldProblem> =>
  issuesOf(error, root).map((issue) => ({ field: issue.path, message: issue.message }))

/** Decodes the JSON body; every field problem at once. */
export const parseRunBody = (value: unknown): RunBody =>
  Either.getOrThrowWith(decodeBody(value), (error) => new BadRequest(fieldProblemsOf(error)))

const confined = <A>(thunk: () => A): A => {
  try {
    return thunk()
  } catch (error) {
    if (error instanceof OutsideDataDir) throw new BadRequest([{ field: error.field, message: error.reason }])
    throw error
  }
}

/**
 * Job files decoded once per version (path, size, modification time): a burst of POSTs naming the
 * same job costs a stat each, not a YAML parse and a schema decode each.
 */
const decodedJobs = new Map<string, { readonly stamp: string; readonly job: Job }>()
const MAX_CACHED_JOBS = 256

const loadJobOnce = (file: string) =>
  Effect.gen(function* () {
    const info = statSync(file, { throwIfNoEntry: false })
    const stamp = info ? `${info.size}:${info.mtimeMs}` : "missing"
    const cached = decodedJobs.get(file)
    if (cached && cached.stamp === stamp) return cached.job
    const job = yield* loadJob(file)
    if (decodedJobs.size >= MAX_CACHED_JOBS) decodedJobs.clear()
    decodedJobs.set(file, { stamp, job })
    return job
  })

/** Loads or decodes the job; a job problem is a 400 listing each key at fault. */
const jobOf = (body: RunBody, dataDir: DataDir) =>
  Effect.gen(function* () {
    if (typeof body.job === "string") {
      const name = body.job
      const file = confined(() => dataDir.jobFile(name))
      const job = yield* loadJobOnce(file)
      return { job, jobFile: file as string | null }
    }
    const job = yield* decodeJob(body.job, { file: "job" })
    // Code runs where a job names a plugin: only job files an operator put in jobs/ (or the config file) may.
    if (job.plugins && job.plugins.length > 0) {
      return yield* Effect.fail(
        new BadRequest([
          {
            field: "job.plugins",
            message: "an inline job cannot load plugins: name a job file of jobs/ or list them in the config file"
          }
        ])
      )
    }
    return { job, jobFile: null as string | null }
  }).pipe(
    Effect.catchTag("JobInvalid", (error) =>
      Effect.fail(
        new BadRequest(
          error.problems.map((problem) => ({
            field: typeof body.job === "string" ? `job (jobs/${body.job}): ${problem.path}` : `job.${problem.path}`,
            message: `expected ${problem.expected}${problem.got === undefined ? "" : `, got ${problem.got}`}${
              problem.line === undefined ? "" : ` (line ${problem.line})`
            }`
          }))
        )
      )
    )
  )

/** The suppression list a job names, resolved against the job file's folder (or the data folder) and confined. */
const confineJobPaths = (job: Job, jobFile: string | null, dataDir: DataDir): Job => {
  const list = job.suppression_list
  if (list === undefined) return job
  const base = jobFile ? dirname(jobFile) : dataDir.real
  return { ...job, suppression_list: confined(() => dataDir.existing("job.suppression_list", list, base)) }
}

const profileOf = (body: RunBody, job: Job, jobFile: string | null, dataDir: DataDir): string => {
  const name = body.profile ?? job.profile
  if (!name) throw new BadRequest([{ field: "profile", message: "no profile: give `profile` or set one in the job" }])
  if (!looksLikePath(name)) return name
  // A profile path in a job file is relative to that file, as on the CLI; it must still lie in the data folder.
  const base = body.profile || !jobFile ? dataDir.real : dirname(jobFile)
  return confined(() => dataDir.existing(body.profile ? "profile" : "job.profile", name, base))
}

/** The request as the queue stores it: paths absolute and confined, options as the runner takes them. */
export const resolveRunBody = (body: RunBody, dataDir: DataDir, outDir: string) =>
  Effect.gen(function* () {
    const loaded = yield* jobOf(body, dataDir)
    const job = confineJobPaths(loaded.job, loaded.jobFile, dataDir)
    const profile = profileOf(body, job, loaded.jobFile, dataDir)
    const inputs = body.input.map((input, index) => confined(() => dataDir.existing(`input.${index}`, input)))
    const { options } = body
    const request: StoredRequest = {
      job,
      job_file: loaded.jobFile,
      profile,
      inputs,
      out_dir: outDir,
      options: {
        sample: options.sample,
        workers: options.workers,
        set: options.set,
        budgets: {
          ...(options.time_budget_min !== undefined ? { max_wall_time_min: options.time_budget_min } : {}),
          ...(options.max_ram_mb !== undefined ? { max_ram_mb: options.max_ram_mb } : {})
        }
      }
    }
    return { job, request }
  }).pipe(
    // Path checks throw BadRequest synchronously; it is a refusal like any other, not a defect.
    Effect.catchAllDefect((defect) => (defect instanceof BadRequest ? Effect.fail(defect) : Effect.die(defect)))
  )

/** What an Idempotency-Key is compared on: the body as sent, keys sorted. */
export const digestOf = (value: unknown): string => createHash("sha256").update(canonicalJson(value)).digest("hex")

const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`
  }
  return JSON.stringify(value) ?? "null"
}
