/**
 * Why a stock download failed. Errors that may succeed when tried again carry `retryable: true`
 * (and the server's Retry-After), so `Retry.retrying` picks them up; a 404 is an answer.
 */
import * as Data from "effect/Data"
export type DownloadFailure =
  /** HTTP 404: the file is not published under this name. */
  | "NotFound"
  /** Any other unexpected HTTP status. */
  | "HttpStatus"
  /** Connection refused or reset, DNS failure, a body cut short. */
  | "Network"
  /** No byte for too long. */
  | "Timeout"
  /** The body ended before (or went past) the announced size. */
  | "Incomplete"
  /** A 206 answer whose Content-Range does not continue the partial file. */
  | "RangeMismatch"
  /** The local disk refused a write. */
  | "Disk"

export class DownloadFailed extends Data.TaggedError("DownloadFailed")<{
  readonly file: string
  readonly url: string
  readonly reason: DownloadFailure
  readonly status?: number
  readonly detail?: string
  /** What the user may do about it. */
  readonly hint?: string
  readonly retryable?: true
  readonly retryAfterMs?: number
  readonly cause?: unknown
}> {
  override get message() {
    const what =
      this.reason === "NotFound"
        ? `${this.file} not found (HTTP 404) at ${this.url}`
        : `downloading ${this.file} from ${this.url} failed: ${this.describe()}`
    return this.hint ? `${what}; ${this.hint}` : what
  }

  private describe(): string {
    const detail = this.detail ?? String((this.cause as Error | undefined)?.message ?? this.cause ?? "")
    if (this.reason === "HttpStatus") return `HTTP ${this.status}${detail ? ` (${detail})` : ""}`
    return detail ? `${this.reason}: ${detail}` : this.reason
  }
}

export class ChecksumMismatch extends Data.TaggedError("ChecksumMismatch")<{
  readonly file: string
  readonly expected: string
  readonly actual: string
  readonly checksumUrl: string
}> {
  override get message() {
    return `checksum mismatch for ${this.file}: ${this.checksumUrl} says ${this.expected}, the download is ${this.actual}; the partial file was deleted, run the command again`
  }
}

export type DownloadError = DownloadFailed | ChecksumMismatch

/** Retry-After in milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export const parseRetryAfter = (value: string | null, now: number = Date.now()): number | undefined => {
  if (value === null || value.trim() === "") return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** Statuses worth another try: rate limiting and server-side trouble. */
const RETRYABLE_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504])

/** The error for an HTTP answer that is not one the transfer can use. */
export const failureOfStatus = (
  response: Response,
  context: { readonly file: string; readonly url: string; readonly hint?: string }
): DownloadFailed => {
  const { status } = response
  if (status === 404) return new DownloadFailed({ ...context, reason: "NotFound", status })
  const { hint: _hint, ...rest } = context
  if (!RETRYABLE_STATUSES.has(status)) {
    return new DownloadFailed({ ...rest, reason: "HttpStatus", status, detail: response.statusText })
  }
  const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"))
  return new DownloadFailed({
    ...rest,
    reason: "HttpStatus",
    status,
    detail: response.statusText,
    retryable: true,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {})
  })
}
