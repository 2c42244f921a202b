/**
 * A run in its own thread (a Bun Worker): the server's thread only answers HTTP, so a CPU-heavy
 * crawl or a plugin stuck in a loop never delays /metrics, the event streams or the next POST.
 * The worker runs the request through `launchRun`, exactly as the CLI does, and posts back the
 * run's events as they happen, snapshots of its metrics, and the summary at the end.
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import { exitCodeOf, messageOf } from "../core/ExitCodes.ts"
import { decodeJob } from "../core/Job.ts"
import { launchRun } from "../core/Launch.ts"
import { metricsRegistry } from "../core/Metrics.ts"
import type { Plugin } from "../core/Plugin.ts"
import type { FromWorker, ToWorker, WorkerStart } from "./RunWorkerProtocol.ts"

declare const self: Worker

/** How often the run's metrics reach the server's /metrics while it runs. */
const METRICS_EVERY_MS = 250

const post = (message: FromWorker) => self.postMessage(message)
const postMetrics = async () => post({ type: "metrics", metrics: await metricsRegistry.getMetricsAsJSON() })

const cancel = Effect.runSync(Deferred.make<void>())

const run = async (start: WorkerStart) => {
  const module = (await import(start.builtinsModule)) as { builtinPlugins?: ReadonlyArray<Plugin> }
  const builtins = module.builtinPlugins ?? []
  const { request } = start
  const ticker = setInterval(() => void postMetrics(), METRICS_EVERY_MS)
  const program = Effect.gen(function* () {
    const job = yield* decodeJob(request.job, { file: request.job_file ?? "job" })
    return yield* launchRun(
      { job, jobFile: request.job_file, profileName: request.profile, builtins, config: start.config, cwd: start.cwd },
      {
        inputs: request.inputs,
        outDir: request.out_dir,
        runId: start.runId,
        resume: start.resume,
        workers: request.options.workers ?? 1,
        sample: request.options.sample,
        set: request.options.set ?? [],
        budgets: request.options.budgets ?? {},
        onEvent: (event) => post({ type: "event", event }),
        cancel: Deferred.await(cancel)
      }
    )
  })
  const exit = await Effect.runPromiseExit(program)
  clearInterval(ticker)
  await postMetrics()
  if (exit._tag === "Success") post({ type: "end", summary: exit.value })
  else {
    const error = exit.cause._tag === "Fail" ? exit.cause.error : exit.cause
    post({ type: "refused", message: messageOf(error), exitCode: exitCodeOf(error) })
  }
}

self.onmessage = (message: MessageEvent<ToWorker>) => {
  const data = message.data
  if (data.type === "start") {
    run(data).catch((error) => post({ type: "refused", message: messageOf(error), exitCode: 1 }))
  } else if (data.type === "cancel") {
    Effect.runSync(Deferred.succeed(cancel, undefined))
  }
}
