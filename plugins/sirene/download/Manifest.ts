/**
 * `<dest>/manifest.json`: one entry per complete stock file in the folder (where it came from, its
 * size and sha256, whether a published checksum vouched for it). Written after each file, so a
 * failure on the second file keeps the first on record.
 */
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import { type FileWriteFailed, writeFileAtomic } from "../../../core/AtomicFile.ts"

export interface ManifestEntry {
  readonly name: string
  readonly url: string
  readonly bytes: number
  readonly sha256: string
  /** True when the sha256 matched the one published beside the file. */
  readonly checksum_verified: boolean
  readonly etag: string | null
  readonly last_modified: string | null
  /** ISO 8601. */
  readonly downloaded_at: string
  /** `YYYY-MM` for a dated stock, null for the current files. */
  readonly month: string | null
}

export interface Manifest {
  readonly files: ReadonlyArray<ManifestEntry>
}

export const MANIFEST_NAME = "manifest.json"

const isEntry = (value: unknown): value is ManifestEntry => {
  const entry = value as Partial<ManifestEntry> | null
  return (
    typeof entry?.name === "string" &&
    typeof entry.url === "string" &&
    typeof entry.bytes === "number" &&
    typeof entry.sha256 === "string"
  )
}

/** The folder's manifest; empty when missing or unreadable (its files are then checked again). */
export const readManifest = (dest: string): Effect.Effect<Manifest> =>
  Effect.promise(async () => {
    try {
      const value = JSON.parse(await readFile(join(dest, MANIFEST_NAME), "utf8")) as { files?: unknown }
      return { files: Array.isArray(value.files) ? value.files.filter(isEntry) : [] }
    } catch {
      return { files: [] }
    }
  })

export const entryOf = (manifest: Manifest, name: string): ManifestEntry | undefined =>
  manifest.files.find((entry) => entry.name === name)

/** The manifest with `entry` added or replacing the one of the same name, sorted by name. */
export const upsertEntry = (manifest: Manifest, entry: ManifestEntry): Manifest => ({
  files: [...manifest.files.filter((other) => other.name !== entry.name), entry].sort((a, b) =>
    a.name.localeCompare(b.name)
  )
})

export const writeManifest = (dest: string, manifest: Manifest): Effect.Effect<void, FileWriteFailed> =>
  writeFileAtomic(join(dest, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`).pipe(Effect.asVoid)
