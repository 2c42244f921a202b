/**
 * The process's Prometheus registry (prom-client): one registry shared by the CLI and the server,
 * so a run's metrics look the same whichever started it. Modules define their metrics here, on
 * import, with bounded labels only (host classes and status codes, never URLs or SIRETs).
 */
import { Registry } from "prom-client"

export const metricsRegistry = new Registry()
