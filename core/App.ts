/**
 * The one composition of the core: the registry from built-in plugins (passed in by the shell,
 * since core never imports a plugin) plus the job's own plugins, loaded by path or package name.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { importPlugin, type Plugin, type PluginInvalid } from "./Plugin.ts"
import { loadCatalogue } from "./Profile.ts"
import { makeRegistry, type PluginConflict, Registry, type RegistryShape } from "./Registry.ts"

export interface AppOptions {
  readonly builtins: ReadonlyArray<Plugin>
  /** The job's `plugins`: paths (relative to `baseDir`, the job file's folder) or package names. */
  readonly specifiers?: ReadonlyArray<string>
  readonly baseDir?: string
}

/** Loads every plugin and builds the registry; a plugin that fails to load or clashes fails here. */
export const buildRegistry = (options: AppOptions): Effect.Effect<RegistryShape, PluginInvalid | PluginConflict> =>
  Effect.gen(function* () {
    const baseDir = options.baseDir ?? process.cwd()
    const loaded = yield* Effect.forEach(options.specifiers ?? [], (specifier) => importPlugin(specifier, baseDir))
    return yield* makeRegistry([...options.builtins, ...loaded], yield* loadCatalogue())
  })

export const registryLayer = (options: AppOptions) => Layer.effect(Registry, buildRegistry(options))
