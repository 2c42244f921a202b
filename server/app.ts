/**
 * The HTTP API (Hono): runs are triggered, listed, followed (server-sent events), cancelled and
 * their declared outputs downloaded; /metrics, health checks, and what profiles and plugins exist.
 * Every error is JSON `{ error: { status, message, problems? } }`, each problem naming its field.
 */
import { statSync } from "node:fs"
import { dirname, isAbsolute, join } from "node:path"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { type Context, Hono } from "hono"
import { bodyLimit } from "hono/body-limit"
import { HTTPException } from "hono/http-exception"
import { streamSSE } from "hono/streaming"
import type { LoadedConfig } from "../core/Config.ts"
import type { RunEvent } from "../core/EventLog.ts"
import { messageOf } from "../core/ExitCodes.ts"
import type { Job } from "../core/Job.ts"
import { openRun } from "../core/Launch.ts"
import type { Plugin } from "../core/Plugin.ts"
import { prepare } from "../core/Prepare.ts"
import { loadProfile, looksLikePath } from "../core/Profile.ts"
import { Registry, type RegistryShape } from "../core/Registry.ts"
import { newRunId } from "../core/Runner.ts"
import { bearerAuth } from "./auth.ts"
import { describePlugins, describeProfiles } from "./catalog.ts"
import type { DataDir } from "./DataDir.ts"
import { QueueFull, type RunQueue } from "./RunQueue.ts"
import { BadRequest, digestOf, parseRunBody, resolveRunBody } from "./RunRequestBody.ts"
import { FINISHED, IdempotencyConflict, type RunStore, type StoredRequest } from "./RunStore.ts"
import { listQueryOf, runView } from "./views.ts"
import type { WorkerMetrics } from "./WorkerMetrics.ts"

export interface AppDeps {
  readonly store: RunStore
  readonly queue: RunQueue
  readonly dataDir: DataDir
  readonly config: LoadedConfig
  readonly builtins: ReadonlyArray<Plugin>
  /** The built-in and config-file plugins (what /plugins and /profiles describe). */
  readonly registry: RegistryShape
  /** This thread's metrics and the run workers' snapshots. */
  readonly metrics: WorkerMetrics
  /** Accepted tokens; empty means no auth (the server then listens on loopback only). */
  readonly tokens: ReadonlyArray<string>
  /** False while the server starts or drains: /readyz answers 503. */
  readonly ready: () => boolean
}

const PUBLIC_PATHS = new Set(["/healthz", "/readyz"])
/** Between SSE comments, so proxies keep an idle stream open. */
const HEARTBEAT_MS = 15_000

const problem = (c: Context, status: 400 | 404 | 409 | 413 | 422 | 429 | 500 | 503, message: string, extra = {}) =>
  c.json({ error: { status, message, ...extra } }, status)

