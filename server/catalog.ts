/**
 * GET /profiles and GET /plugins: the same facts as `filon profiles --json` and
 * `filon plugins --json`, for the plugins this server loads (built-in and config file).
 */
import * as Effect from "effect/Effect"
import { resolvePlan } from "../core/Plan.ts"
import type { Plugin } from "../core/Plugin.ts"
import { listProfileIds, loadProfile } from "../core/Profile.ts"
import type { RegistryShape } from "../core/Registry.ts"

export const describeProfiles = (registry: RegistryShape) =>
  Effect.gen(function* () {
    const rows = []
    for (const id of yield* listProfileIds()) {
      const plan = yield* resolvePlan(yield* loadProfile(id), registry)
      rows.push({
        id,
        description: plan.profile.description,
        steps: plan.nodes.map((node) => node.name),
        available: plan.nodes.length - plan.unavailable.length
      })
    }
    return { profiles: rows }
  }).pipe(Effect.orDie)

export const describePlugins = (registry: RegistryShape, builtins: ReadonlyArray<Plugin>) => ({
  plugins: registry.plugins.map((plugin) => ({
    id: plugin.id,
    version: plugin.version,
    description: plugin.description,
    origin: builtins.includes(plugin) ? "built-in" : "config",
    steps: plugin.steps.map((step) => ({ id: step.id, aliases: step.aliases, kind: step.kind }))
  }))
})
