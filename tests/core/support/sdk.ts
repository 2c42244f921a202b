/**
 * Runs for the plugin SDK tests: the test plugin built in, the faulty plugin loaded as a third-party
 * module (from a job entry, so its steps are isolated), and a profile built in the test.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { buildRegistry } from "../../../core/App.ts"
import { decodeJob, type Job, type PluginEntry } from "../../../core/Job.ts"
import type { Profile } from "../../../core/Profile.ts"
import { Registry } from "../../../core/Registry.ts"
import { type RunRequest, runProfile } from "../../../core/Runner.ts"
import type { RunSummary } from "../../../core/Summary.ts"
import testPlugin from "../../support/plugin/index.ts"

export const supportDir = join(import.meta.dir, "..", "..", "support")
export const FAULTY = "./faulty-plugin/index.ts"

export const tempDirs = () => {
  const made: string[] = []
  return {
    make: async () => {
      const dir = await mkdtemp(join(tmpdir(), "filon-sdk-"))
      made.push(dir)
      return dir
    },
    cleanup: async () => {
      for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true })
    }
  }
}

export const profileOf = (
  steps: ReadonlyArray<string>,
  config: Profile["config"] = {},
  onStepFailure?: Profile["on_step_failure"]
): Profile => ({
  id: "sdk_test",
  file: "(test)",
  description: "SDK test",
  steps,
  config: { "test.source": { rows: 20 }, ...config },
  ...(onStepFailure !== undefined ? { on_step_failure: onStepFailure } : {})
})

const jobOf = (): Promise<Job> => Effect.runPromise(decodeJob({ niche: "sdk_test" }, { file: "(test job)" }))

/** Runs `profile` with the faulty plugin loaded from `entry` (a job entry unless `builtin`). */
export const runWithFaulty = async (
  options: {
    readonly profile: Profile
    readonly outDir: string
    readonly entry?: PluginEntry
    readonly builtin?: boolean
  } & Partial<RunRequest>
): Promise<RunSummary> => {
  const faulty = (await import(join(supportDir, FAULTY))).default
  const registry = await Effect.runPromise(
    options.builtin
      ? buildRegistry({ builtins: [testPlugin, faulty] })
      : buildRegistry({
          builtins: [testPlugin],
          plugins: [{ entry: options.entry ?? FAULTY, baseDir: supportDir, from: "job" }]
        })
  )
  const request: RunRequest = {
    job: await jobOf(),
    jobFile: null,
    inputs: [],
    resume: false,
    workers: 1,
    retry: { base: "1 millis", cap: "5 millis", times: 2 },
    ...options
  }
  const result = await Effect.runPromise(
    Effect.either(runProfile(request).pipe(Effect.provideService(Registry, registry)))
  )
  if (Either.isLeft(result)) throw new Error(`run refused: ${result.left.message}`)
  return result.right
}

export const statusOf = (summary: RunSummary) =>
  Object.fromEntries(summary.steps.map((step) => [step.name, step.status]))

export const stepOf = (summary: RunSummary, name: string) => summary.steps.find((step) => step.name === name)