export const createApp = (deps: AppDeps) => {
  const { store, queue, dataDir } = deps
  const app = new Hono()

  app.onError((error, c) => {
    if (error instanceof BadRequest) return problem(c, 400, "invalid request", { problems: error.problems })
    if (error instanceof HTTPException) return error.getResponse()
    return problem(c, 500, messageOf(error))
  })
  app.notFound((c) => problem(c, 404, `no route ${c.req.method} ${c.req.path}`))

  if (deps.tokens.length > 0) {
    const auth = bearerAuth(deps.tokens)
    const metricsPublic = !deps.config.config.server.metrics_auth
    app.use("*", async (c, next) => {
      if (PUBLIC_PATHS.has(c.req.path) || (metricsPublic && c.req.path === "/metrics")) return next()
      return auth(c, next)
    })
  }

  app.get("/healthz", (c) => c.json({ status: "ok" }))
  app.get("/readyz", (c) =>
    deps.ready()
      ? c.json({ status: "ready", queued: queue.waiting, running: queue.running })
      : problem(c, 503, "not ready (starting or draining)")
  )
  app.get("/metrics", async (c) =>
    c.body(await deps.metrics.scrape(), 200, { "Content-Type": deps.metrics.contentType })
  )
  app.get("/profiles", async (c) => c.json(await Effect.runPromise(describeProfiles(deps.registry))))
  app.get("/plugins", (c) => c.json(describePlugins(deps.registry)))

  app.post(
    "/runs",
    bodyLimit({
      maxSize: deps.config.config.server.body_limit_kb * 1024,
      onError: (c) => problem(c, 413, `request body over ${deps.config.config.server.body_limit_kb} KiB`)
    }),
    async (c) => {
      const value = await c.req.json().catch(() => undefined)
      if (value === undefined) throw new BadRequest([{ field: "(body)", message: "expected a JSON object" }])
      const key = c.req.header("idempotency-key")?.trim() || null
      if (key !== null && (key.length > 200 || /[^\x21-\x7e]/.test(key)))
        throw new BadRequest([{ field: "Idempotency-Key", message: "at most 200 visible ASCII characters" }])
      const digest = digestOf(value)
      const replay = () => {
        const seen = key === null ? undefined : store.byIdempotencyKey(key)
        if (!seen) return undefined
        if (seen.request_digest !== digest)
          return problem(c, 422, `Idempotency-Key already used by run ${seen.run_id} for a different request`)
        c.header("Location", `/runs/${seen.run_id}`)
        return c.json({ run_id: seen.run_id, status: seen.status, replayed: true }, 200)
      }
      const tooMany = () => {
        try {
          queue.ensureRoom()
          return undefined
        } catch (error) {
          if (!(error instanceof QueueFull)) throw error
          c.header("Retry-After", String(error.retryAfterS))
          return problem(c, 429, error.message, { retry_after_s: error.retryAfterS })
        }
      }
      // A full queue refuses before the body is checked: the request was not processed, retrying is right.
      const early = replay() ?? tooMany()
      if (early) return early
      const body = parseRunBody(value)

      const runId = newRunId()
      const { job, request } = await Effect.runPromise(
        resolveRunBody(body, dataDir, join(dataDir.runsDir, runId)).pipe(Effect.either)
      ).then((either) => {
        if (either._tag === "Left") throw either.left
        return either.right
      })
      // The plan and every step setting are checked now, so a bad request is a 400, not a failed run.
      const checked = await checkRun(deps, job, request)
      if (checked._tag === "Left")
        throw new BadRequest([{ field: fieldOf(checked.left), message: messageOf(checked.left) }])

      // Requests raced while this one was checked: the room and the key are decided now, synchronously.
      const late = replay() ?? tooMany()
      if (late) return late
      try {
        const { run } = store.accept({
          run_id: runId,
          niche: job.niche,
          profile: checked.right,
          idempotency_key: key,
          request_digest: digest,
          request
        })
        queue.enqueue(run.run_id)
        c.header("Location", `/runs/${run.run_id}`)
        return c.json({ run_id: run.run_id, status: "queued" }, 202)
      } catch (error) {
        if (error instanceof IdempotencyConflict) return problem(c, 422, error.message)
        throw error
      }
    }
  )

  app.get("/runs", (c) => {
    const query = listQueryOf(c.req.query())
    const page = store.list(query)
    return c.json({
      runs: page.runs.map((run) => ({
        run_id: run.run_id,
        status: run.status,
        niche: run.niche,
        profile: run.profile,
        created_at: run.created_at,
        started_at: run.started_at,
        ended_at: run.ended_at,
        exit_code: run.exit_code
      })),
      next: page.next
    })
  })

  app.get("/runs/:id", (c) => {
    const run = store.get(c.req.param("id"))
    if (!run) return problem(c, 404, `no run ${c.req.param("id")}`)
    return c.json(runView(run, store.steps(run.run_id)))
  })

  app.post("/runs/:id/cancel", (c) => {
    const id = c.req.param("id")
    const run = store.get(id)
    if (!run) return problem(c, 404, `no run ${id}`)
    if (FINISHED.has(run.status)) return problem(c, 409, `run ${id} already ${run.status}`, { run_status: run.status })
    queue.cancel(id)
    const now = store.get(id)!.status
    return c.json({ run_id: id, status: now === "cancelled" ? "cancelled" : "cancelling" }, 202)
  })

  app.get("/runs/:id/events", (c) => {
    const id = c.req.param("id")
    const run = store.get(id)
    if (!run) return problem(c, 404, `no run ${id}`)
    const from = Number(c.req.header("last-event-id") ?? c.req.query("after") ?? 0)
    if (!Number.isInteger(from) || from < 0)
      throw new BadRequest([{ field: "Last-Event-ID", message: "expected a whole number (an event's id)" }])
    return streamSSE(c, async (stream) => {
      let last = from
      let over = false
      let wake: (() => void) | undefined
      const pending: RunEvent[] = []
      // Subscribed before the replay, so no event falls between the two; duplicates are dropped by id.
      const unsubscribe = queue.subscribe(id, (event) => {
        if (event === null) over = true
        else pending.push(event)
        wake?.()
      })
      stream.onAbort(() => {
        over = true
        wake?.()
      })
      const send = async (event: RunEvent) => {
        if (event.seq <= last) return
        last = event.seq
        await stream.writeSSE({ id: String(event.seq), event: event.type, data: JSON.stringify(event) })
      }
      try {
        for (const event of store.eventsAfter(id, last)) await send(event)
        while (true) {
          while (pending.length > 0) await send(pending.shift()!)
          if (over || FINISHED.has(store.get(id)?.status ?? "failed")) break
          await new Promise<void>((resolve) => {
            wake = resolve
            setTimeout(resolve, HEARTBEAT_MS)
          })
          wake = undefined
          if (pending.length === 0 && !over) await stream.write(": keep-alive\n\n")
        }
        // Events recorded between the last wake and the end.
        for (const event of store.eventsAfter(id, last)) await send(event)
      } finally {
        unsubscribe()
      }
    })
  })

  app.get("/runs/:id/artifacts/*", (c) => {
    const id = c.req.param("id")
    const run = store.get(id)
    if (!run) return problem(c, 404, `no run ${id}`)
    const prefix = `/runs/${id}/artifacts/`
    const raw = c.req.path.startsWith(prefix) ? c.req.path.slice(prefix.length) : ""
    let path: string
    try {
      path = raw.split("/").map(decodeURIComponent).join("/")
    } catch {
      throw new BadRequest([{ field: "path", message: "not a valid URL-encoded path" }])
    }
    const segments = path.split(/[/\\]/)
    if (isAbsolute(path) || segments.some((segment) => segment === ".." || segment === "." || segment === ""))
      throw new BadRequest([{ field: "path", message: "a relative path without '.', '..' or empty parts" }])
    const output = run.summary?.outputs.find((candidate) => candidate.path === path)
    if (!output)
      return problem(c, 404, `${path} is not a declared output of run ${id}`, {
        outputs: run.summary?.outputs.map((candidate) => candidate.path) ?? []
      })
    const file = Bun.file(join(run.request.out_dir, output.path))
    return c.body(file.stream(), 200, {
      "Content-Type": file.type,
      "Content-Length": String(output.bytes),
      ETag: `"${output.sha256}"`,
      "X-Checksum-Sha256": output.sha256
    })
  })

  return app
}

