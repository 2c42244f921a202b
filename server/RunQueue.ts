/**
 * The bounded run queue: at most `concurrency` runs at once, at most `queueSize` waiting; beyond
 * that a submission is refused (429) rather than lost. Each run goes through `launchRun`, exactly
 * as the CLI's do, in its own worker thread (server/RunWorker.ts). The store is the truth: the queue rebuilds itself from it on start, so a restart loses
 * no queued run, and runs that were running are resumed or failed as configured.
 */
import type { LoadedConfig } from "../core/Config.ts"
import type { RunEvent } from "../core/EventLog.ts"
import { projectPath } from "../core/ProjectRoot.ts"
import { ExitCode } from "../core/Summary.ts"
import type { RunStore, StoredRun } from "./RunStore.ts"
import type { FromWorker, ToWorker, WorkerStart } from "./RunWorkerProtocol.ts"
import type { WorkerMetrics } from "./WorkerMetrics.ts"

/** A subscriber sees each event of a run as it is recorded, then `null` when the run is over. */
export type RunListener = (event: RunEvent | null) => void

export interface QueueOptions {
  readonly store: RunStore
  readonly concurrency: number
  readonly queueSize: number
  readonly onRestart: "resume" | "fail"
  /** A module exporting `builtinPlugins`: what each run's worker imports. */
  readonly builtinsModule: string
  readonly config: LoadedConfig
  /** Where relative paths of an inline job resolve (the data folder). */
  readonly cwd: string
  /** Where the workers' metric snapshots go (the server's /metrics). */
  readonly metrics?: WorkerMetrics
  /** Told whenever the number of waiting or running runs changes (the queue gauges). */
  readonly onDepth?: (waiting: number, running: number) => void
}

export class QueueFull extends Error {
  constructor(readonly retryAfterS: number) {
    super(`the run queue is full; retry in ${retryAfterS} s`)
  }
}

interface Running {
  readonly cancel: () => void
  readonly stop: () => void
}

export class RunQueue {
  readonly #waiting: string[] = []
  readonly #running = new Map<string, Running>()
  readonly #listeners = new Map<string, Set<RunListener>>()
  /** Recent run durations, for a Retry-After that means something. */
  readonly #durations: number[] = []
  #stopping = false

  constructor(readonly options: QueueOptions) {}

