/**
 * Downloads the monthly SIRENE stock files into a folder: resumable, checked against their size
 * and published checksum, renamed into place when complete, recorded in `manifest.json`, and
 * skipped on a re-run when the copy on disk is already the complete file.
 */
import { mkdir, stat } from "node:fs/promises"
import * as Effect from "effect/Effect"
import { digestFile, FileWriteFailed } from "../../../core/AtomicFile.ts"
import type { RetryPolicy } from "../../../core/Retry.ts"
import { type PublishedChecksum, publishedChecksum } from "./Checksum.ts"
import { ChecksumMismatch, type DownloadError } from "./DownloadError.ts"
import type { DownloadListener } from "./DownloadEvent.ts"
import { type CallContext, discardBody, send, validatorsOf, watchdog } from "./Http.ts"
import { entryOf, type Manifest, type ManifestEntry, readManifest, upsertEntry, writeManifest } from "./Manifest.ts"
import { type PartPaths, partPaths, promotePart, resetPart } from "./PartFile.ts"
import { notFoundHint, type StockKind, stockFileName, stockFileUrl } from "./StockFiles.ts"
import { transfer } from "./Transfer.ts"

export interface DownloadOptions {
  /** Where the files are published (see DownloadConfig.ts). */
  readonly baseUrl: string
  /** The folder the files and manifest.json go to; created if missing. */
  readonly dest: string
  /** `YYYY-MM` for the dated stock of that month; the current files when absent. */
  readonly month?: string
  readonly kinds: ReadonlyArray<StockKind>
  /** Retries of each request (tests pass a 1 ms base). @default Retry's exponential policy */
  readonly retry?: RetryPolicy
  /** A request with no byte for this long is abandoned and retried. @default 60_000 */
  readonly idleTimeoutMs?: number
  readonly onEvent?: DownloadListener
  /** @default () => new Date() */
  readonly now?: () => Date
}

interface FileJob {
  readonly name: string
  readonly context: CallContext
  readonly paths: PartPaths
  readonly prior: ManifestEntry | undefined
  readonly options: DownloadOptions
}

const fileSize = (path: string) =>
  Effect.promise(() =>
    stat(path).then(
      (info) => (info.isFile() ? info.size : undefined),
      () => undefined
    )
  )

const emit = (options: DownloadOptions, event: Parameters<DownloadListener>[0]) =>
  Effect.sync(() => options.onEvent?.(event))

/** Whether the server still announces the file `prior` recorded; true when it cannot tell. */
const remoteUnchanged = (job: FileJob, prior: ManifestEntry) =>
  Effect.scoped(
    Effect.gen(function* () {
      const dog = yield* watchdog(job.options.idleTimeoutMs ?? 60_000)
      const response = yield* send(job.context, dog, { method: "HEAD" })
      yield* discardBody(response)
      if (!response.ok) return true
      const remote = validatorsOf(response)
      const sameUrl = prior.url === job.context.url
      const differs = (a: string | null, b: string | null) => sameUrl && a !== null && b !== null && a !== b
      return !(
        (remote.contentLength !== undefined && remote.contentLength !== prior.bytes) ||
        differs(remote.etag, prior.etag) ||
        differs(remote.lastModified, prior.last_modified)
      )
    })
  ).pipe(Effect.catchAll(() => Effect.succeed(true)))

/**
 * The manifest entry of a complete copy already at the final name, or undefined when it must be
 * downloaded: it must match the published checksum, else the manifest's size and sha256 (and the
 * server must not announce a newer file, as happens each month to the current files).
 */
