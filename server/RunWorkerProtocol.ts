/** The messages between the server's thread and a run's worker (structured-clone data only). */
import type { Registry } from "prom-client"
import type { LoadedConfig } from "../core/Config.ts"
import type { RunEvent } from "../core/EventLog.ts"
import type { RunSummary } from "../core/Summary.ts"
import type { StoredRequest } from "./RunStore.ts"

export interface WorkerStart {
  readonly type: "start"
  readonly runId: string
  readonly request: StoredRequest
  /** Started before a restart: pick up from the run folder's state. */
  readonly resume: boolean
  /** A module exporting `builtinPlugins` (plugins cannot cross threads; the worker imports them). */
  readonly builtinsModule: string
  readonly config: LoadedConfig
  readonly cwd: string
}

export type ToWorker = WorkerStart | { readonly type: "cancel" }

/** A registry's `getMetricsAsJSON()`. */
export type MetricSnapshot = Awaited<ReturnType<Registry["getMetricsAsJSON"]>>

export type FromWorker =
  | { readonly type: "event"; readonly event: RunEvent }
  | { readonly type: "metrics"; readonly metrics: MetricSnapshot }
  | { readonly type: "end"; readonly summary: RunSummary }
  /** Refused before it started (bad settings, a plugin that fails to load) or failed outside a step. */
  | { readonly type: "refused"; readonly message: string; readonly exitCode: number }