/** Checks already passed, by job, profile (and its file's version) and settings overrides. */
const passed = new Map<string, string>()
const MAX_PASSED = 1024

/**
 * Resolves the plan and decodes every step setting, as the run will; a burst of POSTs of the same
 * job is checked once (the key holds the profile file's size and modification time).
 */
const checkRun = async (deps: AppDeps, job: Job, request: StoredRequest) => {
  const profileFile = looksLikePath(request.profile) ? statSync(request.profile, { throwIfNoEntry: false }) : undefined
  const key = digestOf({
    job,
    job_file: request.job_file,
    profile: request.profile,
    stamp: profileFile ? `${profileFile.size}:${profileFile.mtimeMs}` : null,
    set: request.options.set ?? []
  })
  const known = passed.get(key)
  if (known !== undefined) return Either.right(known)
  const result = await Effect.runPromise(
    Effect.gen(function* () {
      // Jobs without plugins of their own (the usual case) reuse the server's registry.
      const { registry, profile } =
        job.plugins && job.plugins.length > 0
          ? yield* openRun({
              job,
              jobFile: request.job_file,
              profileName: request.profile,
              builtins: deps.builtins,
              config: deps.config,
              cwd: deps.dataDir.real
            })
          : {
              registry: deps.registry,
              profile: yield* loadProfile(request.profile, {
                cwd: request.job_file ? dirname(request.job_file) : deps.dataDir.real
              })
            }
      yield* prepare(profile, job, request.options.set ?? []).pipe(Effect.provideService(Registry, registry))
      return profile.id
    }).pipe(Effect.either)
  )
  if (Either.isRight(result)) {
    if (passed.size >= MAX_PASSED) passed.clear()
    passed.set(key, result.right)
  }
  return result
}

/** The request field a refusal at check time is about. */
const fieldOf = (error: unknown): string => {
  const tag = (error as { _tag?: string })._tag
  if (tag === "ProfileNotFound" || tag === "ProfileInvalid" || tag === "PlanInvalid") return "profile"
  if (tag === "StepConfigInvalid" || tag === "RunRequestInvalid") return "options"
  if (tag === "PluginInvalid" || tag === "PluginConflict") return "plugins"
  return "job"
}