const completeCopy = (job: FileJob, published: PublishedChecksum | undefined) =>
  Effect.gen(function* () {
    const { prior, options, name } = job
    const size = yield* fileSize(job.paths.final)
    if (size === undefined || (published === undefined && prior?.bytes !== size)) return undefined
    yield* emit(options, { type: "verify", file: name, bytes: size })
    const digest = yield* digestFile(job.paths.final)
    if (digest === undefined) return undefined
    if (published !== undefined) {
      if (digest.sha256 !== published.sha256) return undefined
      yield* emit(options, { type: "skip", file: name, reason: "complete, matches the published checksum" })
      return { ...newEntry(job, digest, undefined), ...prior, ...digest, checksum_verified: true }
    }
    if (prior === undefined || digest.sha256 !== prior.sha256) return undefined
    if (!(yield* remoteUnchanged(job, prior))) {
      yield* emit(options, { type: "warning", file: name, message: "the server has a newer file; downloading it" })
      return undefined
    }
    yield* emit(options, { type: "skip", file: name, reason: "complete, matches manifest.json" })
    return prior
  })

const newEntry = (
  job: FileJob,
  digest: { readonly bytes: number; readonly sha256: string },
  validators: { readonly etag: string | null; readonly lastModified: string | null } | undefined,
  verified = false
): ManifestEntry => ({
  name: job.name,
  url: job.context.url,
  bytes: digest.bytes,
  sha256: digest.sha256,
  checksum_verified: verified,
  etag: validators?.etag ?? null,
  last_modified: validators?.lastModified ?? null,
  downloaded_at: (job.options.now?.() ?? new Date()).toISOString(),
  month: job.options.month ?? null
})

/** Transfers the file, checks its sha256, and moves it to its final name. */
const fetchFile = (job: FileJob, published: PublishedChecksum | undefined) =>
  Effect.gen(function* () {
    const { options, name } = job
    const result = yield* transfer(job.paths, job.context, {
      ...(options.retry !== undefined ? { retry: options.retry } : {}),
      ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
      ...(options.onEvent !== undefined ? { onEvent: options.onEvent } : {}),
      notFoundHint: notFoundHint(options.month, options.now?.() ?? new Date())
    })
    yield* emit(options, { type: "verify", file: name, bytes: result.bytes })
    const digest = yield* digestFile(job.paths.part)
    if (digest === undefined) return yield* Effect.dieMessage(`${job.paths.part} vanished after its download`)
    if (published !== undefined && digest.sha256 !== published.sha256) {
      yield* resetPart(job.paths)
      return yield* new ChecksumMismatch({
        file: name,
        expected: published.sha256,
        actual: digest.sha256,
        checksumUrl: published.url
      })
    }
    yield* promotePart(job.paths)
    const entry = newEntry(job, digest, result, published !== undefined)
    yield* emit(options, {
      type: "done",
      file: name,
      bytes: entry.bytes,
      sha256: entry.sha256,
      verified: entry.checksum_verified
    })
    return entry
  })

const downloadFile = (job: FileJob) =>
  Effect.gen(function* () {
    const published = yield* publishedChecksum(job.name, job.context.url, job.options)
    const existing = yield* completeCopy(job, published)
    return existing ?? (yield* fetchFile(job, published))
  })

const ensureFolder = (dest: string) =>
  Effect.tryPromise({
    try: () => mkdir(dest, { recursive: true }),
    catch: (cause) => new FileWriteFailed({ path: dest, cause })
  })

/**
 * Downloads each of `options.kinds` into `options.dest` in turn and returns the folder's manifest
 * (written after each file). Fails on the first file that cannot be downloaded.
 */
export const downloadStock = (options: DownloadOptions): Effect.Effect<Manifest, DownloadError | FileWriteFailed> =>
  Effect.gen(function* () {
    yield* ensureFolder(options.dest)
    let manifest = yield* readManifest(options.dest)
    for (const kind of options.kinds) {
      const name = stockFileName(kind, options.month)
      const job: FileJob = {
        name,
        context: { file: name, url: stockFileUrl(options.baseUrl, name) },
        paths: partPaths(options.dest, name),
        prior: entryOf(manifest, name),
        options
      }
      const entry = yield* downloadFile(job)
      manifest = upsertEntry(manifest, entry)
      yield* writeManifest(options.dest, manifest)
    }
    return manifest
  })
