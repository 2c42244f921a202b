/**
 * The job file: what to collect (niche, filters), how (profile, plugins, step config) and within which limits
 * (KPI targets, budgets, HTTP politeness). A bad job fails here, once, with every problem listed.
 */
import { readFile } from "node:fs/promises"
import { Data, Effect, Either, type ParseResult, Schema, type SchemaAST } from "effect"
import { type Document, isMap, isNode, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml"
import { closestMatch } from "./Suggest.ts"

// ---------------------------------------------------------------------------------------------------------------------
// Errors

/** One thing wrong with a job file, located by key path and, when the YAML text is known, by line. */
export interface JobProblem {
  readonly path: string
  readonly line?: number
  readonly expected: string
  readonly got?: string
  readonly suggestion?: string
}

/** Every problem of one job file, found in a single pass. */
export class JobInvalid extends Data.TaggedError("JobInvalid")<{
  readonly file: string
  readonly problems: ReadonlyArray<JobProblem>
}> {
  override get message(): string {
    const count = this.problems.length
    const lines = this.problems.map((problem) => {
      const where = problem.line === undefined ? this.file : `${this.file}:${problem.line}`
      return `  ${where}  ${describeProblem(problem)}`
    })
    return [`job file ${this.file} is invalid (${count} problem${count === 1 ? "" : "s"}):`, ...lines].join("\n")
  }
}

/** Start of `expected` for a key the schema does not know; the message then reads "unknown key". */
const UNKNOWN_KEY = "no such key"

const describeProblem = (problem: JobProblem): string => {
  if (problem.expected.startsWith(UNKNOWN_KEY)) {
    const hint =
      problem.suggestion === undefined
        ? problem.expected.slice(UNKNOWN_KEY.length).trim()
        : `(did you mean "${problem.suggestion}"?)`
    return `${problem.path}: unknown key ${hint}`.trimEnd()
  }
  if (problem.got === undefined) return `${problem.path}: missing, expected ${problem.expected}`
  return `${problem.path}: expected ${problem.expected}, got ${problem.got}`
}

// ---------------------------------------------------------------------------------------------------------------------
// Schema

/** Annotation holding the plain-words text shown after "expected" when a value fails. */
const ExpectedId: unique symbol = Symbol.for("filon/core/Job/expected")

const expecting = (text: string) => ({ [ExpectedId]: text, description: text, message: () => `expected ${text}` })

const strictStruct = <Fields extends Schema.Struct.Fields>(fields: Fields) =>
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

const Filters = strictStruct({
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
  /** Timeout of one request, in milliseconds. */
  timeout_ms: Schema.optional(WholeAtLeast(1))
})

const Premium = strictStruct({
  /** Lowest `quality_score` of a premium row (0-100). */
  min_quality_score: Schema.optional(NumberBetween(0, 100))
})

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
  /** Plugin module specifiers or paths to load. */
  plugins: Schema.optional(listOf(NonEmptyString("a module name or path"), "a list of module names or paths")),
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

// ---------------------------------------------------------------------------------------------------------------------
// Schema AST helpers

const expectedOf = (ast: SchemaAST.AST): string | undefined => {
  const text = ast.annotations[ExpectedId]
  return typeof text === "string" ? text : undefined
}

/** Plain words for a schema without our own annotation. */
const describeAst = (ast: SchemaAST.AST): string => {
  const own = expectedOf(ast)
  if (own !== undefined) return own
  switch (ast._tag) {
    case "Refinement":
      return describeAst(ast.from)
    case "Transformation":
      return describeAst(ast.to)
    case "StringKeyword":
      return "a string"
    case "NumberKeyword":
      return "a number"
    case "BooleanKeyword":
      return "true or false"
    case "Literal":
      return JSON.stringify(ast.literal)
    case "TupleType":
      return "a list"
    case "TypeLiteral": {
      const keys = ast.propertySignatures.map((property) => String(property.name))
      return keys.length > 0 ? `a mapping with the keys ${keys.join(", ")}` : "a mapping"
    }
    case "Union":
      return ast.types
        .filter((member) => member._tag !== "UndefinedKeyword")
        .map(describeAst)
        .join(" or ")
    default:
      return String(ast)
  }
}

/** The mapping schemas reachable from `ast` without descending into keys (optional, refined, unions). */
const mappingsOf = (ast: SchemaAST.AST): ReadonlyArray<SchemaAST.TypeLiteral> => {
  switch (ast._tag) {
    case "TypeLiteral":
      return [ast]
    case "Refinement":
      return mappingsOf(ast.from)
    case "Transformation":
      return mappingsOf(ast.to)
    case "Suspend":
      return mappingsOf(ast.f())
    case "Union":
      return ast.types.flatMap(mappingsOf)
    default:
      return []
  }
}

/** The keys the schema knows at `path` (the mapping holding an unknown key). */
const knownKeysAt = (ast: SchemaAST.AST, path: ReadonlyArray<PropertyKey>): ReadonlyArray<string> => {
  const [head, ...rest] = path
  if (head === undefined) return mappingsOf(ast).flatMap((map) => map.propertySignatures.map((p) => String(p.name)))
  for (const map of mappingsOf(ast)) {
    const next = map.propertySignatures.find((p) => p.name === head)?.type ?? map.indexSignatures[0]?.type
    if (next !== undefined) return knownKeysAt(next, rest)
  }
  if (typeof head === "number") {
    const list = listsOf(ast)[0]
    const item = list?.elements[head]?.type ?? list?.rest[0]?.type
    if (item !== undefined) return knownKeysAt(item, rest)
  }
  return []
}

const listsOf = (ast: SchemaAST.AST): ReadonlyArray<SchemaAST.TupleType> => {
  switch (ast._tag) {
    case "TupleType":
      return [ast]
    case "Refinement":
      return listsOf(ast.from)
    case "Union":
      return ast.types.flatMap(listsOf)
    default:
      return []
  }
}

const keyPathsOf = (ast: SchemaAST.AST, prefix: string): ReadonlyArray<string> =>
  mappingsOf(ast).flatMap((map) =>
    map.propertySignatures.flatMap((property) => {
      const path = prefix === "" ? String(property.name) : `${prefix}.${String(property.name)}`
      return [path, ...keyPathsOf(property.type, path)]
    })
  )

/** Every documented key path of a job file, parents first (`filters`, `filters.naf_include`, ...). */
export const jobKeyPaths: ReadonlyArray<string> = keyPathsOf(JobSchema.ast, "")

// ---------------------------------------------------------------------------------------------------------------------
// From parse issues to problems

type Segment = string | number

interface Found {
  readonly kind: "invalid" | "missing" | "unknown"
  readonly path: ReadonlyArray<Segment>
  readonly expected: string
  readonly actual?: unknown
}

const asArray = <A>(items: A | ReadonlyArray<A>): ReadonlyArray<A> => (Array.isArray(items) ? items : [items as A])

/** A union member failed only because the value has another shape (a string where a list is expected). */
const isShapeMismatch = (issue: ParseResult.ParseIssue): boolean => {
  switch (issue._tag) {
    case "Type":
      return true
    case "Refinement":
      return issue.kind === "From" && isShapeMismatch(issue.issue)
    case "Transformation":
      return issue.kind === "Encoded" && isShapeMismatch(issue.issue)
    default:
      return false
  }
}

/** The one union member worth reporting on, if the value's shape picks one (optional keys are unions with undefined). */
const unionMember = (union: ParseResult.Composite): ParseResult.ParseIssue | undefined => {
  const members = asArray(union.issues)
  const shaped = members.filter((member) => !isShapeMismatch(member))
  if (shaped.length === 1) return shaped[0]
  if (shaped.length > 1 || expectedOf(union.ast) !== undefined) return undefined
  const defined = members.filter((member) => !(member._tag === "Type" && member.ast._tag === "UndefinedKeyword"))
  return defined.length === 1 ? defined[0] : undefined
}

/**
 * Walks the issue tree. `expected` is the innermost text annotated since the last key or index, so a refined
 * number reports "a whole number >= 0" whether it failed as a number, an integer or a bound.
 */
const collect = (
  issue: ParseResult.ParseIssue,
  path: ReadonlyArray<Segment>,
  expected: string | undefined
): ReadonlyArray<Found> => {
  switch (issue._tag) {
    case "Pointer": {
      const segments = asArray(issue.path).map((key) => (typeof key === "number" ? key : String(key)))
      return collect(issue.issue, [...path, ...segments], undefined)
    }
    case "Composite": {
      const text = expectedOf(issue.ast) ?? expected
      if (issue.ast._tag !== "Union") return asArray(issue.issues).flatMap((sub) => collect(sub, path, text))
      const member = unionMember(issue)
      if (member !== undefined) return collect(member, path, undefined)
      return [{ kind: "invalid", path, expected: text ?? describeAst(issue.ast), actual: issue.actual }]
    }
    case "Refinement":
    case "Transformation":
      return collect(issue.issue, path, expectedOf(issue.ast) ?? expected)
    case "Missing":
      // `ast` is the property signature (or tuple element); what is required is its type.
      return [{ kind: "missing", path, expected: describeAst(issue.ast.type) }]
    case "Unexpected":
      return [{ kind: "unknown", path, expected: UNKNOWN_KEY }]
    case "Type":
    case "Forbidden":
      return [
        {
          kind: "invalid",
          path,
          expected: expectedOf(issue.ast) ?? expected ?? describeAst(issue.ast),
          actual: issue.actual
        }
      ]
  }
}

const renderPath = (path: ReadonlyArray<Segment>): string => {
  if (path.length === 0) return "(file)"
  return path
    .map((segment, index) => {
      if (typeof segment === "number") return `[${segment}]`
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) return index === 0 ? segment : `.${segment}`
      return `[${JSON.stringify(segment)}]`
    })
    .join("")
}

