/**
 * One request on the wire, over Bun's native fetch.
 *
 * Why Bun's fetch and not undici: under Bun a bare `import "undici"` is Bun's own partial
 * re-implementation (an Agent's `connect.lookup` is ignored), and the real package, loaded by file
 * path, runs on Bun's node:net compatibility layer, slower than the native client. Bun's fetch keeps
 * connections alive per origin (and per proxy), speaks absolute-form requests to an `http://` proxy
 * given per request (`proxy` option), and can hand over the body undecompressed (`decompress: false`),
 * which is what lets the fetcher count wire bytes against the budget and bound decompression itself
 * (gzip bombs). What it lacks is a separate connect timeout: connecting is covered by the first-byte
 * timeout (time to the response headers), documented in docs/decisions/007-http-layer.md.
 */
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from "node:zlib"

export interface WireRequest {
  readonly url: URL
  readonly method: string
  readonly headers: Record<string, string>
  readonly body?: Uint8Array | string | undefined
  readonly proxy: string | undefined
  readonly firstByteTimeoutMs: number
  readonly timeoutMs: number
  readonly maxBodyBytes: number
  /** Accepted content types (prefixes); empty: any. Checked on 2xx answers before the body is read. */
  readonly accept: ReadonlyArray<string>
  /** Takes body bytes from the budget as they arrive; false stops the transfer. */
  readonly takeBytes: (bytes: number) => boolean
  readonly signal?: AbortSignal | undefined
}

export type WireResult =
  | {
      readonly kind: "response"
      readonly status: number
      readonly headers: Headers
      /** Decompressed body (empty for HEAD, 304 and redirects). */
      readonly body: Uint8Array
      /** Body bytes received on the wire. */
      readonly wireBytes: number
    }
  | { readonly kind: "redirect"; readonly status: number; readonly location: string; readonly headers: Headers }
  | {
      readonly kind: "failure"
      readonly reason: WireFailure
      readonly detail: string
      readonly wireBytes: number
      /** Worth another try: no answer at all (connection trouble, no headers in time), not a slow answer. */
      readonly transient: boolean
    }

export type WireFailure = "timeout" | "network" | "too_large" | "content_type" | "budget"

const REDIRECTS = new Set([301, 302, 303, 307, 308])

/** Sends one request; never throws (a failure is a result). */
export const sendOnce = async (request: WireRequest): Promise<WireResult> => {
  const controller = new AbortController()
  let timedOut: "first byte" | "whole request" | undefined
  const firstByte = setTimeout(() => {
    timedOut = "first byte"
    controller.abort()
  }, request.firstByteTimeoutMs)
  const whole = setTimeout(() => {
    timedOut = "whole request"
    controller.abort()
  }, request.timeoutMs)
  const onAbort = () => controller.abort()
  request.signal?.addEventListener("abort", onAbort, { once: true })
  let wireBytes = 0
  const fail = (reason: WireFailure, detail: string): WireResult => ({
    kind: "failure",
    reason,
    detail,
    wireBytes,
    // A body that drips too slowly will drip as slowly next time; a missing answer may come.
    transient: reason === "network" || (reason === "timeout" && timedOut === "first byte")
  })
  const timeoutDetail = () =>
    timedOut === "first byte"
      ? `no response headers within ${request.firstByteTimeoutMs} ms`
      : `not complete within ${request.timeoutMs} ms`
  try {
    let response: Response
    try {
      response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        redirect: "manual",
        signal: controller.signal,
        proxy: request.proxy,
        decompress: false
      } as RequestInit)
    } catch (error) {
      return timedOut ? fail("timeout", timeoutDetail()) : fail("network", describe(error))
    } finally {
      clearTimeout(firstByte)
    }
    const { status, headers } = response
    const location = headers.get("location")
    if (REDIRECTS.has(status) && location) {
      await response.body?.cancel().catch(() => {})
      return { kind: "redirect", status, location, headers }
    }
    const contentType = headers.get("content-type")
    if (status >= 200 && status < 300 && request.accept.length > 0 && !accepted(contentType, request.accept)) {
      await response.body?.cancel().catch(() => {})
      return fail("content_type", `content type ${contentType ?? "(none)"} is not among ${request.accept.join(", ")}`)
    }
    if (request.method === "HEAD" || status === 304 || status === 204 || response.body === null) {
      await response.body?.cancel().catch(() => {})
      return { kind: "response", status, headers, body: new Uint8Array(0), wireBytes }
    }
    const declared = Number(headers.get("content-length") ?? Number.NaN)
    if (declared > request.maxBodyBytes) {
      await response.body.cancel().catch(() => {})
      return fail("too_large", `Content-Length ${declared} is over the ${request.maxBodyBytes}-byte limit`)
    }
    const chunks: Uint8Array[] = []
    const reader = response.body.getReader()
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        if (!request.takeBytes(value.byteLength)) {
          await reader.cancel().catch(() => {})
          return fail("budget", "the http_bytes budget is spent")
        }
        wireBytes += value.byteLength
        if (wireBytes > request.maxBodyBytes) {
          await reader.cancel().catch(() => {})
          return fail("too_large", `body over the ${request.maxBodyBytes}-byte limit`)
        }
        chunks.push(value)
      }
    } catch (error) {
      return timedOut ? fail("timeout", timeoutDetail()) : fail("network", `body cut short: ${describe(error)}`)
    }
    const raw = concat(chunks, wireBytes)
    const decoded = decompress(raw, headers.get("content-encoding"), request.maxBodyBytes)
    if (decoded instanceof Error) {
      return decoded.name === "RangeError"
        ? fail("too_large", `decompressed body over the ${request.maxBodyBytes}-byte limit`)
        : fail("network", `cannot decompress the body: ${decoded.message}`)
    }
    return { kind: "response", status, headers, body: decoded, wireBytes }
  } finally {
    clearTimeout(firstByte)
    clearTimeout(whole)
    request.signal?.removeEventListener("abort", onAbort)
  }
}

const accepted = (contentType: string | null, accept: ReadonlyArray<string>): boolean => {
  // No content type at all: let the caller look at the bytes (many small sites omit it).
  if (contentType === null || contentType.trim() === "") return true
  const type = contentType.split(";")[0]!.trim().toLowerCase()
  return accept.some((prefix) => type.startsWith(prefix))
}

const concat = (chunks: ReadonlyArray<Uint8Array>, total: number): Uint8Array => {
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}

/** Decompresses with an output cap (a gzip bomb stops at the cap); an Error when it cannot. */
const decompress = (raw: Uint8Array, encoding: string | null, maxBytes: number): Uint8Array | Error => {
  const coding = encoding?.trim().toLowerCase() ?? ""
  if (coding === "" || coding === "identity" || raw.byteLength === 0) return raw
  const options = { maxOutputLength: maxBytes }
  try {
    if (coding === "gzip" || coding === "x-gzip") return gunzipSync(raw, options)
    if (coding === "br") return brotliDecompressSync(raw, options)
    if (coding === "deflate") {
      try {
        return inflateSync(raw, options)
      } catch (error) {
        // Some servers send raw deflate without the zlib wrapper.
        if ((error as Error).name === "RangeError") throw error
        return inflateRawSync(raw, options)
      }
    }
    return new Error(`unknown content encoding ${coding}`)
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error))
  }
}

const describe = (error: unknown): string => {
  const code = (error as { code?: unknown })?.code
  const message = error instanceof Error ? error.message : String(error)
  return typeof code === "string" && !message.includes(code) ? `${code}: ${message}` : message
}
