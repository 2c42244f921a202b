/**
 * Where Filon's own files are (built-in profiles, worker entry points, package.json), for code that
 * runs from the sources or from the bundle (`bun run build`, decision 020). Both this file and the
 * bundle, dist/filon.js, sit one folder below the project root, so one expression serves both; a path
 * relative to a module's own location would not, since every bundled module shares the bundle's.
 */
import { join, resolve } from "node:path"

export const PROJECT_ROOT = resolve(import.meta.dir, "..")

/** A path inside the project, from its root: `projectPath("profiles")`. */
export const projectPath = (...parts: ReadonlyArray<string>) => join(PROJECT_ROOT, ...parts)