const renderValue = (value: unknown): string => {
  let text: string
  if (typeof value === "number" && !Number.isFinite(value)) text = String(value)
  else if (typeof value === "bigint") text = value.toString()
  else {
    try {
      text = JSON.stringify(value) ?? String(value)
    } catch {
      text = String(value)
    }
  }
  return text.length > 60 ? `${text.slice(0, 59)}…` : text
}

/** Finds the YAML node at `path`, or its deepest existing ancestor, and returns its 1-based line. */
const makeLineOf = (doc: Document, counter: LineCounter) => (path: ReadonlyArray<Segment>, onKey: boolean) => {
  let node: unknown = doc.contents
  let key: unknown
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => (isScalar(item.key) ? String(item.key.value) : item.key) === String(segment)
      )
      if (pair === undefined) break
      key = pair.key
      node = pair.value ?? pair.key
    } else if (isSeq(node) && typeof segment === "number" && node.items[segment] !== undefined) {
      key = undefined
      node = node.items[segment]
    } else break
  }
  const target = onKey && isNode(key) ? key : isNode(node) ? node : undefined
  const offset = (target as Node | undefined)?.range?.[0]
  return offset === undefined ? undefined : counter.linePos(offset).line
}

type LineOf = (path: ReadonlyArray<Segment>, onKey: boolean) => number | undefined

