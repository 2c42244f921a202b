/**
 * Why a fetch did not give an answer. A 404 is an answer (a response); these are failures: the
 * network, a limit, a rule (robots.txt, content type), or a server that kept failing.
 */
import * as Schema from "effect/Schema"
export const FetchFailureReason = Schema.Literal(
  /** No response headers within `first_byte_timeout_ms`, or the body not complete within `timeout_ms`. */
  "timeout",
  /** Connection refused or reset, DNS failure, proxy failure, a body cut short. */
  "network",
  /** The body (compressed or decompressed) is larger than `max_body_bytes`. */
  "too_large",
  /** More redirects than `max_redirects`, or a redirect loop. */
  "redirects",
  /** The response's content type is not among those the caller accepts. */
  "content_type",
  /** 429 or 5xx, still so after the retries. */
  "status",
  /** robots.txt disallows the URL for our user agent. */
  "robots",
  /** The host failed too often lately; requests to it are refused for a while. */
  "circuit_open",
  /** Not an http(s) URL. */
  "invalid_url"
)
export type FetchFailureReason = typeof FetchFailureReason.Type

export class FetchFailed extends Schema.TaggedError<FetchFailed>()("FetchFailed", {
  url: Schema.String,
  reason: FetchFailureReason,
  detail: Schema.String,
  status: Schema.optional(Schema.Number),
  /** Worth another try (the fetcher's retry schedule reads it). */
  retryable: Schema.Boolean,
  /** The server's Retry-After, in milliseconds. */
  retryAfterMs: Schema.optional(Schema.Number)
}) {
  override get message() {
    return `${this.url}: ${this.reason}${this.status !== undefined ? ` (HTTP ${this.status})` : ""}: ${this.detail}`
  }
}

/** Statuses worth retrying: rate limiting and server trouble. */
export const isRetryableStatus = (status: number): boolean =>
  status === 429 || status === 500 || status === 502 || status === 503 || status === 504

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export const parseRetryAfter = (value: string | null, now = Date.now()): number | undefined => {
  if (value === null || value.trim() === "") return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}
