/**
 * The job file: what to collect (niche, filters), how (profile, plugins, step config) and within which limits
 * (KPI targets, budgets, HTTP politeness). A bad job fails here, once, with every problem listed.
 */
import { readFile } from "node:fs/promises"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { LineCounter, parseDocument } from "yaml"
import {
  expecting,
  JobInvalid,
  type JobProblem,
  keyPathsOf,
  type LineOf,
  makeLineOf,
  problemsOf
} from "./JobProblems.ts"

export { JobInvalid, type JobProblem } from "./JobProblems.ts"

// ---------------------------------------------------------------------------------------------------------------------
// Schema

/** A struct whose unknown keys are errors (jobs, the config file, request bodies). */
export const strictStruct = <Fields extends Schema.Struct.Fields>(fields: Fields) =>
  Schema.Struct(fields).annotations({ parseOptions: { onExcessProperty: "error" } })

const listOf = <A, I>(item: Schema.Schema<A, I>, text: string) => Schema.Array(item).annotations(expecting(text))

const NonEmptyString = (text: string) => Schema.String.pipe(Schema.minLength(1), Schema.annotations(expecting(text)))

const WholeAtLeast = (min: number) =>
  Schema.Int.pipe(Schema.greaterThanOrEqualTo(min), Schema.annotations(expecting(`a whole number >= ${min}`)))

const NumberAtLeast = (min: number) =>
  Schema.Finite.pipe(Schema.greaterThanOrEqualTo(min), Schema.annotations(expecting(`a number >= ${min}`)))

const NumberAbove = (min: number) =>
  Schema.Finite.pipe(Schema.greaterThan(min), Schema.annotations(expecting(`a number > ${min}`)))

const NumberBetween = (min: number, max: number) =>
  Schema.Finite.pipe(Schema.between(min, max), Schema.annotations(expecting(`a number from ${min} to ${max}`)))

const Niche = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/),
  Schema.annotations(expecting("a folder-safe name (letters, digits, _ . -)"))
)

const NafCode = Schema.String.pipe(
  Schema.pattern(/^\d{2}(\.\d{1,2}[A-Z]?)?$/),
  Schema.annotations(expecting(`a NAF code such as "62.02A" or a prefix such as "62"`))
)

const Department = Schema.String.pipe(
  Schema.pattern(/^(0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-6])$/),
  Schema.annotations(expecting(`a department code such as "75", "2A" or "971"`))
)

const Region = Schema.String.pipe(
  Schema.pattern(/^\d{2}$/),
  Schema.annotations(expecting(`an INSEE region code of two digits such as "11"`))
)

/** INSEE `trancheEffectifs` codes. */
const headcountBands = [
  "NN",
  "00",
  "01",
  "02",
  "03",
  "11",
  "12",
  "21",
  "22",
  "31",
  "32",
  "41",
  "42",
  "51",
  "52",
  "53"
] as const

const HeadcountBand = Schema.Literal(...headcountBands).annotations(expecting(`one of ${headcountBands.join(", ")}`))

