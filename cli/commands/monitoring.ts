/**
 * `monitoring`: writes the Prometheus alert rules, the Grafana dashboard (with its provisioning files)
 * and an example Prometheus + Grafana + Pushgateway stack, generated from the jobs' budgets and KPI
 * targets; with --check, writes nothing and fails when the folder's files are not what it would write.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { dirname, join, relative, resolve } from "node:path"
import * as Effect from "effect/Effect"
import { loadConfig } from "../../core/Config.ts"
import { loadJob } from "../../core/Job.ts"
import { type MonitoringFile, monitoringAssets } from "../../core/monitoring/MonitoringAssets.ts"
import { ExitCode } from "../../core/Summary.ts"
import { decodeArgs, type OptionSpecs, UsageError } from "../args.ts"
import type { CliIo } from "../io.ts"
import { reportFailure } from "./run.ts"

export const monitoringOptions = {
  job: { kind: "strings", value: "FILE", description: "a job whose budgets and KPI targets to watch" },
  config: {
    kind: "string",
    value: "FILE",
    description: "installation config file, for the server's queue size (default: FILON_CONFIG)"
  },
  out: { kind: "string", value: "DIR", description: "the monitoring folder (default monitoring/)" },
  check: {
    kind: "boolean",
    description: "write nothing; exit 1 when the folder's files differ from what would be generated"
  }
} as const satisfies OptionSpecs

/** The generated files whose content in `dir` is missing or different. */
const staleFiles = async (dir: string, files: ReadonlyArray<MonitoringFile>) => {
  const stale: string[] = []
  for (const file of files) {
    const current = await readFile(join(dir, file.path), "utf8").catch(() => undefined)
    if (current !== file.content) stale.push(`${file.path} (${current === undefined ? "missing" : "differs"})`)
  }
  return stale
}

const writeFiles = async (dir: string, files: ReadonlyArray<MonitoringFile>) => {
  for (const file of files) {
    const path = join(dir, file.path)
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, file.content)
  }
}

export const monitoringCommand = (io: CliIo, argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const args = yield* decodeArgs("monitoring", argv, monitoringOptions)
    if (args.job.length === 0) return yield* new UsageError({ reason: "monitoring: --job FILE is required" })
    const jobs = yield* Effect.forEach(args.job, (file) => loadJob(resolve(io.cwd, file)))
    const niches = jobs.map((job) => job.niche)
    const twice = niches.find((niche, index) => niches.indexOf(niche) !== index)
    if (twice) return yield* new UsageError({ reason: `monitoring: two jobs have the niche ${twice}` })
    const config = yield* loadConfig({ explicit: args.config, cwd: io.cwd })
    const dir = resolve(io.cwd, args.out ?? "monitoring")
    const shown = relative(io.cwd, dir) || "."
    const files = monitoringAssets(jobs, config.config.server)
    if (args.check) {
      const stale = yield* Effect.promise(() => staleFiles(dir, files))
      if (stale.length === 0) {
        io.out(`${shown}: up to date with the jobs (${files.length} files)`)
        return ExitCode.ok
      }
      io.err(
        `${shown} is stale: ${stale.join(", ")}\nregenerate it: filon monitoring ${args.job.map((job) => `--job ${job}`).join(" ")} ${args.config ? ` --config ${args.config}` : ""} --out ${shown}`
      )
      return ExitCode.stepFailed
    }
    yield* Effect.promise(() => writeFiles(dir, files))
    io.out(files.map((file) => join(shown, file.path)).join("\n"))
    return ExitCode.ok
  }).pipe(Effect.catchAll(reportFailure(io, false)))
