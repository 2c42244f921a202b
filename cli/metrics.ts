/**
 * The CLI's two ways out for a run's metrics: a /metrics endpoint that Prometheus scrapes while the
 * run lasts (--prometheus-port), and a push to a Pushgateway when it ends (--pushgateway, for cron and
 * batch runs that are gone before the next scrape). Both serve the one registry of core/Metrics.ts.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { Pushgateway } from "prom-client"
import { metricsRegistry } from "../core/Metrics.ts"
import type { RunSummary } from "../core/Summary.ts"
import { UsageError } from "./args.ts"
import type { CliIo } from "./io.ts"

/** The Pushgateway job every run is pushed under; niche and profile make the group (a new run replaces the last). */
export const PUSH_JOB = "filon"
const PUSH_TIMEOUT_MS = 10_000

export class PushFailed extends Data.TaggedError("PushFailed")<{ readonly gateway: string; readonly reason: string }> {
  override get message() {
    return `could not push the run's metrics to ${this.gateway}: ${this.reason}`
  }
}

/** Where the metrics endpoint listens: FILON_HOST, else loopback. */
export const metricsHost = (env: NodeJS.ProcessEnv = process.env) => env.FILON_HOST?.trim() || "127.0.0.1"

/** A URL fit to print: its user name and password replaced, so a log never holds a credential. */
export const redactUrl = (raw: string): string => {
  try {
    const url = new URL(raw)
    if (url.username || url.password) {
      url.username = "***"
      url.password = ""
    }
    return url.href
  } catch {
    return "(an invalid URL)"
  }
}

/** Removes the URL's credentials from a message (a library error may quote the URL it was given). */
const scrub = (message: string, raw: string): string => {
  let text = message.replaceAll(raw, redactUrl(raw))
  try {
    const url = new URL(raw)
    for (const secret of [url.password, decodeURIComponent(url.password), url.username].filter((s) => s.length > 0))
      text = text.replaceAll(secret, "***")
  } catch {
    // An invalid URL was refused before the run; nothing of it to hide beyond the raw text.
  }
  return text
}

/** Refuses a Pushgateway address that could never work, before the run rather than after it. */
export const checkPushgateway = (raw: string): Effect.Effect<string, UsageError> => {
  const valid = URL.canParse(raw) && ["http:", "https:"].includes(new URL(raw).protocol)
  return valid
    ? Effect.succeed(raw)
    : Effect.fail(new UsageError({ reason: `--pushgateway: ${redactUrl(raw)} is not an http(s) URL` }))
}

/** Serves GET /metrics for as long as the scope lasts; a port that cannot be bound is a usage error. */
export const serveMetrics = (
  port: number,
  host: string = metricsHost()
): Effect.Effect<{ readonly url: string }, UsageError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.try({
      try: () =>
        Bun.serve({
          port,
          hostname: host,
          fetch: async (request) =>
            new URL(request.url).pathname === "/metrics"
              ? new Response(await metricsRegistry.metrics(), {
                  headers: { "content-type": metricsRegistry.contentType }
                })
              : new Response("not found: the metrics are at /metrics\n", { status: 404 })
        }),
      catch: (error) =>
        new UsageError({
          reason: `--prometheus-port ${port}: cannot listen on ${host}:${port} (${(error as Error)?.message ?? error})`
        })
    }),
    (server) => Effect.promise(() => server.stop(true))
  ).pipe(Effect.map((server) => ({ url: `http://${host}:${server.port}/metrics` })))

/** Pushes the whole registry (PUT: the group's previous metrics are replaced) under job `filon`, grouped by niche and profile. */
export const pushMetrics = (
  raw: string,
  group: { readonly niche: string; readonly profile: string }
): Effect.Effect<void, PushFailed> => {
  // prom-client sends the URL's user and password as basic auth.
  const gateway = new Pushgateway(raw, { timeout: PUSH_TIMEOUT_MS }, metricsRegistry)
  return Effect.tryPromise({
    try: () => gateway.push({ jobName: PUSH_JOB, groupings: { niche: group.niche, profile: group.profile } }),
    catch: (error) =>
      new PushFailed({ gateway: redactUrl(raw), reason: scrub(String((error as Error)?.message ?? error), raw) })
  }).pipe(Effect.asVoid)
}

export interface RunMetricsOptions {
  /** --prometheus-port: serve /metrics on this port while the run lasts. */
  readonly port?: number | undefined
  /** --pushgateway (else the config's `metrics.pushgateway`): push when the run ends. */
  readonly pushgateway?: string | undefined
}

/**
 * Runs `run` with its metrics exposed as asked: the endpoint opens before the run and closes after
 * the push; a failed push is a warning on stderr, never a failed run.
 */
export const withRunMetrics = <E, R>(
  io: CliIo,
  options: RunMetricsOptions,
  run: Effect.Effect<RunSummary, E, R>
): Effect.Effect<RunSummary, E | UsageError, R> =>
  Effect.scoped(
    Effect.gen(function* () {
      const gateway = options.pushgateway ? yield* checkPushgateway(options.pushgateway) : undefined
      if (options.port !== undefined) {
        const endpoint = yield* serveMetrics(options.port)
        io.err(`metrics: ${endpoint.url} while the run lasts`)
      }
      const summary = yield* run
      if (gateway) {
        yield* pushMetrics(gateway, { niche: summary.niche, profile: summary.profile }).pipe(
          Effect.match({
            onFailure: (error) => io.err(`warning: ${error.message}`),
            onSuccess: () =>
              io.err(
                `metrics pushed to ${redactUrl(gateway)} (job ${PUSH_JOB}, niche ${summary.niche}, profile ${summary.profile})`
              )
          })
        )
      }
      return summary
    })
  )
