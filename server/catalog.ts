/**
 * GET /profiles and GET /plugins: the same facts as `filon profiles --json` and
 * `filon plugins --json`, for the plugins this server loads (built-in and config file).
 */
import * as Effect from "effect/Effect"
import { resolvePlan } from "../core/Plan.ts"
import { listPlugin } from "../core/PluginLoader.ts"
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

export const describePlugins = (registry: RegistryShape) => ({ plugins: registry.plugins.map(listPlugin) })
