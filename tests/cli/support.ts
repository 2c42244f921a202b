/**
 * Helpers for the CLI tests: the command line run in-process with captured output (`runCli`), or as a real
 * process (`spawnCli`), plus temporary folders and job files that load the test plugin.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Writable } from "node:stream"
import * as Effect from "effect/Effect"
import YAML from "yaml"
import type { CliIo } from "../../cli/io.ts"
import { main } from "../../cli/main.ts"
import { builtinPlugins } from "../../plugins/index.ts"

export const repoRoot = join(import.meta.dir, "..", "..")
export const testPlugin = join(repoRoot, "tests", "support", "plugin", "index.ts")
export const testProfile = join(repoRoot, "tests", "fixtures", "test-profile.yaml")
export const fixtureJob = join(repoRoot, "tests", "fixtures", "job.yaml")
/** Profiles written for these tests (test plugin steps only). */
export const cliFixture = (name: string) => join(repoRoot, "tests", "fixtures", "cli", name)

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** A CliIo whose stdout and stderr are kept in arrays; progress is discarded, nothing interrupts. */
export const captureIo = (cwd: string = repoRoot): CliIo & { readonly stdout: string[]; readonly stderr: string[] } => {
  const stdout: string[] = []
  const stderr: string[] = []
  const discard = new Writable({
    write(_chunk, _encoding, callback) {
      callback()
    }
  })
  return {
    stdout,
    stderr,
    // As processIo does: each call is one or more lines.
    out: (text) => void stdout.push(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => void stderr.push(text.endsWith("\n") ? text : `${text}\n`),
    progressStream: discard as unknown as NodeJS.WriteStream,
    cwd,
    interrupted: Effect.never,
    builtins: []
  }
}

/** Runs `filon <argv>` in this process. */
export const runCli = async (argv: ReadonlyArray<string>, cwd: string = repoRoot): Promise<CliResult> => {
  const io = captureIo(cwd)
  const code = await Effect.runPromise(main(io, argv))
  return { code, stdout: io.stdout.join(""), stderr: io.stderr.join("") }
}

/**
 * Runs `filon <argv>` in this process with the built-in plugins, as the real CLI does, with its own
 * data folder under `cwd` (so no test answers another's requests from the HTTP cache).
 */
export const runBuiltinCli = async (argv: ReadonlyArray<string>, cwd: string): Promise<CliResult> => {
  process.env.FILON_DATA_DIR = join(cwd, "data")
  const io = { ...captureIo(cwd), builtins: builtinPlugins }
  const code = await Effect.runPromise(main(io, argv))
  return { code, stdout: io.stdout.join(""), stderr: io.stderr.join("") }
}

/** How a test starts `filon`: the sources, the launcher, or the bundle itself. */
export type CliEntry = "cli/main.ts" | "cli/filon.ts" | "dist/filon.js"

/**
 * Runs `bun cli/main.ts <argv>` as a real process from the repository root; `entry` runs the `filon`
 * launcher (cli/filon.ts) or the bundle (dist/filon.js, `bun run build`) instead (decision 020).
 */
export const spawnCli = async (
  argv: ReadonlyArray<string>,
  options: {
    readonly cwd?: string
    readonly env?: Record<string, string | undefined>
    readonly entry?: CliEntry
  } = {}
): Promise<CliResult> => {
  const child = Bun.spawn(["bun", join(repoRoot, options.entry ?? "cli/main.ts"), ...argv], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe"
  })
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited
  ])
  return { code, stdout, stderr }
}

/** The last non-empty line of a text. */
export const lastLine = (text: string): string => text.trimEnd().split("\n").at(-1) ?? ""

/** Temporary folders under os.tmpdir(), all removed by `cleanup` (call it in afterAll). */
export const tempDirs = (prefix: string) => {
  const made: string[] = []
  return {
    make: (name = "dir") => {
      const dir = mkdtempSync(join(tmpdir(), `filon-cli-${prefix}-${name}-`))
      made.push(dir)
      return dir
    },
    cleanup: () => {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** A job that loads the test plugin and the test profile by absolute path, with `overrides` on top. */
export const testJob = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  niche: "cli_test",
  profile: testProfile,
  plugins: [testPlugin],
  ...overrides
})

/** Writes `job` (an object, or YAML text) as `<dir>/<name>` and returns its path. */
export const writeJob = (dir: string, job: Record<string, unknown> | string, name = "job.yaml"): string => {
  const file = join(dir, name)
  writeFileSync(file, typeof job === "string" ? job : YAML.stringify(job))
  return file
}

/** True when `dir` does not exist or holds nothing. */
export const isEmptyOrMissing = (dir: string): boolean => !existsSync(dir) || readdirSync(dir).length === 0
