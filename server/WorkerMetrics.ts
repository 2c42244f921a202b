/**
 * /metrics for a server whose runs live in worker threads: each worker's registry reaches this
 * thread as snapshots, and a scrape sums, series by series, this thread's registry (queue depth,
 * and the same metric definitions at zero), the latest snapshot of every running worker, and what
 * finished runs left:
 * - counters and histograms of finished runs are folded into one retired snapshot, so they stay
 *   monotonic without keeping a snapshot per run;
 * - gauges of finished runs keep their last value per series (the last run of a niche: its status,
 *   duration, KPIs, budget use), replaced by a later run's, and hidden while a running worker
 *   reports the same series.
 */
import { AggregatorRegistry } from "prom-client"
import { metricsRegistry } from "../core/Metrics.ts"
import type { MetricSnapshot } from "./RunWorkerProtocol.ts"

type Metric = MetricSnapshot[number]
type Value = Metric["values"][number]

const seriesKey = (value: Value) =>
  JSON.stringify(Object.entries(value.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

const isGauge = (metric: Metric) => String(metric.type) === "gauge"

export class WorkerMetrics {
  readonly #live = new Map<string, MetricSnapshot>()
  #retiredCumulative: MetricSnapshot = []
  /** Per gauge name: the metric's description and its last value per series. */
  readonly #retiredGauges = new Map<string, { readonly metric: Metric; readonly series: Map<string, Value> }>()

  readonly contentType = metricsRegistry.contentType

  update(runId: string, snapshot: MetricSnapshot): void {
    this.#live.set(runId, snapshot)
  }

  /** The run ended: its cumulative series join the retired ones, its gauges become the last values. */
  async retire(runId: string): Promise<void> {
    const last = this.#live.get(runId)
    this.#live.delete(runId)
    if (!last) return
    for (const metric of last.filter(isGauge)) {
      const entry = this.#retiredGauges.get(metric.name) ?? { metric, series: new Map<string, Value>() }
      for (const value of metric.values) entry.series.set(seriesKey(value), value)
      this.#retiredGauges.set(metric.name, entry)
    }
    const cumulative = last.filter((metric) => !isGauge(metric))
    this.#retiredCumulative = await AggregatorRegistry.aggregate([
      this.#retiredCumulative,
      cumulative
    ]).getMetricsAsJSON()
  }

  /** The Prometheus text of this thread and every worker. */
  async scrape(): Promise<string> {
    const own = await metricsRegistry.getMetricsAsJSON()
    const live = [...this.#live.values()]
    return AggregatorRegistry.aggregate([own, this.#retiredCumulative, this.#lastGauges(live), ...live]).metrics()
  }

  /** Retired gauge series that no running worker reports. */
  #lastGauges(live: ReadonlyArray<MetricSnapshot>): MetricSnapshot {
    const reported = new Set<string>()
    for (const snapshot of live)
      for (const metric of snapshot.filter(isGauge))
        for (const value of metric.values) reported.add(`${metric.name}${seriesKey(value)}`)
    return [...this.#retiredGauges.values()].map(({ metric, series }) => ({
      ...metric,
      values: [...series.entries()].filter(([key]) => !reported.has(`${metric.name}${key}`)).map(([, value]) => value)
    }))
  }
}
