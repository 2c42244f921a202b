/**
 * The step contract: what a step declares (id, needs, fields read and written, outputs, settings)
 * and the service that runs it as a stream source, transform or sink.
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { Chunk } from "./AtomicFile.ts"
import type { Job } from "./Job.ts"
import type { Rec } from "./Record.ts"
import type { RecordFileError } from "./RecordFile.ts"

/** The type of a record field, as documented in data_dictionary.md. */
export type FieldType =
  | "string"
  | "integer"
  | "number"
  | "boolean"
  | "date"
  | "datetime"
  | "string[]"
  | "object"
  | "object[]"

export interface FieldSpec {
  readonly type: FieldType
  readonly description: string
  /** True when values can identify a person (GDPR): flagged in the data dictionary. */
  readonly personal?: boolean
  /** For `reads`: the step copes without it, so no upstream step has to write it. */
  readonly optional?: boolean
  /** Passed between steps but never exported to dataset files (e.g. raw registry columns). */
  readonly internal?: boolean
}

export type FieldMap = Readonly<Record<string, FieldSpec>>

/** A field as some step declares it. */
export interface DeclaredField {
  readonly name: string
  /** The step (as the profile names it) that writes it. */
  readonly step: string
  readonly spec: FieldSpec
}

/** A file a step leaves in the run folder; its contract (rows, bytes, sha256) is recorded for resume. */
export interface OutputSpec {
  /** Path relative to the run folder, e.g. `normalized/normalized.parquet`. */
  readonly path: string
  readonly description: string
  /** Written only in some configurations; its absence then does not make the step incomplete. */
  readonly optional?: boolean
}

/** What the runner records about a written output. */
export interface OutputContract {
  readonly path: string
  readonly bytes: number
  readonly sha256: string
  readonly rows?: number
  readonly schema?: ReadonlyArray<string>
}

/**
 * Whether a step can run here. An `optional` step that cannot (a browser fallback without a browser)
 * does not stop the run: it passes its records on and reports itself not available, unless the job
 * sets its `required: true`.
 */
export type Availability =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string; readonly optional?: boolean }

/** `source` makes records from inputs, `transform` maps records to records, `sink` consumes them into files. */
export type StepKind = "source" | "transform" | "sink"

/** Everything a running step may use from the run, besides the services its layer was built with. */
export interface StepContext<C> {
  readonly stepId: string
  /** The id the profile used (an alias such as `enrich.domains` reaches `enrich.domain`). */
  readonly invokedAs: string
  readonly runId: string
  /** Absolute path of the run folder. */
  readonly runDir: string
  readonly config: C
  /**
   * The decoded settings of the step's plugin (its `config` schema, from the plugin entry of the job or
   * config file), or undefined for a plugin without one. Typed access: take them in `layer: (config) => …`.
   */
  readonly pluginConfig: unknown
  readonly job: Job
  /** The `--input` files and folders, absolute. */
  readonly inputs: ReadonlyArray<string>
  /** `--sample N`: keep at most N records at the source. */
  readonly sample: number | undefined
  /** The profile this run follows. */
  readonly profile: { readonly id: string; readonly file: string }
  /** Fields declared by the steps upstream of this one, in plan order (for exports and the data dictionary). */
  readonly upstreamFields: ReadonlyArray<DeclaredField>
  /** The recorded outputs of the steps upstream of this one (record files excluded), for manifests. */
  readonly upstreamOutputs: () => ReadonlyArray<OutputContract & { readonly step: string }>
  /** Absolute path of a file in the run folder. */
  readonly path: (relative: string) => string
  /** Writes one of the step's declared outputs atomically and records its contract. */
  readonly writeOutput: (
    relative: string,
    content: AsyncIterable<Chunk> | Iterable<Chunk>,
    meta?: { readonly rows?: number; readonly schema?: ReadonlyArray<string> }
  ) => Effect.Effect<OutputContract, StepOutputInvalid>
  /** Registers a file the step wrote itself (e.g. with a library that needs a path); it must already be in place. */
  readonly recordOutput: (
    relative: string,
    meta?: { readonly rows?: number; readonly schema?: ReadonlyArray<string> }
  ) => Effect.Effect<OutputContract, StepOutputInvalid>
  /** A figure for KPIs and the summary, e.g. `lines_per_s`. */
  readonly measure: (name: string, value: number) => Effect.Effect<void>
  /** Tells the progress display how many records to expect, for an ETA. */
  readonly expectTotal: (total: number) => Effect.Effect<void>
  /** Adds a line to the run's event log. */
  readonly log: (message: string, data?: Readonly<Record<string, unknown>>) => Effect.Effect<void>
}

