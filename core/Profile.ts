/**
 * Profiles are data: a YAML file with a description, a list of step ids and optional per-step
 * settings. Built-in profiles live in profiles/; users may pass the path of their own file.
 */
import { readdir } from "node:fs/promises"
import { basename, extname, join, resolve } from "node:path"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import YAML from "yaml"
import { projectPath } from "./ProjectRoot.ts"
import type { PlannedStep } from "./Registry.ts"
import { describeIssues } from "./Settings.ts"
import { closestMatch } from "./Suggest.ts"

/** The folder of the built-in profiles. */
export const BUILTIN_PROFILES_DIR = projectPath("profiles")
const CATALOGUE_FILE = "catalogue.yaml"

/** What a failed step does to the run: stop it (the default), or go on with the step marked failed. */
export const FailureAction = Schema.Literal("stop", "continue")
export type FailureAction = typeof FailureAction.Type

/** One action for every step, or one per step id or pattern (`enrich.*`, `*`), the most specific winning. */
export const FailurePolicySetting = Schema.Union(
  FailureAction,
  Schema.Record({ key: Schema.String, value: FailureAction })
).annotations({
  message: () => ({
    message: `stop, continue, or a mapping of step ids or patterns ("enrich.*", "*") to stop or continue`,
    override: true
  })
})
export type FailurePolicySetting = typeof FailurePolicySetting.Type

export const ProfileSchema = Schema.Struct({
  /** One line shown by `filon profiles`. */
  description: Schema.String,
  /** Step ids (or aliases), in any order: the runner orders them by their declared dependencies. */
  steps: Schema.NonEmptyArray(Schema.String),
  /** Settings per step id, overriding the step defaults (and overridden by the job and CLI). */
  config: Schema.optionalWith(
    Schema.Record({ key: Schema.String, value: Schema.Record({ key: Schema.String, value: Schema.Unknown }) }),
    {
      default: () => ({})
    }
  ),
  /** What a failed step does to the rest of the run (docs/plugins.md, "When a step fails"). @default "stop" */
  on_step_failure: Schema.optional(FailurePolicySetting)
}).annotations({ parseOptions: { onExcessProperty: "error" } })

export interface Profile {
  /** The file name without extension (`standard_nocapital`). */
  readonly id: string
  /** Absolute path of the file it came from. */
  readonly file: string
  readonly description: string
  readonly steps: ReadonlyArray<string>
  readonly config: Readonly<Record<string, Readonly<Record<string, unknown>>>>
  /** What a failed step does to the run; absent means stop. */
  readonly on_step_failure?: FailurePolicySetting
}

export class ProfileInvalid extends Data.TaggedError("ProfileInvalid")<{
  readonly file: string
  readonly problems: ReadonlyArray<string>
}> {
  override get message() {
    return `profile ${this.file} is invalid:\n${this.problems.map((problem) => `  ${problem}`).join("\n")}`
  }
}

export class ProfileNotFound extends Data.TaggedError("ProfileNotFound")<{
  readonly name: string
  readonly known: ReadonlyArray<string>
  readonly suggestion?: string
}> {
  override get message() {
    const hint = this.suggestion ? `did you mean ${this.suggestion}? ` : ""
    return `unknown profile ${this.name}: ${hint}known profiles: ${this.known.join(", ")} (or give a path to a profile file)`
  }
}

/** A profile given by path rather than by id. */
export const looksLikePath = (name: string) => name.includes("/") || /\.ya?ml$/i.test(name)

/** The ids of the profiles in a folder, sorted. */
export const listProfileIds = (dir: string = BUILTIN_PROFILES_DIR): Effect.Effect<ReadonlyArray<string>> =>
  Effect.promise(async () => {
    const files = await readdir(dir).catch(() => [] as string[])
    return files
      .filter((file) => /\.ya?ml$/.test(file) && file !== CATALOGUE_FILE)
      .map((file) => basename(file, extname(file)))
      .sort()
  })

/** Loads a profile by id (from `dir`) or by path (relative to `cwd`). */
export const loadProfile = (
  nameOrPath: string,
  options: { readonly dir?: string; readonly cwd?: string } = {}
): Effect.Effect<Profile, ProfileInvalid | ProfileNotFound> =>
  Effect.gen(function* () {
    const dir = options.dir ?? BUILTIN_PROFILES_DIR
    if (looksLikePath(nameOrPath)) return yield* readProfileFile(resolve(options.cwd ?? process.cwd(), nameOrPath))
    const known = yield* listProfileIds(dir)
    if (!known.includes(nameOrPath)) {
      const suggestion = closestMatch(nameOrPath, known)
      return yield* new ProfileNotFound({ name: nameOrPath, known, ...(suggestion ? { suggestion } : {}) })
    }
    const file = (yield* Effect.promise(() => readdir(dir))).find(
      (name) => name === `${nameOrPath}.yaml` || name === `${nameOrPath}.yml`
    )
    return yield* readProfileFile(join(dir, file ?? `${nameOrPath}.yaml`))
  })

const readProfileFile = (file: string): Effect.Effect<Profile, ProfileInvalid> =>
  Effect.gen(function* () {
    const text = yield* Effect.tryPromise({
      try: () => Bun.file(file).text(),
      catch: () => new ProfileInvalid({ file, problems: ["the file cannot be read (does it exist?)"] })
    })
    const data = yield* Effect.try({
      try: () => YAML.parse(text) as unknown,
      catch: (error) => new ProfileInvalid({ file, problems: [`not valid YAML: ${(error as Error).message}`] })
    })
    const decoded = yield* Schema.decodeUnknown(ProfileSchema, { errors: "all" })(data).pipe(
      Effect.mapError((error) => new ProfileInvalid({ file, problems: describeIssues(error) }))
    )
    return {
      id: basename(file, extname(file)),
      file,
      description: decoded.description,
      steps: decoded.steps,
      config: decoded.config,
      ...(decoded.on_step_failure !== undefined ? { on_step_failure: decoded.on_step_failure } : {})
    }
  })

/** The documented step ids that plugins may not provide yet. */
export const loadCatalogue = (dir: string = BUILTIN_PROFILES_DIR): Effect.Effect<ReadonlyArray<PlannedStep>> =>
  Effect.promise(async () => {
    const text = await Bun.file(join(dir, CATALOGUE_FILE))
      .text()
      .catch(() => "steps: []")
    // Our own file, parsed on every start: Bun's native parser takes about 1 ms where the yaml package
    // takes about 15 (its first parse compiles). Same result on this file (checked against YAML.parse).
    const parsed = Bun.YAML.parse(text) as {
      steps?: Array<{ id: string; aliases?: string[]; description?: string; after?: string[] }>
    }
    return (parsed.steps ?? []).map((entry) => ({
      id: entry.id,
      aliases: entry.aliases ?? [],
      description: entry.description ?? "",
      after: entry.after ?? []
    }))
  })
