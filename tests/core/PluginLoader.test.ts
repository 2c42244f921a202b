import { afterEach, describe, expect, it } from "bun:test"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { buildRegistry, type PluginSource } from "../../core/App.ts"
import { definePlugin, PLUGIN_API_VERSION } from "../../core/Plugin.ts"
import testPlugin from "../support/plugin/index.ts"
import { FAULTY, supportDir, tempDirs } from "./support/sdk.ts"

const dirs = tempDirs()
afterEach(dirs.cleanup)

const PLUGIN_MODULE = join(import.meta.dir, "..", "..", "core", "Plugin.ts")
// Modules written outside the repository find its packages by absolute path.
const SCHEMA_MODULE = Bun.resolveSync("effect/Schema", import.meta.dir)

/** Writes a plugin module into a temporary folder and gives the folder. */
const pluginModule = async (name: string, body: string) => {
  const dir = await dirs.make()
  await writeFile(
    join(dir, name),
    `import * as Schema from ${JSON.stringify(SCHEMA_MODULE)}\nimport { definePlugin } from ${JSON.stringify(PLUGIN_MODULE)}\n${body}\n`
  )
  return dir
}

const load = (plugins: ReadonlyArray<PluginSource>) =>
  Effect.runPromise(buildRegistry({ builtins: [testPlugin], plugins }))
const refusal = (plugins: ReadonlyArray<PluginSource>) =>
  Effect.runPromise(Effect.flip(buildRegistry({ builtins: [testPlugin], plugins })))

const fromJob = (entry: PluginSource["entry"], baseDir = supportDir): PluginSource => ({ entry, baseDir, from: "job" })

describe("loading a plugin", () => {
  it("refuses a plugin written for another major version of the plugin API, naming it", async () => {
    const dir = await pluginModule(
      "future.ts",
      `export default definePlugin({ id: "future", version: "3.0.0", api: 2, steps: [] })`
    )
    const error = await refusal([fromJob("./future.ts", dir)])
    expect(error._tag).toBe("PluginInvalid")
    expect(error.message).toBe(
      `plugin ./future.ts: future 3.0.0 is written for plugin API 2, and this filon implements plugin API ${PLUGIN_API_VERSION}: update filon, or use a version of the plugin written for API ${PLUGIN_API_VERSION}`
    )
  })

  it("stamps the API version of the definePlugin it was built with when the plugin does not declare one", () => {
    expect(definePlugin({ id: "plain", steps: [] }).api).toBe(PLUGIN_API_VERSION)
  })

  it("decodes the plugin entry's settings with the plugin's own schema, naming the plugin and the field", async () => {
    const error = await refusal([fromJob({ use: FAULTY, config: { weight: "heavy", colour: "red" } })])
    expect(error.message).toStartWith(`plugin ${FAULTY}: settings of faulty (named by the job) are invalid: `)
    expect(error.message).toContain(`config.weight: Expected number, actual "heavy"`)
    expect(error.message).toContain("config.colour: is unexpected")
  })

  it("refuses settings for a plugin that takes none", async () => {
    const testModule = join(supportDir, "plugin", "index.ts")
    const error = await Effect.runPromise(
      Effect.flip(buildRegistry({ builtins: [], plugins: [fromJob({ use: testModule, config: { rows: 5 } })] }))
    )
    expect(error.message).toContain(
      "settings of test (named by the job) are invalid: config.rows: is unexpected: this plugin takes no settings"
    )
  })

  it("refuses a plugin whose required settings are missing", async () => {
    const dir = await pluginModule(
      "needs.ts",
      `export default definePlugin({ id: "needs", config: Schema.Struct({ base_url: Schema.String }), steps: [] })`
    )
    const error = await refusal([fromJob("./needs.ts", dir)])
    expect(error.message).toBe(
      "plugin ./needs.ts: settings of needs (named by the job) are invalid: config.base_url: is missing"
    )
  })

  it("gives the plugin's defaults to its layer and steps until it is configured", () => {
    const plugin = definePlugin({
      id: "defaults",
      config: Schema.Struct({ size: Schema.optionalWith(Schema.Int, { default: () => 7 }) }),
      steps: []
    })
    expect(plugin.settings).toEqual({ size: 7 })
    expect(plugin.configure?.({ size: 9 }).settings).toEqual({ size: 9 })
  })

  it("records where each plugin came from: built in, or the entry as written and the file it resolved to", async () => {
    const loaded = await load([{ entry: "../support/faulty-plugin", baseDir: import.meta.dir, from: "config" }])
    expect(loaded.plugins.map((plugin) => [plugin.id, plugin.origin])).toEqual([
      ["test", { from: "built-in", specifier: "test", file: null }],
      [
        "faulty",
        { from: "config", specifier: "../support/faulty-plugin", file: join(supportDir, "faulty-plugin", "index.ts") }
      ]
    ])
  })

  it("loads a module named by both the config file and the job once, with the job's settings and time limit", async () => {
    const registry = await load([
      { entry: { use: FAULTY, config: { label: "from-config" }, timeout_s: 10 }, baseDir: supportDir, from: "config" },
      fromJob({ use: FAULTY, config: { label: "from-job" }, timeout_s: 20 })
    ])
    const faulty = registry.plugins.filter((plugin) => plugin.id === "faulty")
    expect(faulty).toHaveLength(1)
    expect(faulty[0]?.origin?.from).toBe("job")
    expect(faulty[0]?.settings).toMatchObject({ label: "from-job" })
    expect(faulty[0]?.steps[0]?.guard).toEqual({
      plugin: "faulty 2.1.0",
      timeoutSeconds: 20,
      timeoutSource: "timeout_s of its plugin entry"
    })
  })

  it("gives a third-party plugin's steps the plugin's own time limit, else the default; built-in steps none", async () => {
    const registry = await load([fromJob(FAULTY)])
    expect(registry.steps.find((step) => step.id === "faulty.enrich")?.guard?.timeoutSeconds).toBe(60)
    expect(registry.steps.find((step) => step.id === "test.source")?.guard).toBeUndefined()
  })
})
