/**
 * One file's bytes from the server to `<name>.part`, resumable: each attempt asks for the bytes
 * after those already on disk (`Range` + `If-Range`), appends on a matching 206, starts over on a
 * 200, and streams the body chunk by chunk, so memory stays flat on multi-GB files.
 */
import { type FileHandle, open } from "node:fs/promises"
import * as Effect from "effect/Effect"
import * as Retry from "../../../core/Retry.ts"
import { DownloadFailed, failureOfStatus } from "./DownloadError.ts"
import type { DownloadListener } from "./DownloadEvent.ts"
import { type CallContext, discardBody, networkFailure, send, validatorsOf, type Watchdog, watchdog } from "./Http.ts"
import {
  ifRangeValue,
  type PartFile,
  type PartOrigin,
  type PartPaths,
  readPart,
  resetPart,
  writeOrigin
} from "./PartFile.ts"

export interface TransferOptions {
  readonly retry?: Retry.RetryPolicy
  /** A request with no byte for this long is abandoned and retried. @default 60_000 */
  readonly idleTimeoutMs?: number
  readonly onEvent?: DownloadListener
  /** Why the transfer is asked for, appended to a 404's message. */
  readonly notFoundHint?: string
}

export interface TransferResult {
  readonly bytes: number
  readonly etag: string | null
  readonly lastModified: string | null
}

/** How an answer is written: after the bytes on disk, from zero, or not at all (already complete). */
interface WritePlan {
  readonly offset: number
  readonly total: number | undefined
  readonly origin: PartOrigin
  readonly restart?: string
  readonly complete?: true
}

const CONTENT_RANGE = /^bytes (\d+)-(\d+)\/(\d+|\*)$/
const UNSATISFIED_RANGE = /^bytes \*\/(\d+)$/

const rangeHeaders = (part: PartFile): Record<string, string> => {
  if (part.size === 0 || part.origin === undefined) return {}
  const validator = ifRangeValue(part.origin)
  return { range: `bytes=${part.size}-`, ...(validator !== undefined ? { "if-range": validator } : {}) }
}

/** A partial file that cannot be continued: drop it and try again from zero. */
const mismatch = (paths: PartPaths, context: CallContext, detail: string) =>
  resetPart(paths).pipe(
    Effect.zipRight(Effect.fail(new DownloadFailed({ ...context, reason: "RangeMismatch", detail, retryable: true })))
  )

const freshPlan = (response: Response, part: PartFile, url: string): WritePlan => {
  const { etag, lastModified, contentLength } = validatorsOf(response)
  return {
    offset: 0,
    total: contentLength,
    origin: { url, etag, last_modified: lastModified, total: contentLength ?? null },
    ...(part.size > 0 ? { restart: "the server sent the whole file (range ignored, or the file changed)" } : {})
  }
}

const partialPlan = (response: Response, part: PartFile, paths: PartPaths, context: CallContext) => {
  const match = CONTENT_RANGE.exec(response.headers.get("content-range") ?? "")
  const start = match ? Number(match[1]) : Number.NaN
  const total = match?.[3] === "*" || match === null ? undefined : Number(match[3])
  const known = part.origin?.total ?? undefined
  if (part.origin === undefined || start !== part.size || (known !== undefined && total !== known)) {
    const detail = `asked for bytes ${part.size}- of ${known ?? "?"}, got ${response.headers.get("content-range")}`
    return discardBody(response).pipe(Effect.zipRight(mismatch(paths, context, detail)))
  }
  return Effect.succeed<WritePlan>({ offset: part.size, total, origin: part.origin })
}

/** 416: the bytes asked for start at or past the end; complete when the part is exactly the file. */
const unsatisfiedPlan = (response: Response, part: PartFile, paths: PartPaths, context: CallContext) => {
  const total = Number(UNSATISFIED_RANGE.exec(response.headers.get("content-range") ?? "")?.[1] ?? Number.NaN)
  const plan = discardBody(response)
  if (part.origin !== undefined && total === part.size) {
    return plan.pipe(Effect.as<WritePlan>({ offset: part.size, total, origin: part.origin, complete: true }))
  }
  return plan.pipe(Effect.zipRight(mismatch(paths, context, `range not satisfiable, ${part.size} bytes on disk`)))
}

const planWrite = (
  response: Response,
  part: PartFile,
  paths: PartPaths,
  context: CallContext,
  hint: string | undefined
): Effect.Effect<WritePlan, DownloadFailed> => {
  if (response.status === 200) {
    const plan = freshPlan(response, part, context.url)
    return writeOrigin(paths, plan.origin).pipe(
      Effect.mapError((cause) => new DownloadFailed({ ...context, reason: "Disk", cause })),
      Effect.as(plan)
    )
  }
  if (response.status === 206) return partialPlan(response, part, paths, context)
  if (response.status === 416) return unsatisfiedPlan(response, part, paths, context)
  const failure = failureOfStatus(response, { ...context, ...(hint !== undefined ? { hint } : {}) })
  return discardBody(response).pipe(Effect.zipRight(Effect.fail(failure)))
}

