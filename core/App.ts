/**
 * The one composition of the core: the registry from built-in plugins (passed in by the shell,
 * since core never imports a plugin) plus the plugins the installation's config file and the job
 * name, loaded by path or package name.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { PluginEntry } from "./Job.ts"
import { importPlugin, type Plugin, type PluginInvalid } from "./Plugin.ts"
import { loadCatalogue } from "./Profile.ts"
import { makeRegistry, type PluginConflict, Registry, type RegistryShape } from "./Registry.ts"

/** A plugin to load and where its relative path resolves (the folder of the file that names it). */
export interface PluginSource {
  readonly entry: PluginEntry
  readonly baseDir: string
  /** Who asked for it: the config file, the job, or a --plugin flag. */
  readonly from: "config" | "job" | "cli"
}

export interface AppOptions {
  readonly builtins: ReadonlyArray<Plugin>
  /** External plugins, config file first, then the job's. */
  readonly plugins?: ReadonlyArray<PluginSource>
}

/** Names a list of entries from one file. */
export const sourcesOf = (
  entries: ReadonlyArray<PluginEntry> | undefined,
  baseDir: string,
  from: PluginSource["from"]
): ReadonlyArray<PluginSource> => (entries ?? []).map((entry) => ({ entry, baseDir, from }))

/** Loads every plugin and builds the registry; a plugin that fails to load or clashes fails here. */
export const buildRegistry = (options: AppOptions): Effect.Effect<RegistryShape, PluginInvalid | PluginConflict> =>
  Effect.gen(function* () {
    const loaded = yield* Effect.forEach(options.plugins ?? [], ({ entry, baseDir }) =>
      importPlugin(typeof entry === "string" ? entry : entry.use, baseDir)
    )
    return yield* makeRegistry([...options.builtins, ...loaded], yield* loadCatalogue())
  })

export const registryLayer = (options: AppOptions) => Layer.effect(Registry, buildRegistry(options))
