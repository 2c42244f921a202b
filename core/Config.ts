/**
 * The installation's config file (`--config FILE`, `FILON_CONFIG`, or `<data-dir>/config.yaml` for
 * the server): what holds for every run of this installation rather than for one job: plugins
 * loaded for every run, the server's tokens, queue and restart policy, where metrics are pushed,
 * and where traces go. Environment variables override it (CONTRACTS.md, "Environment").
 *
 * Secrets (API tokens) live here or in the environment, never in a job file, and are never logged.
 */
import { readFile } from "node:fs/promises"
import { dirname, resolve } from "node:path"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { PluginEntry, strictStruct } from "./Job.ts"
import { JobInvalid } from "./JobProblems.ts"
import { issuesOf } from "./Settings.ts"

const Whole = (min: number) => Schema.Int.pipe(Schema.greaterThanOrEqualTo(min))

export const ServerConfig = strictStruct({
  /** Bearer tokens accepted by the server (FILON_API_TOKEN adds one). */
  tokens: Schema.optionalWith(Schema.Array(Schema.String.pipe(Schema.minLength(16))), { default: () => [] }),
  /** Runs executed at once. @default 1 */
  concurrency: Schema.optionalWith(Whole(1), { default: () => 1 }),
  /** Runs waiting beyond the running ones; a POST beyond it is answered 429. @default 100 */
  queue_size: Schema.optionalWith(Whole(0), { default: () => 100 }),
  /** Whether GET /metrics needs the token too. @default false */
  metrics_auth: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** What a restart does with runs that were running: resume them, or mark them failed. @default "resume" */
  on_restart: Schema.optionalWith(Schema.Literal("resume", "fail"), { default: () => "resume" as const }),
  /** Largest request body accepted, KiB. @default 256 */
  body_limit_kb: Schema.optionalWith(Whole(1), { default: () => 256 })
})
export type ServerConfig = typeof ServerConfig.Type

export const FilonConfig = strictStruct({
  /** Plugins loaded for every run, before the job's own (paths relative to this file). */
  plugins: Schema.optionalWith(Schema.Array(PluginEntry), { default: () => [] }),
  server: Schema.optionalWith(ServerConfig, { default: () => Schema.decodeSync(ServerConfig)({}) }),
  metrics: Schema.optionalWith(
    strictStruct({
      /** Pushgateway URL the CLI pushes a run's metrics to at the end (like --pushgateway). */
      pushgateway: Schema.optional(Schema.String)
    }),
    { default: () => ({}) }
  ),
  tracing: Schema.optionalWith(
    strictStruct({
      /** OTLP/HTTP endpoint (e.g. http://127.0.0.1:4318); OTEL_EXPORTER_OTLP_ENDPOINT overrides it. */
      otlp_endpoint: Schema.optional(Schema.String),
      /** @default "filon" */
      service_name: Schema.optionalWith(Schema.String, { default: () => "filon" })
    }),
    { default: () => ({ service_name: "filon" }) }
  )
})
export type FilonConfig = typeof FilonConfig.Type

export interface LoadedConfig {
  readonly config: FilonConfig
  /** The file it came from (plugin paths resolve against its folder), or null for the defaults. */
  readonly file: string | null
}

export const defaultConfig = (): LoadedConfig => ({ config: Schema.decodeSync(FilonConfig)({}), file: null })

/**
 * Reads the config file: `explicit` (a --config flag), else FILON_CONFIG, else `fallback` when it
 * exists (the server's `<data-dir>/config.yaml`); none of them gives the defaults. An explicit file
 * that is missing or invalid is an error naming the file and the fields.
 */
export const loadConfig = (
  options: { readonly explicit?: string | undefined; readonly fallback?: string; readonly cwd?: string } = {}
): Effect.Effect<LoadedConfig, JobInvalid> =>
  Effect.gen(function* () {
    const cwd = options.cwd ?? process.cwd()
    const named = options.explicit ?? process.env.FILON_CONFIG
    const file = named ? resolve(cwd, named) : options.fallback ? resolve(cwd, options.fallback) : undefined
    if (!file) return defaultConfig()
    const text = yield* Effect.promise(() => readFile(file, "utf8").catch(() => undefined))
    if (text === undefined) {
      if (!named) return defaultConfig()
      return yield* new JobInvalid({
        file,
        problems: [{ path: "(file)", expected: "an existing config file", got: "no such file" }]
      })
    }
    const YAML = (yield* Effect.promise(() => import("yaml"))).default
    const data = yield* Effect.try({
      try: () => (YAML.parse(text) as unknown) ?? {},
      catch: (error) =>
        new JobInvalid({ file, problems: [{ path: "(file)", expected: "valid YAML", got: (error as Error).message }] })
    })
    const config = yield* Schema.decodeUnknown(FilonConfig, { errors: "all", onExcessProperty: "error" })(data).pipe(
      Effect.mapError(
        (error) =>
          new JobInvalid({
            file,
            problems: issuesOf(error, "(config)").map((issue) => ({ path: issue.path, expected: issue.message }))
          })
      )
    )
    return { config, file }
  })

/** The folder a config's plugin paths resolve against. */
export const configDir = (loaded: LoadedConfig, cwd: string) => (loaded.file ? dirname(loaded.file) : cwd)

/** Every accepted token: the config's and FILON_API_TOKEN (never logged). */
export const apiTokensOf = (config: FilonConfig, env: NodeJS.ProcessEnv = process.env): ReadonlyArray<string> => {
  const fromEnv = env.FILON_API_TOKEN?.trim()
  return [...config.server.tokens, ...(fromEnv ? [fromEnv] : [])]
}
