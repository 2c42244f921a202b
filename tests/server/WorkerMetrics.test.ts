/**
 * The server's /metrics sums its run workers' registries: counters keep counting after a run's
 * worker is gone, a finished run's gauges stay as the last values of their series, and a running
 * worker's value of a series wins over a finished run's.
 */
import { expect, test } from "bun:test"
import { Counter, Gauge, Registry } from "prom-client"
import { WorkerMetrics } from "../../server/WorkerMetrics.ts"

/** A worker's registry: the same metric names a run's worker has, with its own values. */
const workerRegistry = (rows: number, status: number, running: number) => {
  const registry = new Registry()
  new Counter({ name: "test_rows_total", help: "rows", labelNames: ["step"], registers: [registry] })
    .labels("a")
    .inc(rows)
  new Gauge({ name: "test_last_status", help: "status", labelNames: ["niche"], registers: [registry] })
    .labels("n1")
    .set(status)
  new Gauge({ name: "test_running", help: "running", labelNames: ["niche"], registers: [registry] })
    .labels("n1")
    .set(running)
  return registry
}

const seriesValue = (text: string, series: string) => {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.split(" ").at(-1))
}

test("counters add up across live and finished workers; gauges keep the last finished value unless a live worker reports", async () => {
  const metrics = new WorkerMetrics()
  metrics.update("run-1", await workerRegistry(10, 1, 1).getMetricsAsJSON())
  metrics.update("run-2", await workerRegistry(5, 0, 1).getMetricsAsJSON())
  let text = await metrics.scrape()
  expect(seriesValue(text, 'test_rows_total{step="a"}')).toBe(15)
  expect(seriesValue(text, 'test_running{niche="n1"}')).toBe(2)

  // run-1 ends: its final snapshot says not running, last status 3.
  metrics.update("run-1", await workerRegistry(12, 3, 0).getMetricsAsJSON())
  await metrics.retire("run-1")
  text = await metrics.scrape()
  expect(seriesValue(text, 'test_rows_total{step="a"}')).toBe(17)
  // run-2 still reports the series: its value, not the finished run's.
  expect(seriesValue(text, 'test_last_status{niche="n1"}')).toBe(0)
  expect(seriesValue(text, 'test_running{niche="n1"}')).toBe(1)

  metrics.update("run-2", await workerRegistry(6, 4, 0).getMetricsAsJSON())
  await metrics.retire("run-2")
  text = await metrics.scrape()
  expect(seriesValue(text, 'test_rows_total{step="a"}')).toBe(18)
  // Both finished: the last one to finish sets the series.
  expect(seriesValue(text, 'test_last_status{niche="n1"}')).toBe(4)
  expect(seriesValue(text, 'test_running{niche="n1"}')).toBe(0)
})
