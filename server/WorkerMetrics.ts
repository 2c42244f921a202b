/**
 * /metrics for a server whose runs live in worker threads: each worker's registry reaches this
 * thread as snapshots; a scrape sums this thread's registry (queue depth, and the same metric
 * definitions at zero), the latest snapshot of every running worker, and what finished runs
 * counted. Counters and histograms of finished runs are folded into one retired snapshot so they
 * stay monotonic without keeping one snapshot per run; their gauges (a finished run's budget use,
 * its info series) are dropped: they described a run that no longer exists.
 */
import { AggregatorRegistry } from "prom-client"
import { metricsRegistry } from "../core/Metrics.ts"
import type { MetricSnapshot } from "./RunWorkerProtocol.ts"

export class WorkerMetrics {
  readonly #live = new Map<string, MetricSnapshot>()
  #retired: MetricSnapshot = []

  update(runId: string, snapshot: MetricSnapshot): void {
    this.#live.set(runId, snapshot)
  }

  /** The run ended: its cumulative series join the retired ones, its gauges go. */
  async retire(runId: string): Promise<void> {
    const last = this.#live.get(runId)
    this.#live.delete(runId)
    if (!last) return
    const cumulative = last.filter((metric) => String(metric.type) !== "gauge")
    this.#retired = await AggregatorRegistry.aggregate([this.#retired, cumulative]).getMetricsAsJSON()
  }

  /** The Prometheus text of this thread and every worker, summed series by series. */
  async scrape(): Promise<string> {
    const own = await metricsRegistry.getMetricsAsJSON()
    return AggregatorRegistry.aggregate([own, this.#retired, ...this.#live.values()]).metrics()
  }

  readonly contentType = metricsRegistry.contentType
}
