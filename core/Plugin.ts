/**
 * Plugins bundle steps and the layer that builds their services. Built-in plugins and
 * third-party packages register exactly the same way.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { StepDefinition } from "./Step.ts"

/** A layer providing some step services; its output type is only known to the plugin. */
// biome-ignore lint/suspicious/noExplicitAny: plugins are loaded at run time; their services are looked up by tag.
export type AnyLayer = Layer.Layer<any, any, any>

export interface Plugin {
  readonly id: string
  readonly version: string
  readonly description: string
  readonly steps: ReadonlyArray<StepDefinition>
  /** Provides every step service of the plugin (built once per run). */
  readonly layer: AnyLayer
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

interface PluginOptions {
  readonly id: string
  readonly version?: string
  readonly description?: string
  // biome-ignore lint/suspicious/noExplicitAny: each step has its own config type.
  readonly steps: ReadonlyArray<StepDefinition<any>>
  /** Layer building the services of the steps declared with a `tag`. */
  readonly layer?: AnyLayer
}

/**
 * Declares a plugin: its steps and the layer that builds their services.
 *
 * @example
 * export default definePlugin({
 *   id: "acme",
 *   version: "1.0.0",
 *   steps: [findFax],
 *   layer: FindFax.Live
 * })
 */
export const definePlugin = (options: PluginOptions): Plugin => {
  const owner = { id: options.id, version: options.version ?? "0.0.0" }
  const steps = options.steps.map((step) => ({ ...step, plugin: owner }) as StepDefinition)
  const inline = steps.flatMap((step) => (step.layer ? [step.layer] : []))
  const layers = options.layer ? [options.layer, ...inline] : inline
  return {
    id: options.id,
    version: owner.version,
    description: options.description ?? "",
    steps,
    layer: layers.length === 0 ? (Layer.empty as unknown as AnyLayer) : Layer.mergeAll(...(layers as [AnyLayer]))
  }
}

const isPlugin = (value: unknown): value is Plugin =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as Plugin).id === "string" &&
  Array.isArray((value as Plugin).steps) &&
  Layer.isLayer((value as Plugin).layer)

/**
 * Loads a plugin module by path (relative to `baseDir`) or package name; its default export
 * (or a named `plugin` export) must come from definePlugin.
 */
export const importPlugin = (specifier: string, baseDir: string): Effect.Effect<Plugin, PluginInvalid> =>
  Effect.tryPromise({
    try: async () => {
      // Paths resolve against the job file's folder; bare names as packages from there.
      const target = Bun.resolveSync(specifier, baseDir)
      return (await import(target)) as { default?: unknown; plugin?: unknown }
    },
    catch: (cause) =>
      new PluginInvalid({ specifier, reason: `cannot be loaded (${(cause as Error)?.message ?? cause})`, cause })
  }).pipe(
    Effect.flatMap((module) => {
      const candidate = module.default ?? module.plugin
      return isPlugin(candidate)
        ? Effect.succeed(candidate)
        : Effect.fail(new PluginInvalid({ specifier, reason: "its default export is not a definePlugin(...) value" }))
    })
  )