const isRealDate = (text: string) => {
  const [year, month, day] = text.split("-").map(Number) as [number, number, number]
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

const IsoDate = Schema.String.pipe(
  Schema.pattern(/^\d{4}-\d{2}-\d{2}$/, expecting("a date YYYY-MM-DD")),
  Schema.filter(isRealDate, expecting("a real calendar date YYYY-MM-DD"))
)

const proxySchemes = new Set(["http:", "https:", "socks5:"])

const ProxyUrl = Schema.String.pipe(
  Schema.filter((text) => URL.canParse(text) && proxySchemes.has(new URL(text).protocol)),
  Schema.annotations(expecting(`a proxy URL with an http:, https: or socks5: scheme such as "http://127.0.0.1:8899"`))
)

const ProxySetting = Schema.Union(
  ProxyUrl,
  Schema.Array(ProxyUrl).pipe(Schema.minItems(1), Schema.annotations(expecting("a non-empty list of proxy URLs")))
).annotations(expecting("a proxy URL (http:, https: or socks5:) or a non-empty list of them"))

/** The `filters` section: also the settings schema of the collectors that apply it. */
export const Filters = strictStruct({
  /** NAF rev.2 codes or prefixes to keep ("62.02A", "62"); NAFRev2 rows only. */
  naf_include: Schema.optional(listOf(NafCode, "a list of NAF codes")),
  /** NAF rev.2 codes or prefixes to drop, applied after `naf_include`. */
  naf_exclude: Schema.optional(listOf(NafCode, "a list of NAF codes")),
  /** Department codes, from `codeCommuneEtablissement` ("75", "2A", "971"). */
  departments: Schema.optional(listOf(Department, "a list of department codes")),
  /** INSEE region codes ("11"). */
  regions: Schema.optional(listOf(Region, "a list of region codes")),
  /** `trancheEffectifs` codes ("11", "12", "NN"). */
  headcount: Schema.optional(listOf(HeadcountBand, "a list of headcount band codes")),
  /** Only active establishments of active legal units. */
  active_only: Schema.optional(Schema.Boolean.annotations(expecting("true or false"))),
  /** Only establishments created after this date (YYYY-MM-DD). */
  created_after: Schema.optional(IsoDate)
})

const KpiTargets = strictStruct({
  /** Lowest acceptable mean `quality_score` (0-100). */
  min_quality_score: Schema.optional(NumberBetween(0, 100)),
  /** Lowest acceptable throughput, in rows per second. */
  min_lines_per_s: Schema.optional(NumberAtLeast(0)),
  /** Highest acceptable share of duplicate rows (0-1). */
  max_duplicate_rate: Schema.optional(NumberBetween(0, 1)),
  /** Lowest acceptable fill rate (0-1) per dataset field, e.g. `{ website: 0.5 }`. */
  min_fill_rates: Schema.optional(
    Schema.Record({ key: Schema.String, value: NumberBetween(0, 1) }).annotations(
      expecting("a mapping of field names to rates from 0 to 1")
    )
  )
})

const Budgets = strictStruct({
  /** Most HTTP requests the run may send; never exceeded. */
  max_http_requests: Schema.optional(WholeAtLeast(0)),
  /** Most response bytes the run may download; never exceeded. */
  max_http_bytes: Schema.optional(WholeAtLeast(0)),
  /** Longest the run may take, in minutes. */
  max_wall_time_min: Schema.optional(NumberAbove(0)),
  /** Most memory the run may use, in MiB. */
  max_ram_mb: Schema.optional(NumberAbove(0))
})

const Http = strictStruct({
  /** Proxy URL, or a list of them used in turn (http:, https: or socks5:). */
  proxy: Schema.optional(ProxySetting),
  /** Requests in flight at once to one host. */
  per_host_concurrency: Schema.optional(WholeAtLeast(1)),
  /** Requests per second to one host. */
  per_host_rps: Schema.optional(NumberAbove(0)),
  /** Obey robots.txt. */
  respect_robots: Schema.optional(Schema.Boolean.annotations(expecting("true or false"))),
  /** User-Agent strings to use in turn; empty means the built-in one. */
  user_agents: Schema.optional(listOf(Schema.String.annotations(expecting("a string")), "a list of strings")),
  /** Requests in flight at once, all hosts together. */
  concurrency: Schema.optional(WholeAtLeast(1)),
  /** Timeout of one request, headers and body, in milliseconds. */
  timeout_ms: Schema.optional(WholeAtLeast(1)),
  /** Time allowed until the response headers arrive (connection included), in milliseconds. */
  first_byte_timeout_ms: Schema.optional(WholeAtLeast(1)),
  /** Largest response body accepted, compressed or decompressed, in bytes. */
  max_body_bytes: Schema.optional(WholeAtLeast(1)),
  /** Redirects followed per request. */
  max_redirects: Schema.optional(WholeAtLeast(0)),
  /** Retries of a request after a retryable failure (timeouts, 429, 5xx). */
  retries: Schema.optional(WholeAtLeast(0)),
  /** Adapt the number of requests in flight to the health of the answers (within `concurrency`). */
  adaptive: Schema.optional(Schema.Boolean.annotations(expecting("true or false"))),
  /** How long a cached response is used without asking the site again, in hours; 0 turns the cache off. */
  cache_ttl_hours: Schema.optional(NumberAtLeast(0))
})

const Premium = strictStruct({
  /** Lowest `quality_score` of a premium row (0-100). */
  min_quality_score: Schema.optional(NumberBetween(0, 100))
})

/**
 * A plugin to load: a module name or path, or an entry with the plugin's own settings (checked by
 * the plugin's config schema) and a time limit for each of its steps.
 */
export const PluginEntry = Schema.Union(
  NonEmptyString("a module name or path"),
  strictStruct({
    /** Module name or path (relative to the file that names it). */
    use: NonEmptyString("a module name or path"),
    /** The plugin's settings, decoded with the plugin's `config` schema. */
    config: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
    /** Seconds each of the plugin's steps may run before it fails, named. */
    timeout_s: Schema.optional(NumberAbove(0))
  })
).annotations(expecting("a module name or path, or { use, config, timeout_s }"))
export type PluginEntry = typeof PluginEntry.Type

const StepSettings = Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations(
  expecting("a mapping of setting names to values")
)

/** The job file schema; every mapping is strict, so an unknown key is an error. */
export const JobSchema = strictStruct({
  /** Names the run folder (letters, digits, `_`, `.`, `-`). Required. */
  niche: Niche,
  /** A profile id (`standard`) or the path of a profile file. */
  profile: Schema.optional(NonEmptyString("a profile id or the path of a profile file")),
  /** Which establishments to select: one dataset row per SIRET. */
  filters: Schema.optional(Filters),
  /** Targets the run is judged against (exit code 4 when missed). */
  kpi_targets: Schema.optional(KpiTargets),
  /** Hard limits of the run. */
  budgets: Schema.optional(Budgets),
  /** HTTP politeness and routing. */
  http: Schema.optional(Http),
  /** Settings of the premium dataset. */
  premium: Schema.optional(Premium),
  /** Plugins to load: module names or paths, or `{ use, config, timeout_s }` entries. */
  plugins: Schema.optional(listOf(PluginEntry, "a list of plugin module names or paths")),
  /** Path of a file of emails, domains or SIRENs that objected; they are left out. */
  suppression_list: Schema.optional(NonEmptyString("the path of a suppression list file")),
  /** Settings per step id, overriding the profile's; each step checks its own. */
  config: Schema.optional(
    Schema.Record({ key: Schema.String, value: StepSettings }).annotations(
      expecting("a mapping of step ids to their settings")
    )
  )
}).annotations(expecting("a mapping of job keys (niche, profile, filters, ...)"))

export type Job = typeof JobSchema.Type

/** Every documented key path of a job file, parents first (`filters`, `filters.naf_include`, ...). */
export const jobKeyPaths: ReadonlyArray<string> = keyPathsOf(JobSchema.ast, "")

// ---------------------------------------------------------------------------------------------------------------------
// Entry points

const decodeUnknown = Schema.decodeUnknownEither(JobSchema, { errors: "all", onExcessProperty: "error" })

const decodeWith = (value: unknown, file: string, lineOf: () => LineOf | undefined): Effect.Effect<Job, JobInvalid> =>
  Either.match(decodeUnknown(value), {
    onRight: (job) => Effect.succeed(job),
    onLeft: (error) => {
      const lines = lineOf()
      const problems = problemsOf(error.issue, JobSchema.ast, lines)
      // Sorted by line so the report reads top to bottom like the file; the sort is stable.
      problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))
      return Effect.fail(new JobInvalid({ file, problems }))
    }
  })