export class StepOutputInvalid extends Schema.TaggedError<StepOutputInvalid>()("StepOutputInvalid", {
  stepId: Schema.String,
  path: Schema.String,
  reason: Schema.Literal("NotDeclared", "WriteFailed", "Missing"),
  detail: Schema.optional(Schema.String)
}) {
  override get message() {
    const why = {
      NotDeclared: "is not among the outputs the step declares",
      WriteFailed: "could not be written",
      Missing: "was not found after the step ran"
    }[this.reason]
    return `step ${this.stepId}: output ${this.path} ${why}${this.detail ? `: ${this.detail}` : ""}`
  }
}

/** Records reaching a step: the merge of its upstream steps' record files. */
export type RecordInput = Stream.Stream<Rec, RecordFileError>

/**
 * A step's implementation. Sources ignore `input`; transforms return the records they pass on
 * (with their own fields added); sinks return an Effect that consumes the input.
 */
export interface StepService<C = unknown> {
  readonly run: (
    input: RecordInput,
    context: StepContext<C>
  ) => Stream.Stream<Rec, unknown> | Effect.Effect<void, unknown>
}

// biome-ignore lint/suspicious/noExplicitAny: config types vary per step; each step checks its own with its schema.
export type AnyConfigSchema = Schema.Schema<any, any, never>

/** The tag of a step's service; each step's tag has its own identity type. */
// biome-ignore lint/suspicious/noExplicitAny: the identity type differs per step and is never used by the runner.
export type StepTag<C> = Context.Tag<any, StepService<C>>

// biome-ignore lint/suspicious/noExplicitAny: the runner handles steps of every config type alike.
export interface StepDefinition<C = any> {
  readonly id: string
  readonly aliases: ReadonlyArray<string>
  readonly description: string
  readonly kind: StepKind
  /** Steps that must be in the profile and run before this one. */
  readonly needs: ReadonlyArray<string>
  /** Steps (or patterns such as `enrich.*`, `*`) to run before this one when the profile has them. */
  readonly after: ReadonlyArray<string>
  readonly reads: FieldMap
  readonly writes: FieldMap
  readonly outputs: ReadonlyArray<OutputSpec>
  readonly config: AnyConfigSchema
  /** Settings taken from the job: config key -> dotted job path (e.g. `{ filters: "filters" }`). */
  readonly fromJob: Readonly<Record<string, string>>
  /** Bumped when the step's output for the same input changes, so resume does not reuse stale outputs. */
  readonly version: string
  /** The step writes job content into its outputs (a manifest): a changed job re-runs it on resume. */
  readonly readsJob: boolean
  /**
   * The step reads only the files the job names (the suppression list), not the rest of the job:
   * their content joins its fingerprint, so editing them re-runs it, while other job edits do not.
   */
  readonly readsJobFiles: boolean
  readonly tag: StepTag<C>
  /** Built-in layer for steps defined with an inline `run`. */
  // biome-ignore lint/suspicious/noExplicitAny: provides the service under the step's own tag identity.
  readonly layer?: Layer.Layer<any>
  /** Whether the step can run on this machine (e.g. a browser is installed); checked before a run. */
  readonly availability?: Effect.Effect<Availability>
  /** See `StepOptions.warmUp`. */
  readonly warmUp?: () => void
  /** Set by definePlugin; `settings` only for a plugin with a `config` schema (they join the resume fingerprint). */
  readonly plugin?: { readonly id: string; readonly version: string; readonly settings?: unknown }
  /** Set when a third-party plugin is loaded: the isolation its steps run under (core/StepGuard.ts). */
  readonly guard?: StepGuard
}

