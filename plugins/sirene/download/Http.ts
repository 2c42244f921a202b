/**
 * The few HTTP calls of `filon download`, over Bun's fetch, with an idle watchdog per request.
 *
 * Proxies: Bun's fetch itself honours HTTP_PROXY / HTTPS_PROXY (and their lower-case forms) and
 * NO_PROXY, read from the environment at each request (checked on Bun 1.4.5: NO_PROXY matches host
 * names exactly, `*` disables the proxy, and loopback is not excluded by default). So no `proxy`
 * option is passed here and the environment stays Bun's to read.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { DownloadFailed } from "./DownloadError.ts"

/** Which download an HTTP call belongs to, for error messages. */
export interface CallContext {
  readonly file: string
  readonly url: string
}

/** Aborts the request when no byte arrived for `idleMs`, or when its scope closes. */
export interface Watchdog {
  readonly signal: AbortSignal
  /** Call on every sign of life (headers, a chunk). */
  readonly touch: () => void
  readonly timedOut: () => boolean
  readonly idleMs: number
}

/** A watchdog for one request, released (and the request aborted if still running) with its scope. */
export const watchdog = (idleMs: number): Effect.Effect<Watchdog, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const controller = new AbortController()
      let fired = false
      let timer: ReturnType<typeof setTimeout> | undefined
      const touch = () => {
        clearTimeout(timer)
        timer = setTimeout(() => {
          fired = true
          controller.abort(new Error(`no data for ${idleMs} ms`))
        }, idleMs)
      }
      touch()
      const stop = () => {
        clearTimeout(timer)
        controller.abort(new Error("request closed"))
      }
      return { watchdog: { signal: controller.signal, touch, timedOut: () => fired, idleMs }, stop }
    }),
    ({ stop }) => Effect.sync(stop)
  ).pipe(Effect.map(({ watchdog }) => watchdog))

/** A failed connection or body read: always worth another try, resuming from the bytes on disk. */
export const networkFailure = (cause: unknown, dog: Watchdog, context: CallContext): DownloadFailed =>
  dog.timedOut()
    ? new DownloadFailed({ ...context, reason: "Timeout", detail: `no data for ${dog.idleMs} ms`, retryable: true })
    : new DownloadFailed({ ...context, reason: "Network", retryable: true, cause })

const USER_AGENT = "filon/0.1 (SIRENE stock download)"

/**
 * Sends one request. Bodies are asked for and kept as they are on the server (no compression), so
 * byte counts match Content-Length and Content-Range.
 */
export const send = (
  context: CallContext,
  dog: Watchdog,
  init: { readonly method?: "GET" | "HEAD"; readonly headers?: Record<string, string> } = {}
): Effect.Effect<Response, DownloadFailed> =>
  Effect.tryPromise({
    try: () =>
      fetch(context.url, {
        method: init.method ?? "GET",
        headers: { "user-agent": USER_AGENT, "accept-encoding": "identity", ...init.headers },
        signal: dog.signal,
        decompress: false,
        redirect: "follow"
      }),
    catch: (cause) => networkFailure(cause, dog, context)
  }).pipe(Effect.tap(() => dog.touch()))

/** Frees the connection of an answer whose body is not wanted. */
export const discardBody = (response: Response): Effect.Effect<void> =>
  Effect.promise(() => response.body?.cancel().catch(() => undefined) ?? Promise.resolve(undefined))

/** A whole (small) body as text. */
export const readText = (response: Response, dog: Watchdog, context: CallContext) =>
  Effect.tryPromise({ try: () => response.text(), catch: (cause) => networkFailure(cause, dog, context) })

/** The resource's validators and size, as a HEAD or GET answer announces them. */
export const validatorsOf = (response: Response) => ({
  etag: response.headers.get("etag"),
  lastModified: response.headers.get("last-modified"),
  contentLength: parseSize(response.headers.get("content-length"))
})

export const parseSize = (value: string | null): number | undefined => {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined
  return Number(value.trim())
}
