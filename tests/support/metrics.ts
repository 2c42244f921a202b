/**
 * Reading the process's Prometheus registry in tests. Counters are process-wide, so tests compare
 * before and after, or use labels (a niche) of their own.
 */
import { metricsRegistry } from "../../core/Metrics.ts"

type Labels = Readonly<Record<string, string>>

/** The samples of a metric whose labels include `labels`. */
export const seriesOf = async (name: string, labels: Labels = {}) => {
  const metric = metricsRegistry.getSingleMetric(name)
  if (!metric) throw new Error(`no metric ${name} in the registry`)
  const { values } = await metric.get()
  return values.filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
}

/** The sum of those samples; `suffix` picks a histogram's `_count`, `_sum` or `_bucket`. */
export const sampleSum = async (name: string, labels: Labels = {}, suffix = "") =>
  (await seriesOf(name, labels))
    .filter((sample) => suffix === "" || (sample as { metricName?: string }).metricName === `${name}${suffix}`)
    .reduce((sum, sample) => sum + sample.value, 0)

/** The metric names the registry holds (histograms by their base name). */
export const registeredNames = async () =>
  new Set((await metricsRegistry.getMetricsAsJSON()).map((metric) => metric.name))
