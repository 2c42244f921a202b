/**
 * Isolation of third-party plugin steps: the runner cannot trust their code, so it watches which
 * record each one was working on, checks the records it returns, stops it at its time limit, and
 * keeps a plugin layer that fails to start from failing the whole run. Built-in steps carry no
 * guard and pay nothing for any of this.
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import type { AnyLayer, Plugin } from "./Plugin.ts"
import { RECORD_KEY, type Rec } from "./Record.ts"
import type { FieldType, RecordInput, StepDefinition, StepGuard } from "./Step.ts"

export class StepTimedOut extends Data.TaggedError("StepTimedOut")<{
  readonly seconds: number
  /** Where the limit comes from (the plugin entry's timeout_s, the plugin's, the default). */
  readonly source: string
}> {
  override get message() {
    return `still running after its time limit of ${this.seconds} s (${this.source})`
  }
}

export class RecordInvalid extends Data.TaggedError("RecordInvalid")<{
  readonly reason: "NotAnObject" | "MissingKey" | "UnknownKey" | "WrongType"
  /** The record at fault: its own siret, else the last one the step was given. */
  readonly siret: string | undefined
  readonly detail: string
  readonly field?: string
}> {
  override get message() {
    return `returned a malformed record: ${this.detail}`
  }
}

export class PluginStartFailed extends Data.TaggedError("PluginStartFailed")<{
  readonly plugin: string
  readonly cause: unknown
}> {
  override get message() {
    const cause = this.cause as { message?: unknown } | undefined
    const text = typeof cause?.message === "string" && cause.message !== "" ? cause.message : String(this.cause)
    return `plugin ${this.plugin} could not start its services: ${text}`
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** What each declared field type accepts (null and absent are always accepted: "nothing found"). */
const accepts: Record<FieldType, (value: unknown) => boolean> = {
  string: (value) => typeof value === "string",
  integer: (value) => Number.isInteger(value),
  number: (value) => typeof value === "number" && Number.isFinite(value),
  boolean: (value) => typeof value === "boolean",
  date: (value) => typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value),
  datetime: (value) => typeof value === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value),
  "string[]": (value) => Array.isArray(value) && value.every((item) => typeof item === "string"),
  object: isPlainObject,
  "object[]": (value) => Array.isArray(value) && value.every(isPlainObject)
}

const describeValue = (value: unknown): string => {
  if (value === undefined) return "absent"
  if (value === null) return "null"
  if (Array.isArray(value)) return "a list"
  if (typeof value === "string")
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`
}

/** Watches one attempt of a guarded step: the record it was last given, and every record it returns. */
export interface RecordWatch {
  /** The siret of the last record the step pulled from its input. */
  readonly lastRecord: () => string | undefined
  /** Starts a new attempt. */
  readonly reset: () => void
  readonly input: (input: RecordInput) => RecordInput
  readonly output: <E, R>(records: Stream.Stream<Rec, E, R>) => Stream.Stream<Rec, E | RecordInvalid, R>
}

export const watchRecords = (step: StepDefinition): RecordWatch => {
  let last: string | undefined
  // The keys a transform was given and has not returned yet: it may reorder or drop records, never
  // invent one. Only records still in flight (or dropped) are held.
  const given = new Map<string, number>()
  const transform = step.kind === "transform"
  const writes = Object.entries(step.writes)

  const problemOf = (record: unknown): RecordInvalid | undefined => {
    if (!isPlainObject(record)) {
      return new RecordInvalid({
        reason: "NotAnObject",
        siret: last,
        detail: `${describeValue(record)} instead of a record`
      })
    }
    const key = record[RECORD_KEY]
    if (typeof key !== "string" || key === "") {
      return new RecordInvalid({
        reason: "MissingKey",
        siret: last,
        detail: `a record without its ${RECORD_KEY} (${RECORD_KEY} is ${describeValue(key)})`
      })
    }
    if (transform) {
      const count = given.get(key)
      if (count === undefined) {
        return new RecordInvalid({
          reason: "UnknownKey",
          siret: key,
          detail: `a record with ${RECORD_KEY} ${key}, which it was not given (a changed ${RECORD_KEY}, or one record returned twice; last given: ${last ?? "none"})`
        })
      }
      if (count === 1) given.delete(key)
      else given.set(key, count - 1)
    }
    for (const [field, spec] of writes) {
      const value = record[field]
      if (value === undefined || value === null || accepts[spec.type](value)) continue
      return new RecordInvalid({
        reason: "WrongType",
        siret: key,
        field,
        detail: `field ${field} is ${describeValue(value)}, not the ${spec.type} the step declares`
      })
    }
    return undefined
  }

  return {
    lastRecord: () => last,
    reset: () => {
      last = undefined
      given.clear()
    },
    // One record per pull, so "last pulled" is the record the step is working on, not the end of a chunk.
    input: (input) =>
      Stream.map(Stream.rechunk(input, 1), (record) => {
        const key = record[RECORD_KEY]
        last = typeof key === "string" ? key : undefined
        if (transform && last !== undefined) given.set(last, (given.get(last) ?? 0) + 1)
        return record
      }),
    output: (records) =>
      Stream.mapChunksEffect(records, (chunk) => {
        for (const record of chunk) {
          const problem = problemOf(record)
          if (problem) return Effect.fail(problem)
        }
        return Effect.succeed(chunk)
      })
  }
}

/** Fails `self` with StepTimedOut once the guard's time limit has passed (interrupting it). */
export const withinTimeLimit =
  (guard: StepGuard) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | StepTimedOut, R> =>
    Effect.timeoutFail(self, {
      duration: Duration.seconds(guard.timeoutSeconds),
      onTimeout: () => new StepTimedOut({ seconds: guard.timeoutSeconds, source: guard.timeoutSource })
    })

/** The plugin and record a guarded step's failure names: the record at fault, else the last one given. */
export const blameOf = (guard: StepGuard, watch: RecordWatch, error: unknown) => {
  const own = error instanceof RecordInvalid ? error.siret : undefined
  const record = own ?? watch.lastRecord()
  return { plugin: guard.plugin, ...(record !== undefined ? { record } : {}) }
}

/**
 * A third-party plugin's layer, built under its time limit; if it fails (or dies) while starting,
 * each of its steps fails with PluginStartFailed instead of the whole run.
 */
export const isolateLayer = (plugin: Plugin, guard: StepGuard): AnyLayer =>
  Layer.scopedContext(
    Layer.build(plugin.layer).pipe(
      withinTimeLimit(guard),
      Effect.catchAllCause((cause) =>
        Cause.isInterruptedOnly(cause)
          ? Effect.failCause(cause)
          : Effect.succeed(
              failingServices(plugin, new PluginStartFailed({ plugin: guard.plugin, cause: Cause.squash(cause) }))
            )
      )
    )
  ) as AnyLayer

// biome-ignore lint/suspicious/noExplicitAny: the services of a plugin's steps are known by their tags only.
const failingServices = (plugin: Plugin, error: PluginStartFailed): Context.Context<any> =>
  plugin.steps.reduce(
    (context, step) =>
      Context.add(context, step.tag, {
        run: () => (step.kind === "sink" ? Effect.fail(error) : Stream.fail(error))
      }),
    // biome-ignore lint/suspicious/noExplicitAny: see above.
    Context.empty() as Context.Context<any>
  )