/** Marks a local write failure, so it is not mistaken for a network one. */
class DiskFailure {
  constructor(readonly cause: unknown) {}
}

const writeAll = async (handle: FileHandle, data: Uint8Array) => {
  let offset = 0
  while (offset < data.byteLength) {
    const { bytesWritten } = await handle.write(data, offset, data.byteLength - offset).catch((cause) => {
      throw new DiskFailure(cause)
    })
    offset += bytesWritten
  }
}

async function* emptyBody(): AsyncGenerator<Uint8Array> {}

/** Streams the body to the part file (appending after `offset`); returns the size on disk. */
const streamToFile = async (
  response: Response,
  path: string,
  offset: number,
  dog: Watchdog,
  onSize: (n: number) => void
) => {
  const handle = await open(path, offset === 0 ? "w" : "a").catch((cause) => {
    throw new DiskFailure(cause)
  })
  let size = offset
  try {
    for await (const chunk of response.body ?? emptyBody()) {
      dog.touch()
      await writeAll(handle, chunk)
      size += chunk.byteLength
      onSize(size)
    }
  } finally {
    // Flushed even after a cut: the next attempt resumes from what is on disk.
    await handle.sync().catch(() => undefined)
    await handle.close()
  }
  return size
}

const writeBody = (
  response: Response,
  paths: PartPaths,
  plan: WritePlan,
  dog: Watchdog,
  options: TransferOptions,
  context: CallContext
) =>
  Effect.tryPromise({
    try: () =>
      streamToFile(response, paths.part, plan.offset, dog, (bytes) =>
        options.onEvent?.({ type: "progress", file: context.file, bytes, total: plan.total })
      ),
    catch: (error) =>
      error instanceof DiskFailure
        ? new DownloadFailed({ ...context, reason: "Disk", cause: error.cause })
        : networkFailure(error, dog, context)
  })

/** A body shorter than announced resumes; a longer one means the part is unusable. */
const checkSize = (size: number, plan: WritePlan, paths: PartPaths, context: CallContext) => {
  if (plan.total === undefined || size === plan.total) return Effect.void
  const detail = `${size} bytes on disk, ${plan.total} announced`
  if (size < plan.total) {
    return Effect.fail(new DownloadFailed({ ...context, reason: "Incomplete", detail, retryable: true }))
  }
  return resetPart(paths).pipe(
    Effect.zipRight(Effect.fail(new DownloadFailed({ ...context, reason: "Incomplete", detail, retryable: true })))
  )
}

/** One request: from the bytes on disk to the end of the body (or the first failure). */
const attempt = (paths: PartPaths, context: CallContext, options: TransferOptions) =>
  Effect.scoped(
    Effect.gen(function* () {
      const part = yield* readPart(paths, context.url)
      const dog = yield* watchdog(options.idleTimeoutMs ?? 60_000)
      const response = yield* send(context, dog, { headers: rangeHeaders(part) })
      const plan = yield* planWrite(response, part, paths, context, options.notFoundHint)
      options.onEvent?.({
        type: "start",
        file: context.file,
        url: context.url,
        offset: plan.offset,
        total: plan.total,
        ...(plan.restart !== undefined ? { restart: plan.restart } : {})
      })
      const size = plan.complete ? plan.offset : yield* writeBody(response, paths, plan, dog, options, context)
      yield* checkSize(size, plan, paths, context)
      return { bytes: size, etag: plan.origin.etag, lastModified: plan.origin.last_modified } satisfies TransferResult
    })
  )

/**
 * Downloads `context.url` into `paths.part`, retrying retryable failures per `options.retry` (each
 * retry resumes from the bytes on disk). The part is complete and flushed when this succeeds.
 */
export const transfer = (
  paths: PartPaths,
  context: CallContext,
  options: TransferOptions = {}
): Effect.Effect<TransferResult, DownloadFailed> => {
  let failures = 0
  const times = options.retry?.times ?? 4
  return attempt(paths, context, options).pipe(
    Effect.tapError((error) =>
      Effect.sync(() => {
        failures++
        if (Retry.isRetryable(error) && failures <= times) {
          options.onEvent?.({ type: "retry", file: context.file, attempt: failures, error: error.message })
        }
      })
    ),
    Retry.retrying(options.retry)
  )
}
