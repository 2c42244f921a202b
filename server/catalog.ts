/**
 * GET /profiles and GET /plugins: the same facts as `filon profiles --json` and
 * `filon plugins --json`, for the plugins this server loads (built-in and config file).
 */
import * as Effect from "effect/Effect"
import { listPlugin } from "../core/PluginLoader.ts"
import { listProfiles } from "../core/ProfileCatalog.ts"
import type { RegistryShape } from "../core/Registry.ts"

export const describeProfiles = (registry: RegistryShape) =>
  listProfiles(registry).pipe(
    Effect.map((profiles) => ({ profiles })),
    Effect.orDie
  )

export const describePlugins = (registry: RegistryShape) => ({ plugins: registry.plugins.map(listPlugin) })
