/**
 * Starts the server: the data folder, the run history, the queue (rebuilt from the history), the
 * Hono app on Bun.serve. Without an API token it listens on loopback only; the tokens are never
 * printed.
 */
import { mkdirSync } from "node:fs"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { buildRegistry, pluginSourcesFor } from "../core/App.ts"
import { apiTokensOf, type LoadedConfig } from "../core/Config.ts"
import type { Plugin } from "../core/Plugin.ts"
import { projectPath } from "../core/ProjectRoot.ts"
import { setServerQueueDepth } from "../core/ServerMetrics.ts"
import { createApp } from "./app.ts"
import { isLoopback } from "./auth.ts"
import { DataDir } from "./DataDir.ts"
import { RunQueue } from "./RunQueue.ts"
import { RunStore } from "./RunStore.ts"
import { WorkerMetrics } from "./WorkerMetrics.ts"

/** The built-in plugins, for the server and its run workers. */
export const BUILTINS_MODULE = projectPath("plugins/index.ts")

export class ServerRefused extends Data.TaggedError("ServerRefused")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

export interface ServeOptions {
  readonly host: string
  /** 0 picks a free port (tests). */
  readonly port: number
  readonly dataDir: string
  readonly config: LoadedConfig
  /** A module exporting `builtinPlugins` (default: plugins/index.ts); each run's worker imports it too. */
  readonly builtinsModule?: string
  /** Told when the queue's depth changes (the metrics gauges). */
  readonly onQueueDepth?: (waiting: number, running: number) => void
}

export interface RunningServer {
  readonly url: string
  readonly port: number
  readonly auth: boolean
  readonly recovered: { readonly requeued: number; readonly resumed: number; readonly failed: number }
  readonly queue: RunQueue
  readonly store: RunStore
  /** Stops accepting, interrupts running runs (left `running` for the next start's on_restart), closes. */
  readonly stop: () => Promise<void>
}

export const startServer = (options: ServeOptions) =>
  Effect.gen(function* () {
    const tokens = apiTokensOf(options.config.config)
    if (tokens.length === 0 && !isLoopback(options.host)) {
      return yield* new ServerRefused({
        reason: `refusing to listen on ${options.host} without an API token: set FILON_API_TOKEN or server.tokens in the config file, or listen on 127.0.0.1`
      })
    }
    for (const sub of ["jobs", "runs", "server"]) mkdirSync(`${options.dataDir}/${sub}`, { recursive: true })
    const dataDir = new DataDir(options.dataDir)
    const builtinsModule = options.builtinsModule ?? BUILTINS_MODULE
    const builtins = yield* Effect.promise(
      async () => ((await import(builtinsModule)) as { builtinPlugins?: ReadonlyArray<Plugin> }).builtinPlugins ?? []
    )
    const registry = yield* buildRegistry({
      builtins,
      plugins: pluginSourcesFor({ config: options.config, cwd: process.cwd() })
    })
    const store = new RunStore(dataDir.historyFile)
    const metrics = new WorkerMetrics()
    const settings = options.config.config.server
    const queue = new RunQueue({
      store,
      concurrency: settings.concurrency,
      queueSize: settings.queue_size,
      onRestart: settings.on_restart,
      builtinsModule,
      config: options.config,
      cwd: dataDir.real,
      metrics,
      onDepth: (waiting, running) => {
        setServerQueueDepth(waiting)
        options.onQueueDepth?.(waiting, running)
      }
    })
    let ready = false
    const app = createApp({
      store,
      queue,
      dataDir,
      config: options.config,
      builtins,
      registry,
      metrics,
      tokens,
      ready: () => ready
    })
    const server = Bun.serve({
      hostname: options.host,
      port: options.port,
      fetch: app.fetch,
      // Event streams idle between heartbeats (15 s); Bun's default idle timeout is 10 s.
      idleTimeout: 60
    })
    const recovered = queue.recover()
    ready = true
    const host = options.host.includes(":") && !options.host.startsWith("[") ? `[${options.host}]` : options.host
    return {
      url: `http://${host}:${server.port}`,
      port: server.port ?? options.port,
      auth: tokens.length > 0,
      recovered,
      queue,
      store,
      stop: async () => {
        ready = false
        await queue.stop()
        await server.stop(true)
        store.close()
      }
    } satisfies RunningServer
  })
