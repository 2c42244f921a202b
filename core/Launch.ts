/**
 * What the CLI and the server both do to start a run, so nothing about a run differs between them:
 * load the plugins (the config file's, then the job's), build the registry, load the profile
 * (a path resolves against the job file's folder), and run it.
 */
import { dirname } from "node:path"
import * as Effect from "effect/Effect"
import { buildRegistry, pluginSourcesFor } from "./App.ts"
import type { LoadedConfig } from "./Config.ts"
import type { Job } from "./Job.ts"
import type { Plugin } from "./Plugin.ts"
import { loadProfile, type Profile } from "./Profile.ts"
import { Registry } from "./Registry.ts"
import { type RunRequest, runProfile } from "./Runner.ts"
import { tracingLayer } from "./Tracing.ts"

export interface LaunchTarget {
  readonly job: Job
  /** The job file, or null for a job given inline (server); relative paths then resolve against `cwd`. */
  readonly jobFile: string | null
  readonly profileName: string
  readonly builtins: ReadonlyArray<Plugin>
  readonly config: LoadedConfig
  readonly cwd: string
}

/** The registry and profile of a run, before anything runs (also what --explain and --dry-run use). */
export const openRun = (target: LaunchTarget) =>
  Effect.gen(function* () {
    const jobDir = target.jobFile ? dirname(target.jobFile) : target.cwd
    const registry = yield* buildRegistry({
      builtins: target.builtins,
      plugins: pluginSourcesFor({ config: target.config, job: target.job, jobFile: target.jobFile, cwd: target.cwd })
    })
    const profile = yield* loadProfile(target.profileName, { cwd: jobDir })
    return { registry, profile }
  })

/** Opens and runs: the summary of a run that started, or the refusal. */
export const launchRun = (target: LaunchTarget, request: Omit<RunRequest, "job" | "jobFile" | "profile">) =>
  Effect.flatMap(openRun(target), (opened) => startRun(target, opened, request))

/**
 * Runs what `openRun` opened. Its spans go to the configured OTLP endpoint, if any, and are all sent
 * before this completes (a CLI process exits right after).
 */
export const startRun = (
  target: LaunchTarget,
  opened: { readonly registry: typeof Registry.Service; readonly profile: Profile },
  request: Omit<RunRequest, "job" | "jobFile" | "profile">
) =>
  runProfile({ ...request, job: target.job, jobFile: target.jobFile, profile: opened.profile }).pipe(
    Effect.provideService(Registry, opened.registry),
    Effect.provide(tracingLayer(target.config.config))
  )
