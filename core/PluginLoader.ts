/**
 * Loading plugins: a module by path or package name, its plugin API version checked, its settings
 * decoded with its own schema, and, for a third-party plugin, its steps isolated (StepGuard.ts).
 * Every refusal is a PluginInvalid naming the module as written (exit 2, before anything runs).
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type { PluginEntry } from "./Job.ts"
import { DEFAULT_STEP_TIMEOUT_S, PLUGIN_API_VERSION, type Plugin, PluginInvalid, type PluginOrigin } from "./Plugin.ts"
import { describeIssues } from "./Settings.ts"
import type { StepGuard } from "./Step.ts"
import { isolateLayer } from "./StepGuard.ts"

const isPlugin = (value: unknown): value is Plugin =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as Plugin).id === "string" &&
  Array.isArray((value as Plugin).steps) &&
  Layer.isLayer((value as Plugin).layer)

/**
 * Loads a plugin module by path (relative to `baseDir`) or package name; its default export
 * (or a named `plugin` export) must come from definePlugin. Gives the plugin and the file loaded.
 */
export const importPlugin = (
  specifier: string,
  baseDir: string
): Effect.Effect<{ readonly plugin: Plugin; readonly file: string }, PluginInvalid> =>
  Effect.tryPromise({
    try: async () => {
      // Paths resolve against the folder of the file naming the plugin; bare names as packages from there.
      const file = Bun.resolveSync(specifier, baseDir)
      return { file, module: (await import(file)) as { default?: unknown; plugin?: unknown } }
    },
    catch: (cause) =>
      new PluginInvalid({ specifier, reason: `cannot be loaded (${(cause as Error)?.message ?? cause})`, cause })
  }).pipe(
    Effect.flatMap(({ file, module }) => {
      const candidate = module.default ?? module.plugin
      return isPlugin(candidate)
        ? Effect.succeed({ plugin: candidate, file })
        : Effect.fail(new PluginInvalid({ specifier, reason: "its default export is not a definePlugin(...) value" }))
    })
  )

/** Refuses a plugin written for another major version of the plugin API. */
export const checkApiVersion = (plugin: Plugin, specifier: string): Effect.Effect<void, PluginInvalid> => {
  // Plugins built before `api` existed were written for the first version.
  const api = plugin.api ?? 1
  if (api === PLUGIN_API_VERSION) return Effect.void
  const remedy =
    typeof api === "number" && api > PLUGIN_API_VERSION
      ? "update filon, or use a version of the plugin"
      : "use a version of the plugin"
  return Effect.fail(
    new PluginInvalid({
      specifier,
      reason: `${plugin.id} ${plugin.version} is written for plugin API ${api}, and this filon implements plugin API ${PLUGIN_API_VERSION}: ${remedy} written for API ${PLUGIN_API_VERSION}`
    })
  )
}

const whereNamed: Record<PluginOrigin["from"], string> = {
  "built-in": "built in",
  config: "named by the config file",
  job: "named by the job",
  cli: "named by --plugin"
}

/** Decodes the entry's `config` with the plugin's own schema; a plugin without one accepts no settings. */
const decodeSettings = (
  plugin: Plugin,
  raw: Readonly<Record<string, unknown>> | undefined,
  origin: PluginOrigin
): Effect.Effect<unknown, PluginInvalid> => {
  const refuse = (problems: ReadonlyArray<string>) =>
    new PluginInvalid({
      specifier: origin.specifier,
      reason: `settings of ${plugin.id} (${whereNamed[origin.from]}) are invalid: ${problems.join("; ")}`
    })
  if (!plugin.config) {
    const [first] = Object.keys(raw ?? {})
    return first === undefined
      ? Effect.succeed(undefined)
      : Effect.fail(refuse([`config.${first}: is unexpected: this plugin takes no settings`]))
  }
  return Schema.decodeUnknown(plugin.config, { errors: "all", onExcessProperty: "error" })(raw ?? {}).pipe(
    Effect.mapError((error) => refuse(describeIssues(error).map((problem) => `config.${problem}`)))
  )
}

/** The time limit of a third-party plugin's steps: the entry's, else the plugin's own, else the default. */
export const guardOf = (plugin: Plugin, entry: PluginEntry | undefined): StepGuard => {
  const fromEntry = typeof entry === "object" ? entry.timeout_s : undefined
  const [timeoutSeconds, timeoutSource] =
    fromEntry !== undefined
      ? [fromEntry, "timeout_s of its plugin entry"]
      : plugin.timeoutSeconds !== undefined
        ? [plugin.timeoutSeconds, `timeout_s of plugin ${plugin.id}`]
        : [DEFAULT_STEP_TIMEOUT_S, "the default for third-party plugins; set timeout_s in the plugin entry"]
  return { plugin: `${plugin.id} ${plugin.version}`, timeoutSeconds, timeoutSource }
}

/**
 * A plugin ready to register: API version checked, settings decoded and applied, origin recorded.
 * A third-party plugin's steps are isolated: named in their errors, stopped at their time limit,
 * their records checked; its layer cannot fail the run, only its own steps.
 */
export const configurePlugin = (
  plugin: Plugin,
  entry: PluginEntry | undefined,
  origin: PluginOrigin
): Effect.Effect<Plugin, PluginInvalid> =>
  Effect.gen(function* () {
    yield* checkApiVersion(plugin, origin.specifier)
    const raw = typeof entry === "object" ? entry.config : undefined
    const settings = yield* decodeSettings(plugin, raw, origin)
    const configured = plugin.config && plugin.configure ? plugin.configure(settings) : plugin
    if (origin.from === "built-in") return { ...configured, origin }
    const guard = guardOf(configured, entry)
    return {
      ...configured,
      steps: configured.steps.map((step) => ({ ...step, guard })),
      layer: isolateLayer(configured, guard),
      origin
    }
  })

/** A loaded plugin as `filon plugins --json` (and the server's GET /plugins) describe it. */
export const listPlugin = (plugin: Plugin) => ({
  id: plugin.id,
  version: plugin.version,
  api: plugin.api ?? 1,
  description: plugin.description,
  origin: plugin.origin ?? ({ from: "built-in", specifier: plugin.id, file: null } satisfies PluginOrigin),
  /** Seconds each of its steps may run: third-party plugins only. */
  timeout_s: plugin.steps[0]?.guard?.timeoutSeconds ?? null,
  steps: plugin.steps.map((step) => ({
    id: step.id,
    aliases: step.aliases,
    kind: step.kind,
    description: step.description,
    ...(step.guard ? { timeout_s: step.guard.timeoutSeconds } : {})
  }))
})
export type PluginListing = ReturnType<typeof listPlugin>
