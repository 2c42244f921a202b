/**
 * What is wrong with a job file, in plain words: the JobInvalid error, the `expected` texts the schema carries, and the
 * walk from Schema parse issues to problems located by key path and YAML line, with the closest known key.
 */
import * as Data from "effect/Data"
import type * as ParseResult from "effect/ParseResult"
import type * as SchemaAST from "effect/SchemaAST"
import { type Document, isMap, isNode, isScalar, isSeq, type LineCounter, type Node } from "yaml"
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
// Expected texts

/** Annotation holding the plain-words text shown after "expected" when a value fails. */
const ExpectedId: unique symbol = Symbol.for("filon/core/Job/expected")

export const expecting = (text: string) => ({
  [ExpectedId]: text,
  description: text,
  message: () => `expected ${text}`
})

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

export const keyPathsOf = (ast: SchemaAST.AST, prefix: string): ReadonlyArray<string> =>
  mappingsOf(ast).flatMap((map) =>
    map.propertySignatures.flatMap((property) => {
      const path = prefix === "" ? String(property.name) : `${prefix}.${String(property.name)}`
      return [path, ...keyPathsOf(property.type, path)]
    })
  )

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
export const makeLineOf = (doc: Document, counter: LineCounter) => (path: ReadonlyArray<Segment>, onKey: boolean) => {
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

export type LineOf = (path: ReadonlyArray<Segment>, onKey: boolean) => number | undefined

const toProblem = (item: Found, root: SchemaAST.AST, lineOf: LineOf | undefined): JobProblem => {
  const line = lineOf?.(item.path, item.kind === "unknown")
  const base = { path: renderPath(item.path), ...(line === undefined || line < 1 ? {} : { line }) }
  switch (item.kind) {
    case "missing":
      return { ...base, expected: item.expected }
    case "unknown": {
      const known = knownKeysAt(root, item.path.slice(0, -1))
      const suggestion = closestMatch(String(item.path.at(-1) ?? ""), known)
      const expected = known.length > 0 ? `${UNKNOWN_KEY} (known keys: ${known.join(", ")})` : UNKNOWN_KEY
      return { ...base, expected, ...(suggestion === undefined ? {} : { suggestion }) }
    }
    case "invalid":
      return { ...base, expected: item.expected, got: renderValue(item.actual) }
  }
}

/** The problems of a failed decode; `root` is the schema decoded against, whose keys are offered for an unknown one. */
export const problemsOf = (
  issue: ParseResult.ParseIssue,
  root: SchemaAST.AST,
  lineOf: LineOf | undefined
): Array<JobProblem> => collect(issue, [], undefined).map((item) => toProblem(item, root, lineOf))