/** How a step of a third-party plugin is isolated: named in its errors, and stopped at its time limit. */
export interface StepGuard {
  /** The plugin as errors name it: `id version`. */
  readonly plugin: string
  /** The step's time limit, every attempt included. */
  readonly timeoutSeconds: number
  /** Where the limit comes from, for the error: `timeout_s of the plugin entry`, `the plugin's default`, ... */
  readonly timeoutSource: string
}

interface StepOptions<C> {
  readonly id: string
  readonly aliases?: ReadonlyArray<string>
  readonly description: string
  readonly kind: StepKind
  readonly needs?: ReadonlyArray<string>
  readonly after?: ReadonlyArray<string>
  readonly reads?: FieldMap
  readonly writes?: FieldMap
  readonly outputs?: ReadonlyArray<OutputSpec>
  // biome-ignore lint/suspicious/noExplicitAny: the encoded side of a config schema is free-form YAML.
  readonly config?: Schema.Schema<C, any, never>
  readonly fromJob?: Readonly<Record<string, string>>
  readonly version?: string
  readonly readsJob?: boolean
  readonly readsJobFiles?: boolean
  readonly availability?: StepDefinition["availability"]
  /**
   * Start-up work of the step that may begin before its turn, on another thread, such as launching a
   * browser or a worker (decision 026; the built-in steps need none). The runner calls it once, when
   * the run executes its first step, for every step selected to run; steps sharing the same function
   * share the call. It must return at once, must not throw, and must leave the step correct when it did
   * nothing (the step does its own start-up when it gets there first).
   */
  readonly warmUp?: () => void
}

const STEP_ID = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/

/** Steps without settings accept none: any key is reported (an empty Struct would accept anything). */
export const NoConfig = Schema.Record({ key: Schema.String, value: Schema.Unknown }).pipe(
  Schema.filter((settings) => {
    const [first] = Object.keys(settings)
    return first === undefined ? true : { path: [first], message: "is unexpected: this step has no settings" }
  })
)

/**
 * Declares a step. Give either `tag` (a service built by the plugin's layer, for steps with dependencies)
 * or `run` (an inline implementation needing no services).
 *
 * @example
 * const upper = defineStep({
 *   id: "demo.upper",
 *   description: "Upper-cases names.",
 *   kind: "transform",
 *   reads: { name: { type: "string", description: "Display name" } },
 *   writes: { name_upper: { type: "string", description: "Name in capitals" } },
 *   run: (input) => Stream.map(input, (r) => ({ ...r, name_upper: String(r.name).toUpperCase() }))
 * })
 */
export function defineStep<C = Record<string, never>>(
  options: StepOptions<C> & { readonly tag: StepTag<C> }
): StepDefinition<C>
export function defineStep<C = Record<string, never>>(
  options: StepOptions<C> & { readonly run: StepService<C>["run"] }
): StepDefinition<C>
export function defineStep<C>(
  options: StepOptions<C> & {
    readonly tag?: StepTag<C>
    readonly run?: StepService<C>["run"]
  }
): StepDefinition<C> {
  for (const id of [options.id, ...(options.aliases ?? [])]) {
    if (!STEP_ID.test(id)) throw new Error(`step id "${id}" must look like stage.action (lower case, dotted)`)
  }
  const tag: StepTag<C> = options.tag ?? Context.GenericTag<StepService<C>>(`step/${options.id}`)
  const layer = options.run ? Layer.succeed(tag, { run: options.run }) : undefined
  return {
    id: options.id,
    aliases: options.aliases ?? [],
    description: options.description,
    kind: options.kind,
    needs: options.needs ?? [],
    after: options.after ?? [],
    reads: options.reads ?? {},
    writes: options.writes ?? {},
    outputs: options.outputs ?? [],
    config: (options.config ?? NoConfig) as AnyConfigSchema,
    fromJob: options.fromJob ?? {},
    version: options.version ?? "1",
    readsJob: options.readsJob ?? false,
    readsJobFiles: options.readsJobFiles ?? false,
    tag,
    ...(layer ? { layer } : {}),
    ...(options.availability ? { availability: options.availability } : {}),
    ...(options.warmUp ? { warmUp: options.warmUp } : {})
  }
}

/** True when a step's `run` returned a stream of records rather than a sink effect. */
export const isRecordStream = (value: unknown): value is Stream.Stream<Rec, unknown> =>
  typeof value === "object" && value !== null && Stream.StreamTypeId in value
