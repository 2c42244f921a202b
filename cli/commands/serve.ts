/**
 * `filon serve`: the HTTP trigger server (server/) until SIGINT/SIGTERM. Host, port and data folder
 * come from flags, then FILON_HOST / FILON_PORT / FILON_DATA_DIR, then 127.0.0.1:8787 and ./data.
 */
import { resolve } from "node:path"
import * as Effect from "effect/Effect"
import { loadConfig } from "../../core/Config.ts"
import { ExitCode } from "../../core/Summary.ts"
import { startServer } from "../../server/main.ts"
import { decodeArgs, type OptionSpecs, UsageError } from "../args.ts"
import type { CliIo } from "../io.ts"
import { reportFailure } from "./run.ts"

export const serveOptions = {
  port: { kind: "integer", value: "N", description: "port (default FILON_PORT or 8787; 0 picks a free one)" },
  host: { kind: "string", value: "H", description: "address (default FILON_HOST or 127.0.0.1)" },
  "data-dir": {
    kind: "string",
    value: "D",
    description: "data folder: jobs/, inputs, runs/, history (default FILON_DATA_DIR or ./data)"
  },
  config: {
    kind: "string",
    value: "FILE",
    description: "config file (default FILON_CONFIG, else <data-dir>/config.yaml)"
  },
  concurrency: { kind: "integer", value: "N", description: "runs at once (overrides server.concurrency)" },
  "queue-size": {
    kind: "integer",
    value: "N",
    description: "runs waiting before POST /runs answers 429 (overrides server.queue_size)"
  }
} as const satisfies OptionSpecs

const envPort = () => {
  const raw = process.env.FILON_PORT?.trim()
  if (!raw) return 8787
  const port = Number(raw)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError({ reason: `serve: FILON_PORT must be a port number, got "${raw}"` })
  return port
}

export const serveCommand = (io: CliIo, argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const args = yield* decodeArgs("serve", argv, serveOptions)
    const port = args.port ?? (yield* Effect.try({ try: envPort, catch: (error) => error as UsageError }))
    if (port > 65535) return yield* new UsageError({ reason: `serve: --port ${port} is not a port number` })
    if (args.concurrency === 0) return yield* new UsageError({ reason: "serve: --concurrency must be at least 1" })
    const host = args.host ?? (process.env.FILON_HOST?.trim() || "127.0.0.1")
    const dataDir = resolve(io.cwd, args["data-dir"] ?? (process.env.FILON_DATA_DIR?.trim() || "data"))
    const loaded = yield* loadConfig({ explicit: args.config, fallback: resolve(dataDir, "config.yaml"), cwd: io.cwd })
    const config = {
      ...loaded,
      config: {
        ...loaded.config,
        server: {
          ...loaded.config.server,
          ...(args.concurrency !== undefined ? { concurrency: args.concurrency } : {}),
          ...(args["queue-size"] !== undefined ? { queue_size: args["queue-size"] } : {})
        }
      }
    }
    const server = yield* startServer({ host, port, dataDir, config })
    const { recovered } = server
    const settings = config.config.server
    io.err(
      [
        `filon serve: listening on ${server.url} (auth ${server.auth ? "on" : "off: loopback only"})`,
        `  data folder ${dataDir} · ${settings.concurrency} run(s) at once · queue ${settings.queue_size}${loaded.file ? ` · config ${loaded.file}` : ""}`,
        ...(recovered.requeued + recovered.resumed + recovered.failed > 0
          ? [
              `  from the history: ${recovered.requeued} queued, ${recovered.resumed} resumed, ${recovered.failed} marked failed (on_restart: ${settings.on_restart})`
            ]
          : [])
      ].join("\n")
    )
    yield* io.interrupted
    io.err("filon serve: stopping (running runs resume at the next start)")
    yield* Effect.promise(() => server.stop())
    return ExitCode.ok
  }).pipe(Effect.catchAll(reportFailure(io, false)))
