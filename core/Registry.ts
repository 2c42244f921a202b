/**
 * Steps by id (and alias), built from the loaded plugins. A duplicate id fails at start, and
 * ids that profiles name but no plugin provides yet are known from the step catalogue.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { AnyLayer, Plugin } from "./Plugin.ts"
import type { StepDefinition } from "./Step.ts"
import { closestMatch } from "./Suggest.ts"

export class PluginConflict extends Data.TaggedError("PluginConflict")<{
  readonly stepId: string
  readonly plugins: readonly [string, string]
}> {
  override get message() {
    return `step id ${this.stepId} is registered by both plugin ${this.plugins[0]} and plugin ${this.plugins[1]}`
  }
}

export class StepNotFound extends Data.TaggedError("StepNotFound")<{
  readonly stepId: string
  readonly suggestion?: string
}> {
  override get message() {
    return `unknown step ${this.stepId}${this.suggestion ? ` (did you mean ${this.suggestion}?)` : ""}`
  }
}

/** A documented step id that no loaded plugin provides yet. */
export interface PlannedStep {
  readonly id: string
  readonly aliases: ReadonlyArray<string>
  readonly description: string
  /** Soft ordering used by --explain until a plugin provides the step. */
  readonly after: ReadonlyArray<string>
}

export type Lookup =
  | { readonly _tag: "Available"; readonly step: StepDefinition; readonly invokedAs: string }
  | { readonly _tag: "NotAvailable"; readonly planned: PlannedStep; readonly invokedAs: string }

export interface RegistryShape {
  readonly plugins: ReadonlyArray<Plugin>
  readonly steps: ReadonlyArray<StepDefinition>
  readonly lookup: (id: string) => Effect.Effect<Lookup, StepNotFound>
  /** Every layer the registered steps need, merged. */
  readonly layer: AnyLayer
}

export class Registry extends Context.Tag("core/Registry")<Registry, RegistryShape>() {
  /** Builds the registry from the plugin list; fails on the first duplicate step id or alias. */
  static readonly fromPlugins = (plugins: ReadonlyArray<Plugin>, catalogue: ReadonlyArray<PlannedStep> = []) =>
    Layer.effect(Registry, makeRegistry(plugins, catalogue))
}

export const makeRegistry = (
  plugins: ReadonlyArray<Plugin>,
  catalogue: ReadonlyArray<PlannedStep> = []
): Effect.Effect<RegistryShape, PluginConflict> =>
  Effect.gen(function* () {
    const byId = new Map<string, { step: StepDefinition; plugin: string }>()
    for (const plugin of plugins) {
      for (const step of plugin.steps) {
        for (const id of [step.id, ...step.aliases]) {
          const taken = byId.get(id)
          if (taken) return yield* new PluginConflict({ stepId: id, plugins: [taken.plugin, plugin.id] })
          byId.set(id, { step, plugin: plugin.id })
        }
      }
    }
    const planned = new Map<string, PlannedStep>()
    for (const entry of catalogue) for (const id of [entry.id, ...entry.aliases]) planned.set(id, entry)
    const known = [...new Set([...byId.keys(), ...planned.keys()])]

    const lookup = (id: string): Effect.Effect<Lookup, StepNotFound> => {
      const found = byId.get(id)
      if (found) return Effect.succeed({ _tag: "Available", step: found.step, invokedAs: id })
      const plan = planned.get(id)
      if (plan) return Effect.succeed({ _tag: "NotAvailable", planned: plan, invokedAs: id })
      const suggestion = closestMatch(id, known)
      return Effect.fail(new StepNotFound({ stepId: id, ...(suggestion ? { suggestion } : {}) }))
    }
    const layers = plugins.map((plugin) => plugin.layer)
    return {
      plugins,
      steps: plugins.flatMap((plugin) => plugin.steps),
      lookup,
      layer: layers.length === 0 ? (Layer.empty as unknown as AnyLayer) : Layer.mergeAll(...(layers as [AnyLayer]))
    }
  })
