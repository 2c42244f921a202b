/**
 * The server's own series (the runs themselves are counted by core/PipelineMetrics.ts, whichever
 * shell started them). The server sets the queue depth whenever its queue changes.
 */
import { Gauge } from "prom-client"
import { metricsRegistry } from "./Metrics.ts"

export const serverQueueDepth = new Gauge({
  name: "filon_server_queue_depth",
  help: "Runs accepted by the server and waiting for a free slot (not counting running ones)",
  registers: [metricsRegistry]
})

/** Sets the number of runs waiting in the server's queue. */
export const setServerQueueDepth = (depth: number) => serverQueueDepth.set(depth)
