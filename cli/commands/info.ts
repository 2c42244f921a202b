/**
 * `profiles [NAME]` and `plugins`: what can run, and who provides it. With `--job` and `--config`,
 * the plugins a run of that job would load (the config file's, then the job's) are loaded too.
 */
import { resolve } from "node:path"
import * as Effect from "effect/Effect"
import { buildRegistry, pluginSourcesFor } from "../../core/App.ts"
import { loadConfig } from "../../core/Config.ts"
import { loadJob } from "../../core/Job.ts"
import { resolvePlan } from "../../core/Plan.ts"
import { listPlugin, type PluginListing } from "../../core/PluginLoader.ts"
import { unavailableHere } from "../../core/Prepare.ts"
import { loadCatalogue, loadProfile } from "../../core/Profile.ts"
import { listProfiles } from "../../core/ProfileCatalog.ts"
import { ExitCode } from "../../core/Summary.ts"
import { decodeArgs, type Parsed } from "../args.ts"
import type { CliIo } from "../io.ts"
import { planJson, renderPlan } from "../render.ts"
import { reportFailure } from "./run.ts"

export const infoOptions = {
  json: { kind: "boolean", description: "print JSON" },
  plugin: { kind: "strings", value: "SPEC", description: "also load this plugin (path or package)" },
  job: { kind: "string", value: "FILE", description: "also load the plugins this job names" },
  config: { kind: "string", value: "FILE", description: "installation config file (default: FILON_CONFIG)" }
} as const

/** The registry a run of `--job` under `--config` would have, plus any `--plugin`. */
const registryFor = (io: CliIo, args: Parsed<typeof infoOptions>) =>
  Effect.gen(function* () {
    const config = yield* loadConfig({ explicit: args.config, cwd: io.cwd })
    const jobFile = args.job ? resolve(io.cwd, args.job) : undefined
    const job = jobFile ? yield* loadJob(jobFile) : undefined
    return yield* buildRegistry({
      builtins: io.builtins,
      plugins: pluginSourcesFor({ config, job, jobFile, cli: args.plugin, cwd: io.cwd })
    })
  })

export const profilesCommand = (io: CliIo, argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const args = yield* decodeArgs("profiles", argv, infoOptions)
    const registry = yield* registryFor(io, args)
    const name = args.positionals[0]
    if (name) {
      const plan = yield* resolvePlan(yield* loadProfile(name, { cwd: io.cwd }), registry)
      const absent = yield* unavailableHere(plan)
      io.out(args.json ? JSON.stringify(planJson(plan, absent), null, 2) : renderPlan(plan, undefined, absent))
      return ExitCode.ok
    }
    const rows = (yield* listProfiles(registry)).map((row) => ({ ...row, steps: row.steps.length }))
    io.out(
      args.json
        ? JSON.stringify(rows, null, 2)
        : rows
            .map(
              (row) =>
                `${row.id.padEnd(24)} ${`${row.available}/${row.steps} steps available`.padEnd(24)} ${row.description}`
            )
            .join("\n")
    )
    return ExitCode.ok
  }).pipe(Effect.catchAll(reportFailure(io, argv.includes("--json"))))

const renderPlugins = (plugins: ReadonlyArray<PluginListing>): string[] => {
  const lines: string[] = []
  for (const plugin of plugins) {
    const { from, specifier, file } = plugin.origin
    const where = from === "built-in" ? "built in" : `from the ${from === "cli" ? "--plugin flag" : from}: ${specifier}`
    lines.push(
      `${plugin.id} ${plugin.version} (plugin API ${plugin.api}, ${where})${plugin.description ? ` — ${plugin.description}` : ""}`
    )
    if (file) lines.push(`  file: ${file}`)
    for (const step of plugin.steps) {
      const aliases = step.aliases.length > 0 ? ` (aliases: ${step.aliases.join(", ")})` : ""
      const limit = step.timeout_s !== undefined ? ` (time limit ${step.timeout_s} s)` : ""
      lines.push(`  ${step.id}${aliases} [${step.kind}] ${step.description}${limit}`)
    }
  }
  if (plugins.length === 0) lines.push("no plugins loaded")
  return lines
}

export const pluginsCommand = (io: CliIo, argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const args = yield* decodeArgs("plugins", argv, infoOptions)
    const registry = yield* registryFor(io, args)
    const provided = new Set(registry.steps.flatMap((step) => [step.id, ...step.aliases]))
    const planned = (yield* loadCatalogue()).filter((entry) => !provided.has(entry.id))
    const plugins = registry.plugins.map(listPlugin)
    if (args.json) {
      io.out(JSON.stringify({ plugins, not_available: planned.map((entry) => entry.id) }, null, 2))
      return ExitCode.ok
    }
    const lines = renderPlugins(plugins)
    if (planned.length > 0)
      lines.push("", `documented steps not available yet: ${planned.map((entry) => entry.id).join(", ")}`)
    io.out(lines.join("\n"))
    return ExitCode.ok
  }).pipe(Effect.catchAll(reportFailure(io, argv.includes("--json"))))
