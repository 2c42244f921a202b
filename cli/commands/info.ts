/**
 * `profiles [NAME]` and `plugins`: what can run, and who provides it.
 */
import * as Effect from "effect/Effect"
import { buildRegistry, sourcesOf } from "../../core/App.ts"
import { resolvePlan } from "../../core/Plan.ts"
import { unavailableHere } from "../../core/Prepare.ts"
import { listProfileIds, loadCatalogue, loadProfile } from "../../core/Profile.ts"
import { ExitCode } from "../../core/Summary.ts"
import { decodeArgs } from "../args.ts"
import type { CliIo } from "../io.ts"
import { planJson, renderPlan } from "../render.ts"
import { reportFailure } from "./run.ts"

const infoOptions = {
  json: { kind: "boolean", description: "print JSON" },
  plugin: { kind: "strings", value: "SPEC", description: "also load this plugin (path or package)" }
} as const

export const profilesCommand = (io: CliIo, argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const args = yield* decodeArgs("profiles", argv, infoOptions)
    const registry = yield* buildRegistry({ builtins: io.builtins, plugins: sourcesOf(args.plugin, io.cwd, "cli") })
    const name = args.positionals[0]
    if (name) {
      const plan = yield* resolvePlan(yield* loadProfile(name, { cwd: io.cwd }), registry)
      const absent = yield* unavailableHere(plan)
      io.out(args.json ? JSON.stringify(planJson(plan, absent), null, 2) : renderPlan(plan, undefined, absent))
      return ExitCode.ok
    }
    const rows = []
    for (const id of yield* listProfileIds()) {
      const plan = yield* resolvePlan(yield* loadProfile(id), registry)
      rows.push({
        id,
        description: plan.profile.description,
        steps: plan.nodes.length,
        available: plan.nodes.length - plan.unavailable.length
      })
    }
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

export const pluginsCommand = (io: CliIo, argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const args = yield* decodeArgs("plugins", argv, infoOptions)
    const registry = yield* buildRegistry({ builtins: io.builtins, plugins: sourcesOf(args.plugin, io.cwd, "cli") })
    const provided = new Set(registry.steps.flatMap((step) => [step.id, ...step.aliases]))
    const planned = (yield* loadCatalogue()).filter((entry) => !provided.has(entry.id))
    const plugins = registry.plugins.map((plugin) => ({
      id: plugin.id,
      version: plugin.version,
      description: plugin.description,
      steps: plugin.steps.map((step) => ({
        id: step.id,
        aliases: step.aliases,
        kind: step.kind,
        description: step.description
      }))
    }))
    if (args.json) {
      io.out(JSON.stringify({ plugins, not_available: planned.map((entry) => entry.id) }, null, 2))
      return ExitCode.ok
    }
    const lines: string[] = []
    for (const plugin of plugins) {
      lines.push(`${plugin.id} ${plugin.version}${plugin.description ? ` — ${plugin.description}` : ""}`)
      for (const step of plugin.steps) {
        const aliases = step.aliases.length > 0 ? ` (aliases: ${step.aliases.join(", ")})` : ""
        lines.push(`  ${step.id}${aliases} [${step.kind}] ${step.description}`)
      }
    }
    if (plugins.length === 0) lines.push("no plugins loaded")
    if (planned.length > 0)
      lines.push("", `documented steps not available yet: ${planned.map((entry) => entry.id).join(", ")}`)
    io.out(lines.join("\n"))
    return ExitCode.ok
  }).pipe(Effect.catchAll(reportFailure(io, argv.includes("--json"))))
