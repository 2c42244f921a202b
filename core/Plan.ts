/**
 * Profile -> DAG: nodes from the profile's step ids, edges from each step's `needs` and `after`,
 * batches of independent steps, and the check that every field read is written upstream.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type { Profile } from "./Profile.ts"
import type { Lookup, RegistryShape } from "./Registry.ts"
import type { DeclaredField, StepDefinition } from "./Step.ts"

export interface PlanNode {
  /** The id the profile used; unique within a plan (an aliased step may appear twice under two aliases). */
  readonly name: string
  /** The canonical step id. */
  readonly id: string
  readonly description: string
  /** Undefined when no loaded plugin provides the step ("not available"). */
  readonly step: StepDefinition | undefined
  /** Names of the nodes this one runs after. */
  readonly deps: ReadonlyArray<string>
  /** 0-based index of the batch of independent steps it belongs to. */
  readonly batch: number
}

export interface FieldProblem {
  readonly step: string
  readonly field: string
}

export interface Plan {
  readonly profile: Profile
  /** Topological order: by batch, then by profile order. */
  readonly nodes: ReadonlyArray<PlanNode>
  readonly batches: ReadonlyArray<ReadonlyArray<string>>
  readonly unavailable: ReadonlyArray<PlanNode>
  /** Fields some step reads that no upstream step writes. */
  readonly fieldProblems: ReadonlyArray<FieldProblem>
}

export class PlanInvalid extends Data.TaggedError("PlanInvalid")<{
  readonly profile: string
  readonly problems: ReadonlyArray<string>
}> {
  override get message() {
    return `profile ${this.profile} cannot run:\n${this.problems.map((problem) => `  ${problem}`).join("\n")}`
  }
}

const matches = (pattern: string, id: string) =>
  pattern === "*" || (pattern.endsWith(".*") ? id.startsWith(pattern.slice(0, -1)) : pattern === id)

const isWildcard = (pattern: string) => pattern.includes("*")

/** Resolves a profile against the registry; structural problems (unknown ids, missing needs, cycles) fail. */
export const resolvePlan = (profile: Profile, registry: RegistryShape): Effect.Effect<Plan, PlanInvalid> =>
  Effect.gen(function* () {
    const problems: string[] = []
    const lookups: Lookup[] = []
    for (const name of profile.steps) {
      const found = yield* Effect.either(registry.lookup(name))
      if (found._tag === "Left") problems.push(found.left.message)
      else if (lookups.some((entry) => entry.invokedAs === name)) problems.push(`step ${name} is listed twice`)
      else lookups.push(found.right)
    }
    if (problems.length > 0) return yield* new PlanInvalid({ profile: profile.id, problems })

    const nodes = lookups.map((entry) => ({
      name: entry.invokedAs,
      id: entry._tag === "Available" ? entry.step.id : entry.planned.id,
      description: entry._tag === "Available" ? entry.step.description : entry.planned.description,
      step: entry._tag === "Available" ? entry.step : undefined,
      after: entry._tag === "Available" ? entry.step.after : entry.planned.after
    }))
    const position = new Map(nodes.map((node, index) => [node.name, index]))
    const edges = new Map(nodes.map((node) => [node.name, new Set<string>()]))

    // A dependency on a step id binds to the nearest occurrence listed before the dependent, else the first.
    const occurrencesOf = (id: string) => nodes.filter((node) => node.id === id || node.name === id)
    const bind = (id: string, dependent: string) => {
      const found = occurrencesOf(id)
      const before = found.filter((node) => position.get(node.name)! < position.get(dependent)!)
      return (before.at(-1) ?? found[0])?.name
    }

    for (const node of nodes) {
      for (const need of node.step?.needs ?? []) {
        const target = bind(need, node.name)
        if (target === undefined)
          problems.push(`step ${node.name} needs ${need}, which profile ${profile.id} does not include`)
        else if (target !== node.name) edges.get(node.name)!.add(target)
      }
      // A step listed twice (under two aliases) runs the second time after the first and after
      // everything the profile lists between the two.
      const here = position.get(node.name)!
      const previous = nodes.slice(0, here).findLast((other) => other.id === node.id)
      if (previous) {
        for (const other of nodes.slice(position.get(previous.name)!, here)) edges.get(node.name)!.add(other.name)
      }
    }

    const reaches = (from: string, to: string): boolean => {
      const seen = new Set<string>()
      const stack = [from]
      while (stack.length > 0) {
        const current = stack.pop()!
        if (current === to) return true
        if (seen.has(current)) continue
        seen.add(current)
        stack.push(...edges.get(current)!)
      }
      return false
    }
    // Soft `after` edges, in profile order; one that would close a cycle gives way to what is already there.
    for (const node of nodes) {
      for (const pattern of node.after) {
        if (isWildcard(pattern)) continue
        const target = bind(pattern, node.name)
        if (target !== undefined && target !== node.name && !reaches(target, node.name))
          edges.get(node.name)!.add(target)
      }
    }
    const wildcards = (node: (typeof nodes)[number]) => node.after.filter(isWildcard)
    for (const node of nodes) {
      for (const pattern of wildcards(node)) {
        for (const other of nodes) {
          if (other.name === node.name || !matches(pattern, other.id)) continue
          // Two "run after everything" steps do not order each other; explicit needs decide between them.
          if (wildcards(other).some((theirs) => matches(theirs, node.id))) continue
          if (!reaches(other.name, node.name)) edges.get(node.name)!.add(other.name)
        }
      }
    }

    const cycle = findCycle(
      nodes.map((node) => node.name),
      edges
    )
    if (cycle) problems.push(`steps depend on each other in a cycle: ${cycle.join(" -> ")}`)
    if (problems.length > 0) return yield* new PlanInvalid({ profile: profile.id, problems })

    const batchOf = new Map<string, number>()
    const levelOf = (name: string): number => {
      const known = batchOf.get(name)
      if (known !== undefined) return known
      const level = Math.max(-1, ...[...edges.get(name)!].map(levelOf)) + 1
      batchOf.set(name, level)
      return level
    }
    const planned: PlanNode[] = nodes
      .map(({ after: _after, ...node }) => ({
        ...node,
        deps: [...edges.get(node.name)!].sort((a, b) => position.get(a)! - position.get(b)!),
        batch: levelOf(node.name)
      }))
      .sort((a, b) => a.batch - b.batch || position.get(a.name)! - position.get(b.name)!)
    const batches: string[][] = []
    for (const node of planned) {
      batches[node.batch] = [...(batches[node.batch] ?? []), node.name]
    }

    return {
      profile,
      nodes: planned,
      batches,
      unavailable: planned.filter((node) => node.step === undefined),
      fieldProblems: checkFields(planned)
    }
  })

