/**
 * The data folder confines what a request may name: job files, inputs, profiles and suppression
 * lists resolve inside it or are refused. Paths are checked after resolving symlinks, so neither
 * `..`, an absolute path nor a link pointing outside gets through.
 */
import { realpathSync } from "node:fs"
import { isAbsolute, join, relative, resolve, sep } from "node:path"

export class OutsideDataDir extends Error {
  constructor(
    readonly field: string,
    readonly given: string,
    readonly reason: string
  ) {
    super(`${field}: ${reason}`)
  }
}

const inside = (root: string, path: string) => {
  const rel = relative(root, path)
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel))
}

export class DataDir {
  /** The folder with its symlinks resolved: what every resolved path is compared with. */
  readonly real: string

  constructor(readonly root: string) {
    this.real = realpathSync(root)
  }

  /** Where the server keeps its own things: run history, run folders, job files. */
  get runsDir() {
    return join(this.real, "runs")
  }
  get jobsDir() {
    return join(this.real, "jobs")
  }
  get historyFile() {
    return join(this.real, "server", "runs.sqlite")
  }

  /**
   * Resolves a path a request gave, relative to `base` (the data folder, or the folder of a job
   * file inside it), and refuses it unless the file exists and it (symlinks followed) lies inside
   * the data folder.
   */
  existing(field: string, given: string, base: string = this.real): string {
    if (given.includes("\0")) throw new OutsideDataDir(field, given, "a path may not contain NUL bytes")
    if (isAbsolute(given)) throw new OutsideDataDir(field, given, "must be relative to the data folder")
    const lexical = resolve(base, given)
    if (!inside(this.real, lexical)) throw new OutsideDataDir(field, given, "must stay inside the data folder")
    let real: string
    try {
      real = realpathSync(lexical)
    } catch {
      throw new OutsideDataDir(field, given, "no such file or folder in the data folder")
    }
    if (!inside(this.real, real)) throw new OutsideDataDir(field, given, "leads outside the data folder (symlink)")
    return real
  }

  /** A job file by name: `<data-dir>/jobs/<name>.yaml` (or .yml). */
  jobFile(name: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || name.includes("..")) {
      throw new OutsideDataDir("job", name, "a job name is letters, digits, '.', '_' or '-' (a file in jobs/)")
    }
    for (const extension of [".yaml", ".yml"]) {
      try {
        return this.existing("job", join("jobs", `${name}${extension}`))
      } catch {}
    }
    throw new OutsideDataDir("job", name, `no job file jobs/${name}.yaml in the data folder`)
  }
}
