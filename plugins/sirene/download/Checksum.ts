/**
 * Published checksums: `<file url>.sha256`, holding `hex  filename` lines (sha256sum's format) or
 * just the hex digest. A file without one is still hashed, and its manifest entry says so.
 */
import * as Effect from "effect/Effect"
import * as Retry from "../../../core/Retry.ts"
import { failureOfStatus } from "./DownloadError.ts"
import type { DownloadListener } from "./DownloadEvent.ts"
import { type CallContext, discardBody, readText, send, validatorsOf, watchdog } from "./Http.ts"

export interface PublishedChecksum {
  readonly url: string
  readonly sha256: string
}

const HEX = /^[0-9a-f]{64}$/i

/** Larger than any checksum file: an HTML error page or a listing is not read. */
const MAX_CHECKSUM_BYTES = 64 * 1024

/**
 * The digest for `name` in a checksum file: the line naming it (`hex  name` or `hex *name`), else
 * the first bare or sole digest; undefined when the text holds none.
 */
export const parseChecksum = (text: string, name: string): string | undefined => {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim().split(/\s+/))
    .filter(([hex]) => hex !== undefined && HEX.test(hex))
  const named = lines.find(([, file]) => file !== undefined && file.replace(/^\*/, "").split("/").at(-1) === name)
  const chosen = named ?? (lines.length === 1 || lines[0]?.length === 1 ? lines[0] : undefined)
  return chosen?.[0]?.toLowerCase()
}

const fetchChecksumText = (context: CallContext, idleMs: number) =>
  Effect.scoped(
    Effect.gen(function* () {
      const dog = yield* watchdog(idleMs)
      const response = yield* send(context, dog)
      if (response.ok && (validatorsOf(response).contentLength ?? 0) <= MAX_CHECKSUM_BYTES) {
        return yield* readText(response, dog, context)
      }
      yield* discardBody(response)
      if (response.ok || response.status === 404 || response.status === 403 || response.status === 410) return undefined
      return yield* Effect.fail(failureOfStatus(response, context))
    })
  )

/**
 * The checksum published beside `fileUrl`, if any. Missing (404, 403 as object stores answer) means
 * none; a checksum server that keeps failing is reported as a warning, and the file goes unverified.
 */
export const publishedChecksum = (
  file: string,
  fileUrl: string,
  options: { readonly retry?: Retry.RetryPolicy; readonly idleTimeoutMs?: number; readonly onEvent?: DownloadListener }
): Effect.Effect<PublishedChecksum | undefined> => {
  const context = { file: `${file}.sha256`, url: `${fileUrl}.sha256` }
  return fetchChecksumText(context, options.idleTimeoutMs ?? 60_000).pipe(
    Retry.retrying(options.retry),
    Effect.map((text) => {
      const sha256 = text === undefined ? undefined : parseChecksum(text, file)
      if (text !== undefined && sha256 === undefined) {
        options.onEvent?.({ type: "warning", file, message: `${context.url} holds no sha256 digest; ignored` })
      }
      return sha256 === undefined ? undefined : { url: context.url, sha256 }
    }),
    Effect.catchAll((error) =>
      Effect.sync(() => {
        options.onEvent?.({ type: "warning", file, message: `no checksum: ${error.message}` })
        return undefined
      })
    ),
    Effect.tap((checksum) =>
      Effect.sync(() => options.onEvent?.({ type: "checksum", file, url: context.url, sha256: checksum?.sha256 }))
    )
  )
}