  /** Rebuilds the queue from the store (after a restart) and starts what can start. */
  recover(): { readonly requeued: number; readonly resumed: number; readonly failed: number } {
    const { store } = this.options
    let resumed = 0
    let failed = 0
    for (const run of store.withStatus("running")) {
      if (this.options.onRestart === "resume") {
        store.requeue(run.run_id)
        this.#waiting.push(run.run_id)
        resumed++
      } else {
        store.fail(run.run_id, "failed", "the server stopped while this run was running (on_restart: fail)", 1)
        failed++
      }
    }
    const queued = store.withStatus("queued").filter((run) => !this.#waiting.includes(run.run_id))
    for (const run of queued) this.#waiting.push(run.run_id)
    this.#pump()
    return { requeued: queued.length, resumed, failed }
  }

  get waiting(): number {
    return this.#waiting.length
  }
  get running(): number {
    return this.#running.size
  }

  /** Refuses with QueueFull when no run may wait; otherwise the caller records the run, then `enqueue`s it. */
  ensureRoom(): void {
    if (this.#stopping) throw new QueueFull(30)
    if (this.#waiting.length >= this.options.queueSize && this.#running.size >= this.options.concurrency) {
      throw new QueueFull(this.#retryAfter())
    }
  }

  enqueue(runId: string): void {
    this.#waiting.push(runId)
    this.#pump()
  }

  /** Cancels a waiting run at once, or asks a running one to stop; false when it had already finished. */
  cancel(runId: string): boolean {
    const index = this.#waiting.indexOf(runId)
    if (index !== -1) {
      this.#waiting.splice(index, 1)
      this.options.store.fail(runId, "cancelled", "cancelled before it started", ExitCode.interrupted)
      this.#notifyDepth()
      this.#close(runId)
      return true
    }
    const running = this.#running.get(runId)
    if (!running) return false
    running.cancel()
    return true
  }

  /** Follows a run's events; returns the unsubscribe function. */
  subscribe(runId: string, listener: RunListener): () => void {
    const set = this.#listeners.get(runId) ?? new Set()
    set.add(listener)
    this.#listeners.set(runId, set)
    return () => {
      set.delete(listener)
      if (set.size === 0) this.#listeners.delete(runId)
    }
  }

  /**
   * Stops taking work and interrupts running runs without recording an end: their rows stay
   * `running`, so the next start applies `on_restart` (their run folders hold their state).
   */
  async stop(): Promise<void> {
    this.#stopping = true
    this.#waiting.length = 0
    for (const running of this.#running.values()) running.stop()
    this.#running.clear()
  }

  #pump(): void {
    while (!this.#stopping && this.#running.size < this.options.concurrency && this.#waiting.length > 0) {
      const runId = this.#waiting.shift()!
      const run = this.options.store.get(runId)
      if (!run || run.status !== "queued") continue
      this.#start(run)
    }
    this.#notifyDepth()
  }

  #start(run: StoredRun): void {
    const { store } = this.options
    const resume = run.started_at !== null // started before a restart: pick up where it stopped
    store.markRunning(run.run_id)
    const started = Date.now()
    const worker = new Worker(projectPath("server/RunWorker.ts"))
    let ended = false
    const end = (record: () => void) => {
      if (ended) return
      ended = true
      record()
      worker.terminate()
      this.#running.delete(run.run_id)
      this.#durations.push((Date.now() - started) / 1000)
      if (this.#durations.length > 20) this.#durations.shift()
      void this.options.metrics?.retire(run.run_id)
      this.#close(run.run_id)
      this.#pump()
    }
    worker.onmessage = (message: MessageEvent<FromWorker>) => {
      const data = message.data
      if (data.type === "event") this.#record(data.event)
      else if (data.type === "metrics") this.options.metrics?.update(run.run_id, data.metrics)
      else if (data.type === "end") end(() => store.finish(run.run_id, data.summary))
      else end(() => store.fail(run.run_id, "failed", data.message, data.exitCode))
    }
    // A worker that dies without a summary (a plugin crashing the thread) fails its run, named.
    worker.onerror = (event) =>
      end(() => store.fail(run.run_id, "failed", `the run's worker crashed: ${event.message}`, 1))
    const start: WorkerStart = {
      type: "start",
      runId: run.run_id,
      request: run.request,
      resume,
      builtinsModule: this.options.builtinsModule,
      config: this.options.config,
      cwd: this.options.cwd
    }
    worker.postMessage(start)
    this.#running.set(run.run_id, {
      cancel: () => worker.postMessage({ type: "cancel" } satisfies ToWorker),
      // Stopping the server: the row stays `running`, for the next start's on_restart.
      stop: () => {
        ended = true
        worker.terminate()
      }
    })
  }

  #record(event: RunEvent): void {
    this.options.store.recordEvent(event)
    for (const listener of this.#listeners.get(event.run_id) ?? []) listener(event)
  }

  #close(runId: string): void {
    for (const listener of this.#listeners.get(runId) ?? []) listener(null)
  }

  #notifyDepth(): void {
    this.options.onDepth?.(this.#waiting.length, this.#running.size)
  }

  /** Seconds until a waiting place is likely free: one run ending frees one; the mean recent duration per slot. */
  #retryAfter(): number {
    const recent = this.#durations
    const mean = recent.length === 0 ? 5 : recent.reduce((sum, value) => sum + value, 0) / recent.length
    return Math.min(300, Math.max(1, Math.ceil(mean / Math.max(1, this.options.concurrency))))
  }
}
