/**
 * The plugin's settings (its plugin entry's `config`) and where the connection comes from: the
 * entry's `base_url` / `api_key`, else FILON_INSEE_BASE_URL / FILON_INSEE_API_KEY, else INSEE's
 * public endpoint and no key. The key stays Redacted from here to the request header.
 */
import { Config, Effect, Option, Redacted, Schema } from "filon/core/sdk.ts"

export const BASE_URL_VARIABLE = "FILON_INSEE_BASE_URL"
export const KEY_VARIABLE = "FILON_INSEE_API_KEY"
/** API Sirene 3.11 on INSEE's API portal (https://portail-api.insee.fr/). */
export const DEFAULT_BASE_URL = "https://api.insee.fr/api-sirene/3.11"

const HttpUrl = Schema.String.pipe(
  Schema.filter((text) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol), {
    message: () => "an http(s) URL such as https://api.insee.fr/api-sirene/3.11"
  })
)

/** The plugin entry's `config`. */
export const RegistryApiSettings = Schema.Struct({
  /** Base URL of API Sirene 3.11. @default $FILON_INSEE_BASE_URL, else https://api.insee.fr/api-sirene/3.11 */
  base_url: Schema.optional(HttpUrl),
  /**
   * The API key (sent as X-INSEE-Api-Key-Integration). Keep it in the environment or the installation's
   * config file rather than in a job file: the job is copied into the run state. @default $FILON_INSEE_API_KEY
   */
  api_key: Schema.optional(Schema.Redacted(Schema.String.pipe(Schema.minLength(1))))
})
export type RegistryApiSettings = typeof RegistryApiSettings.Type

/** The step's settings (profile `config.enrich.registry`, the job, `--set`). */
export const EnrichRegistryConfig = Schema.Struct({
  /** Requests per minute under the key, process-wide (INSEE's plan allows 30). @default 30 */
  requests_per_minute: Schema.optionalWith(Schema.Number.pipe(Schema.between(1, 100_000)), { default: () => 30 }),
  /** Companies looked up at once. @default 4 */
  concurrency: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 32)), { default: () => 4 })
})
export type EnrichRegistryConfig = typeof EnrichRegistryConfig.Type

export interface Connection {
  readonly baseUrl: string
  readonly key: Option.Option<Redacted.Redacted<string>>
}

const fromEnvironment = <A>(config: Config.Config<A>) =>
  config.pipe(
    Config.option,
    Effect.orElseSucceed(() => Option.none<A>())
  )

/** The connection for these settings: the entry's values first, then the environment. */
export const connectionOf = (settings: RegistryApiSettings): Effect.Effect<Connection> =>
  Effect.gen(function* () {
    const envBase = yield* fromEnvironment(Config.string(BASE_URL_VARIABLE))
    const envKey = yield* fromEnvironment(Config.redacted(KEY_VARIABLE))
    const base =
      settings.base_url ??
      Option.getOrUndefined(Option.filter(envBase, (text) => text.trim() !== "")) ??
      DEFAULT_BASE_URL
    const key = settings.api_key
      ? Option.some(settings.api_key)
      : Option.filter(envKey, (value) => Redacted.value(value).trim() !== "")
    return { baseUrl: base.trim().replace(/\/+$/, ""), key }
  })