const toProblem = (item: Found, lineOf: LineOf | undefined): JobProblem => {
  const line = lineOf?.(item.path, item.kind === "unknown")
  const base = { path: renderPath(item.path), ...(line === undefined || line < 1 ? {} : { line }) }
  switch (item.kind) {
    case "missing":
      return { ...base, expected: item.expected }
    case "unknown": {
      const known = knownKeysAt(JobSchema.ast, item.path.slice(0, -1))
      const suggestion = closestMatch(String(item.path.at(-1) ?? ""), known)
      const expected = known.length > 0 ? `${UNKNOWN_KEY} (known keys: ${known.join(", ")})` : UNKNOWN_KEY
      return { ...base, expected, ...(suggestion === undefined ? {} : { suggestion }) }
    }
    case "invalid":
      return { ...base, expected: item.expected, got: renderValue(item.actual) }
  }
}

const decodeUnknown = Schema.decodeUnknownEither(JobSchema, { errors: "all", onExcessProperty: "error" })

const decodeWith = (value: unknown, file: string, lineOf: () => LineOf | undefined): Effect.Effect<Job, JobInvalid> =>
  Either.match(decodeUnknown(value), {
    onRight: (job) => Effect.succeed(job),
    onLeft: (error) => {
      const lines = lineOf()
      const problems = collect(error.issue, [], undefined).map((item) => toProblem(item, lines))
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

// ---------------------------------------------------------------------------------------------------------------------
// Entry points

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
