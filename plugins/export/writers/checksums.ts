/**
 * `sha256.txt` in the format of GNU `sha256sum`, so `sha256sum -c sha256.txt` run in the run folder
 * checks every file the run wrote.
 */
import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"

export interface ChecksumEntry {
  /** Path relative to the run folder, with "/" separators, e.g. `normalized/normalized.parquet`. */
  readonly path: string
  readonly sha256: string
}

const SHA256 = /^[0-9a-f]{64}$/i

/** The sha256 of a file as lowercase hex, read as a stream (constant memory whatever its size). */
export const sha256File = async (path: string): Promise<string> => {
  const hash = createHash("sha256")
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest("hex")
}

/**
 * A name holding "\", LF or CR is written the way `sha256sum` does: the line starts with "\" and those
 * characters are escaped as "\\", "\n", "\r".
 */
const line = ({ path, sha256 }: ChecksumEntry): string => {
  if (!/[\\\n\r]/.test(path)) return `${sha256}  ${path}\n`
  const escaped = path.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll("\r", "\\r")
  return `\\${sha256}  ${escaped}\n`
}

/**
 * `<hex>  <path>` lines (two spaces: text mode, as `sha256sum` writes on Linux), sorted by path so the
 * file is the same whatever order the outputs were written in. The same path listed twice must carry
 * the same digest and is written once.
 */
export const renderSha256Txt = (entries: ReadonlyArray<ChecksumEntry>): string => {
  const byPath = new Map<string, string>()
  for (const entry of entries) {
    if (entry.path === "" || entry.path.startsWith("/")) {
      throw new Error(`sha256.txt: "${entry.path}" must be a path relative to the run folder`)
    }
    if (!SHA256.test(entry.sha256)) throw new Error(`sha256.txt: "${entry.sha256}" is not a sha256 (${entry.path})`)
    const sha256 = entry.sha256.toLowerCase()
    const known = byPath.get(entry.path)
    if (known !== undefined && known !== sha256) {
      throw new Error(`sha256.txt: ${entry.path} is listed twice with different digests`)
    }
    byPath.set(entry.path, sha256)
  }
  // Code-unit order, not localeCompare: the same on every machine.
  const paths = [...byPath.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return paths.map((path) => line({ path, sha256: byPath.get(path)! })).join("")
}
