/**
 * A download in progress: `<name>.part` holds the bytes received so far, `<name>.part.json` the
 * URL and validators (ETag, Last-Modified) they came with, so a resumed request can say `If-Range`
 * and a remote file that changed meanwhile restarts instead of producing a mix of two files.
 */
import { readFile, rename, rm, stat } from "node:fs/promises"
import { dirname, join } from "node:path"
import * as Effect from "effect/Effect"
import { syncDirectory, writeFileAtomic } from "../../../core/AtomicFile.ts"

export interface PartPaths {
  readonly final: string
  readonly part: string
  readonly sidecar: string
}

export const partPaths = (dest: string, name: string): PartPaths => {
  const final = join(dest, name)
  return { final, part: `${final}.part`, sidecar: `${final}.part.json` }
}

/** What the server said about the bytes in the `.part` file. */
export interface PartOrigin {
  readonly url: string
  readonly etag: string | null
  readonly last_modified: string | null
  /** The complete size, when the server announced it. */
  readonly total: number | null
}

export interface PartFile {
  /** Bytes already on disk. */
  readonly size: number
  readonly origin: PartOrigin | undefined
}

const fileSize = (path: string) =>
  Effect.promise(() =>
    stat(path).then(
      (info) => (info.isFile() ? info.size : 0),
      () => 0
    )
  )

const readOrigin = (path: string): Effect.Effect<PartOrigin | undefined> =>
  Effect.promise(async () => {
    try {
      const value = JSON.parse(await readFile(path, "utf8")) as Partial<PartOrigin>
      return typeof value.url === "string"
        ? {
            url: value.url,
            etag: typeof value.etag === "string" ? value.etag : null,
            last_modified: typeof value.last_modified === "string" ? value.last_modified : null,
            total: typeof value.total === "number" ? value.total : null
          }
        : undefined
    } catch {
      return undefined
    }
  })

/** Deletes the `.part` file and its sidecar. */
export const resetPart = (paths: PartPaths): Effect.Effect<void> =>
  Effect.promise(() => Promise.all([rm(paths.part, { force: true }), rm(paths.sidecar, { force: true })]))

/**
 * The partial download of `url`, if any. Bytes of unknown origin (no sidecar, or another URL) are
 * dropped: appending to them could not be checked.
 */
export const readPart = (paths: PartPaths, url: string): Effect.Effect<PartFile> =>
  Effect.gen(function* () {
    const size = yield* fileSize(paths.part)
    const origin = yield* readOrigin(paths.sidecar)
    if (size > 0 && origin?.url === url) return { size, origin }
    if (size > 0 || origin !== undefined) yield* resetPart(paths)
    return { size: 0, origin: undefined }
  })

export const writeOrigin = (paths: PartPaths, origin: PartOrigin) =>
  writeFileAtomic(paths.sidecar, `${JSON.stringify(origin, null, 2)}\n`)

/**
 * The validator for `If-Range`: a strong ETag, else Last-Modified. A weak ETag never matches
 * there (RFC 9110 §13.1.5), which would restart every resumed transfer.
 */
export const ifRangeValue = (origin: PartOrigin): string | undefined =>
  origin.etag !== null && !origin.etag.startsWith("W/") ? origin.etag : (origin.last_modified ?? undefined)

/** Moves the complete `.part` file to its final name, durably, and drops the sidecar. */
export const promotePart = (paths: PartPaths): Effect.Effect<void> =>
  Effect.promise(async () => {
    await rename(paths.part, paths.final)
    await syncDirectory(dirname(paths.final))
    await rm(paths.sidecar, { force: true })
  })