const findCycle = (names: ReadonlyArray<string>, edges: Map<string, Set<string>>): string[] | undefined => {
  const state = new Map<string, "visiting" | "done">()
  const path: string[] = []
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === "done") return undefined
    if (state.get(name) === "visiting") return [...path.slice(path.indexOf(name)), name]
    state.set(name, "visiting")
    path.push(name)
    for (const dep of edges.get(name)!) {
      const found = visit(dep)
      if (found) return found
    }
    path.pop()
    state.set(name, "done")
    return undefined
  }
  for (const name of names) {
    const found = visit(name)
    if (found) return found
  }
  return undefined
}

/** Every ancestor of each node (transitively), by name. */
export const ancestorsOf = (nodes: ReadonlyArray<PlanNode>): Map<string, Set<string>> => {
  const byName = new Map(nodes.map((node) => [node.name, node]))
  const memo = new Map<string, Set<string>>()
  const visit = (name: string): Set<string> => {
    const known = memo.get(name)
    if (known) return known
    const result = new Set<string>()
    for (const dep of byName.get(name)?.deps ?? []) {
      result.add(dep)
      for (const ancestor of visit(dep)) result.add(ancestor)
    }
    memo.set(name, result)
    return result
  }
  for (const node of nodes) visit(node.name)
  return memo
}

const checkFields = (nodes: ReadonlyArray<PlanNode>): FieldProblem[] => {
  const byName = new Map(nodes.map((node) => [node.name, node]))
  const ancestors = ancestorsOf(nodes)
  const problems: FieldProblem[] = []
  for (const node of nodes) {
    if (!node.step) continue
    const upstream = [...ancestors.get(node.name)!].map((name) => byName.get(name)!)
    for (const [field, spec] of Object.entries(node.step.reads)) {
      if (spec.optional) continue
      if (!upstream.some((other) => other.step && field in other.step.writes)) problems.push({ step: node.name, field })
    }
  }
  return problems
}

/** Steps that leave records for their dependents (sources and transforms; sinks pass their input on). */
const writesRecords = (node: PlanNode) => node.step !== undefined && node.step.kind !== "sink"

/**
 * The steps whose record files make up each node's input: the nearest record-writing ancestors,
 * minus any that is itself upstream of another (its fields are already in the downstream file).
 */
export const recordSourcesOf = (nodes: ReadonlyArray<PlanNode>): Map<string, ReadonlyArray<string>> => {
  const byName = new Map(nodes.map((node) => [node.name, node]))
  const ancestors = ancestorsOf(nodes)
  const memo = new Map<string, ReadonlyArray<string>>()
  const outputOf = (name: string): ReadonlyArray<string> => (writesRecords(byName.get(name)!) ? [name] : inputOf(name))
  const inputOf = (name: string): ReadonlyArray<string> => {
    const known = memo.get(name)
    if (known) return known
    const candidates = [...new Set(byName.get(name)!.deps.flatMap(outputOf))]
    const frontier = candidates.filter(
      (candidate) => !candidates.some((other) => other !== candidate && ancestors.get(other)!.has(candidate))
    )
    // Upstream first, so fields written further down override earlier values in the merge.
    const order = new Map(nodes.map((node, index) => [node.name, index]))
    frontier.sort((a, b) => order.get(a)! - order.get(b)!)
    memo.set(name, frontier)
    return frontier
  }
  for (const node of nodes) inputOf(node.name)
  return memo
}

/** The record files that hold the run's final records: the frontier over every record-writing node. */
export const finalRecordSources = (nodes: ReadonlyArray<PlanNode>): ReadonlyArray<string> => {
  const ancestors = ancestorsOf(nodes)
  const writers = nodes.filter(writesRecords).map((node) => node.name)
  return writers.filter((name) => !writers.some((other) => other !== name && ancestors.get(other)!.has(name)))
}

/**
 * The fields each node can see: the `writes` of its ancestors, in plan order; a field written
 * twice keeps the later declaration (the one whose value reaches the node).
 */
export const upstreamFieldsOf = (nodes: ReadonlyArray<PlanNode>): Map<string, ReadonlyArray<DeclaredField>> => {
  const ancestors = ancestorsOf(nodes)
  const result = new Map<string, ReadonlyArray<DeclaredField>>()
  for (const node of nodes) {
    const byName = new Map<string, DeclaredField>()
    for (const other of nodes) {
      if (!ancestors.get(node.name)!.has(other.name) || !other.step) continue
      for (const [name, spec] of Object.entries(other.step.writes)) {
        byName.delete(name)
        byName.set(name, { name, step: other.name, spec })
      }
    }
    result.set(node.name, [...byName.values()])
  }
  return result
}
