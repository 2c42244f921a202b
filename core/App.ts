/**
 * The one composition of the core: the registry from built-in plugins (passed in by the shell,
 * since core never imports a plugin) plus the plugins the installation's config file and the job
 * name, loaded by path or package name.
 */
import { dirname } from "node:path"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { configDir, type LoadedConfig } from "./Config.ts"
import type { Job, PluginEntry } from "./Job.ts"
import type { Plugin, PluginInvalid } from "./Plugin.ts"
import { configurePlugin, importPlugin } from "./PluginLoader.ts"
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

/**
 * Every plugin source a run would load, in order: the config file's (relative to it), the job's
 * (relative to the job file, or `cwd` for an inline job), then any named on the command line.
 */
export const pluginSourcesFor = (options: {
  readonly config: LoadedConfig
  readonly job?: Job | undefined
  readonly jobFile?: string | null | undefined
  readonly cli?: ReadonlyArray<string>
  readonly cwd: string
}): ReadonlyArray<PluginSource> => [
  ...sourcesOf(options.config.config.plugins, configDir(options.config, options.cwd), "config"),
  ...sourcesOf(options.job?.plugins, options.jobFile ? dirname(options.jobFile) : options.cwd, "job"),
  ...sourcesOf(options.cli, options.cwd, "cli")
]

const specifierOf = (entry: PluginEntry) => (typeof entry === "string" ? entry : entry.use)

/**
 * Imports and configures the external plugins. A module named twice (by the config file and the
 * job) is loaded once, with the later entry's settings: the job's over the config file's.
 */
const loadExternal = (sources: ReadonlyArray<PluginSource>) =>
  Effect.gen(function* () {
    const imported = yield* Effect.forEach(sources, (source) =>
      importPlugin(specifierOf(source.entry), source.baseDir).pipe(Effect.map((loaded) => ({ ...loaded, source })))
    )
    const byFile = new Map<string, (typeof imported)[number]>()
    for (const loaded of imported) {
      byFile.delete(loaded.file)
      byFile.set(loaded.file, loaded)
    }
    return yield* Effect.forEach(byFile.values(), ({ plugin, file, source }) =>
      configurePlugin(plugin, source.entry, { from: source.from, specifier: specifierOf(source.entry), file })
    )
  })

/** Loads every plugin and builds the registry; a plugin that fails to load, to configure, or clashes fails here. */
export const buildRegistry = (options: AppOptions): Effect.Effect<RegistryShape, PluginInvalid | PluginConflict> =>
  Effect.gen(function* () {
    const builtins = yield* Effect.forEach(options.builtins, (plugin) =>
      configurePlugin(plugin, undefined, { from: "built-in", specifier: plugin.id, file: null })
    )
    const external = yield* loadExternal(options.plugins ?? [])
    return yield* makeRegistry([...builtins, ...external], yield* loadCatalogue())
  })

export const registryLayer = (options: AppOptions) => Layer.effect(Registry, buildRegistry(options))
