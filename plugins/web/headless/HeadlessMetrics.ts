/** Prometheus series of the headless browser (bounded labels: final status code or "error"). */
import { Counter, Histogram } from "prom-client"
import { metricsRegistry } from "../../../core/Metrics.ts"

const registers = [metricsRegistry]

export const headlessPages = new Counter({
  name: "headless_pages_total",
  help: "Pages rendered in the headless browser, by final document status (or error)",
  labelNames: ["status"] as const,
  registers
})
export const headlessNavigation = new Histogram({
  name: "headless_navigation_seconds",
  help: "Time to render one page in the headless browser (navigation, settle and capture)",
  buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
  registers
})
