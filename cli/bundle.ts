/**
 * The prebuilt CLI (decision 020): `bun run build` bundles the command line into dist/filon.js,
 * minified, with a stamp of the sources it was built from. Loading one file instead of about 1,300
 * modules (Effect alone is about 290) starts a command in about half the time and 20 MB smaller.
 * The `filon` launcher runs the bundle only while its stamp matches the sources, so an edited
 * checkout never runs stale code; the sources run otherwise, as `bun cli/main.ts` always does.
 *
 * This module is imported by the launcher before anything else: node built-ins and ProjectRoot only.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { PROJECT_ROOT } from "../core/ProjectRoot.ts"

/** Where a project's bundle stamp is. */
const stampFileOf = (root: string) => join(root, "dist", "filon.stamp")

export const BUNDLE_DIR = join(PROJECT_ROOT, "dist")
export const BUNDLE_FILE = join(BUNDLE_DIR, "filon.js")
/** The bundle's JavaScriptCore bytecode, which Bun loads instead of parsing the bundle. */
export const BYTECODE_FILE = `${BUNDLE_FILE}.jsc`
export const STAMP_FILE = stampFileOf(PROJECT_ROOT)

/** What the bundle is built from: the code folders, and the manifest and lockfile that pin the packages. */
const SOURCE_DIRS = ["core", "plugins", "cli", "server"]
const SOURCE_FILES = ["package.json", "bun.lock"]
const BUNDLED = /\.(ts|js|json)$/

/**
 * A fingerprint of the sources: every bundled file's path, size and modification time. Stat only,
 * no reads: about 2 ms for the ~450 files (an edit, a checkout or a new file all change it).
 */
export const sourceStamp = (root = PROJECT_ROOT): string => {
  const entries: string[] = []
  const visit = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1
    )) {
      const path = `${dir}/${entry.name}`
      if (entry.isDirectory()) visit(path)
      else if (BUNDLED.test(entry.name)) entries.push(describe(root, path))
    }
  }
  for (const dir of SOURCE_DIRS) visit(dir)
  for (const file of SOURCE_FILES) entries.push(describe(root, file))
  // The bytecode beside the bundle fits only the Bun that made it (decision 023): another Bun rebuilds.
  entries.push(`bun ${Bun.revision}`)
  return Bun.hash(entries.join("\n")).toString(16)
}

const describe = (root: string, path: string) => {
  try {
    const info = statSync(join(root, path))
    return `${path} ${info.size} ${info.mtimeMs}`
  } catch {
    return `${path} missing`
  }
}

/** Whether dist/filon.js was built from the sources as they are now. */
export const bundleIsFresh = (root = PROJECT_ROOT): boolean => {
  try {
    return readFileSync(stampFileOf(root), "utf8").trim() === sourceStamp(root)
  } catch {
    return false
  }
}
