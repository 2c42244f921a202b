/**
 * Plugins bundle steps, their settings schema and the layer that builds their services. Built-in
 * plugins and third-party packages register exactly the same way; core/PluginLoader.ts loads the
 * third-party ones by path or package name and isolates their steps.
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { describeIssues } from "./Settings.ts"
import type { AnyConfigSchema, StepDefinition } from "./Step.ts"

/**
 * The major version of the plugin API this filon implements. A plugin declares the one it was
 * written for (`api`); another major is refused at load. Bumped only by a change that breaks
 * plugins (docs/plugins.md, "Versions").
 */
export const PLUGIN_API_VERSION = 1

/** Seconds a step of a third-party plugin may run when neither its entry nor the plugin sets `timeout_s`. */
export const DEFAULT_STEP_TIMEOUT_S = 3600

/** A layer providing some step services; its output type is only known to the plugin. */
// biome-ignore lint/suspicious/noExplicitAny: plugins are loaded at run time; their services are looked up by tag.
export type AnyLayer = Layer.Layer<any, any, any>

/** Where a loaded plugin came from, as `filon plugins` shows it. */
export interface PluginOrigin {
  /** Built into filon, or named by the installation's config file, the job, or a `--plugin` flag. */
  readonly from: "built-in" | "config" | "job" | "cli"
  /** As written (`./my-plugin`, `@acme/filon-plugin-x`); the plugin id for a built-in. */
  readonly specifier: string
  /** The module file that was loaded, or null for a built-in. */
  readonly file: string | null
}

export interface Plugin {
  readonly id: string
  readonly version: string
  /** The plugin API major version the plugin was written for. */
  readonly api: number
  readonly description: string
  readonly steps: ReadonlyArray<StepDefinition>
  /** Provides every step service of the plugin (built once per run), for `settings`. */
  readonly layer: AnyLayer
  /** The schema of the plugin's settings (the `config` of its plugin entry), if it takes any. */
  readonly config?: AnyConfigSchema
  /** The decoded settings this value was built for (the schema's defaults until configured). */
  readonly settings?: unknown
  /** The plugin's own estimate of how long one of its steps may take, in seconds. */
  readonly timeoutSeconds?: number
  /** The same plugin built for other decoded settings (its layer and steps see them). */
  readonly configure?: (settings: unknown) => Plugin
  /** Set by the loader. */
  readonly origin?: PluginOrigin
}

export class PluginInvalid extends Data.TaggedError("PluginInvalid")<{
  readonly specifier: string
  readonly reason: string
  readonly cause?: unknown
}> {
  override get message() {
    return `plugin ${this.specifier}: ${this.reason}`
  }
}

interface PluginOptions<P> {
  readonly id: string
  readonly version?: string
  readonly description?: string
  /**
   * The plugin API major version the plugin is written for: `PLUGIN_API_VERSION` of the filon it was
   * built against. @default the PLUGIN_API_VERSION of the module definePlugin was imported from
   */
  readonly api?: number
  // biome-ignore lint/suspicious/noExplicitAny: each step has its own config type.
  readonly steps: ReadonlyArray<StepDefinition<any>>
  /**
   * The plugin's settings, given by the plugin entry of a job or config file as
   * `{ use, config: { … } }` and decoded with this schema when the plugin is loaded.
   */
  // biome-ignore lint/suspicious/noExplicitAny: the encoded side of a config schema is free-form YAML.
  readonly config?: Schema.Schema<P, any, never>
  /** Layer building the services of the steps declared with a `tag`; a function of the decoded settings. */
  readonly layer?: AnyLayer | ((config: P) => AnyLayer)
  /** How long one of the plugin's steps may run, in seconds (a plugin entry's `timeout_s` overrides it). */
  readonly timeout_s?: number
}

const emptyLayer = Layer.empty as unknown as AnyLayer

/**
 * Declares a plugin: its steps, its settings and the layer that builds their services.
 *
 * @example
 * export default definePlugin({
 *   id: "acme",
 *   version: "1.0.0",
 *   api: PLUGIN_API_VERSION,
 *   config: Schema.Struct({ base_url: Schema.optionalWith(Schema.String, { default: () => "https://api.acme.fr" }) }),
 *   steps: [findFax],
 *   layer: (config) => FindFax.layer(config.base_url)
 * })
 */
export const definePlugin = <P = Record<string, never>>(options: PluginOptions<P>): Plugin => {
  const version = options.version ?? "0.0.0"
  const layerFor = (settings: P): AnyLayer =>
    typeof options.layer === "function" ? options.layer(settings) : (options.layer ?? emptyLayer)

  const build = (settings: P | undefined, layer: AnyLayer): Plugin => {
    // Settings join the steps' resume fingerprint: a plugin configured differently re-runs its steps.
    const owner = { id: options.id, version, ...(options.config ? { settings } : {}) }
    const steps = options.steps.map((step) => ({ ...step, plugin: owner }) as StepDefinition)
    const inline = steps.flatMap((step) => (step.layer ? [step.layer] : []))
    const layers = [layer, ...inline].filter((candidate) => candidate !== emptyLayer)
    return {
      id: options.id,
      version,
      api: options.api ?? PLUGIN_API_VERSION,
      description: options.description ?? "",
      steps,
      layer: layers.length === 0 ? emptyLayer : Layer.mergeAll(...(layers as [AnyLayer])),
      ...(options.config ? { config: options.config as AnyConfigSchema, settings } : {}),
      ...(options.timeout_s !== undefined ? { timeoutSeconds: options.timeout_s } : {}),
      configure: (decoded) => build(decoded as P, layerFor(decoded as P))
    }
  }

  if (!options.config) return build(undefined, layerFor({} as P))
  // Until the loader configures it, the plugin runs with its defaults; a schema that needs settings
  // has none, and a run that gets this far without them fails naming the missing fields.
  const defaults = Schema.decodeUnknownEither(options.config, { errors: "all" })({})
  return Either.match(defaults, {
    onRight: (settings) => build(settings, layerFor(settings)),
    onLeft: (error) =>
      build(
        undefined,
        Layer.fail(
          new PluginInvalid({
            specifier: options.id,
            reason: `needs settings (a plugin entry { use, config }): ${describeIssues(error).join("; ")}`
          })
        )
      )
  })
}