const parseYaml = (text: string) => {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter })
  return { doc, lineCounter }
}

/** Decodes an already parsed job; with `text`, problems carry the line of the offending key or value. */
export const decodeJob = (
  value: unknown,
  source: { readonly file: string; readonly text?: string }
): Effect.Effect<Job, JobInvalid> =>
  decodeWith(value, source.file, () => {
    if (source.text === undefined) return undefined
    const { doc, lineCounter } = parseYaml(source.text)
    return makeLineOf(doc, lineCounter)
  })

const fileProblem = (file: string, problem: JobProblem) => new JobInvalid({ file, problems: [problem] })

/** Parses YAML (or JSON) text and decodes it as a job. */
export const parseJobText = (text: string, file: string): Effect.Effect<Job, JobInvalid> =>
  Effect.suspend(() => {
    const { doc, lineCounter } = parseYaml(text)
    const syntax = doc.errors[0]
    if (syntax !== undefined) {
      const line = syntax.linePos?.[0].line ?? lineCounter.linePos(syntax.pos[0]).line
      // The first line of a pretty YAML error ends with its position, which the problem already carries.
      const got = (syntax.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "").trim()
      return Effect.fail(
        fileProblem(file, { path: "(file)", ...(line > 0 ? { line } : {}), expected: "valid YAML", got })
      )
    }
    if (doc.contents === null) {
      return Effect.fail(
        fileProblem(file, { path: "(file)", expected: "a job with at least a niche", got: "an empty file" })
      )
    }
    return Effect.try({
      try: () => doc.toJS({ maxAliasCount: 100 }) as unknown,
      catch: (cause) =>
        fileProblem(file, { path: "(file)", expected: "valid YAML", got: String((cause as Error)?.message ?? cause) })
    }).pipe(Effect.flatMap((value) => decodeWith(value, file, () => makeLineOf(doc, lineCounter))))
  })

const readProblem = (cause: unknown): JobProblem => {
  const code = (cause as NodeJS.ErrnoException)?.code
  if (code === "ENOENT") return { path: "(file)", expected: "an existing job file", got: "no such file" }
  if (code === "EISDIR") return { path: "(file)", expected: "a job file", got: "a directory" }
  return { path: "(file)", expected: "a readable job file", got: String((cause as Error)?.message ?? cause) }
}

/** Reads and decodes a job file; a missing or unreadable file, bad YAML or a bad job are all `JobInvalid`. */
export const loadJob = (file: string): Effect.Effect<Job, JobInvalid> =>
  Effect.tryPromise({
    try: () => readFile(file, "utf8"),
    catch: (cause) => fileProblem(file, readProblem(cause))
  }).pipe(Effect.flatMap((text) => parseJobText(text, file)))
