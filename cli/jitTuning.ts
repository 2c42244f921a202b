/**
 * JavaScriptCore settings for the `filon` command (decision 025). JavaScriptCore reads its options
 * once, from `BUN_JSC_*` environment variables, before any code runs: a process cannot change them for
 * itself. So the launcher re-executes itself once with them added (`process.execve`: the same process,
 * its id, streams and arguments, in 5-10 ms).
 *
 * The setting: code is compiled by JavaScriptCore's top tier (FTL) only after staying hot about 15
 * times longer than by default (1,000,000 against 64,000 in Bun 1.4.5). A Filon run is a chain of steps
 * of a second or so, each with code of its own; with the default, FTL compiles much of it on a compiler
 * thread, which on a 2-core machine competes with the run for the cores and finishes about when the step
 * does. Measured on the quick bench at 1M input rows: that thread's CPU 0.27-0.33 s against 0.55-0.79 s,
 * runs 10% faster; code that stays hot for long (a 28 s broad selection) still gets FTL.
 *
 * The options are not a stable interface: Bun refuses to start when one is unknown. So `bun run build`
 * tries them on the Bun it runs on and records that Bun's revision (`dist/jsc-tuning.json`); the launcher
 * applies them only under that same Bun. It runs untuned (only slower) when the record is missing or
 * from another Bun, when Bun was given flags it cannot safely give again, when `BUN_OPTIONS` is set,
 * when the user set an option themselves, with `FILON_JSC_TUNED` set to anything, or without execve.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { BUNDLE_DIR } from "./bundle.ts"

/** The options added, by environment variable. A value the user set is kept. */
export const JSC_TUNING: Readonly<Record<string, string>> = {
  BUN_JSC_thresholdForFTLOptimizeAfterWarmUp: "1000000"
}

/** Set in the re-executed process; a user sets it (to 0, say) to run with JavaScriptCore's defaults. */
export const TUNED_MARKER = "FILON_JSC_TUNED"

/** Where `bun run build` records the Bun the options were tried on. */
export const TUNING_FILE = join(BUNDLE_DIR, "jsc-tuning.json")

/**
 * Bun flags the re-executed process may be given again, doing the same thing twice over. Others (a
 * `--cwd` already applied, preloads with side effects, a debugger attached to the first image) make
 * the launcher run untuned instead.
 */
const REPEATABLE_FLAG = /^--(smol|expose-gc|no-env-file|env-file=.+|cpu-prof|cpu-prof-(dir|name)=.+)$/

type Environment = Readonly<Record<string, string | undefined>>

/** The environment to re-execute with, or undefined when this process should run as it is. */
export const tunedEnvironment = (
  env: Environment,
  tuning: Readonly<Record<string, string>> = JSC_TUNING
): Record<string, string> | undefined => {
  // BUN_OPTIONS' flags are in execArgv too: passed again, they would apply twice.
  if (env[TUNED_MARKER] !== undefined || env.BUN_OPTIONS !== undefined) return undefined
  const missing = Object.entries(tuning).filter(([name]) => env[name] === undefined)
  if (missing.length === 0) return undefined
  const next: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) if (value !== undefined) next[name] = value
  return { ...next, ...Object.fromEntries(missing), [TUNED_MARKER]: "1" }
}

/** Whether this Bun starts with the options (a fresh `bun -e 0` with them): for `bun run build`. */
export const tuningAccepted = (tuning: Readonly<Record<string, string>> = JSC_TUNING): boolean => {
  try {
    const probe = Bun.spawnSync([process.execPath, "-e", "0"], {
      env: { ...process.env, ...tuning },
      stdout: "ignore",
      stderr: "ignore"
    })
    return probe.exitCode === 0
  } catch {
    return false // could not even try: the launcher runs untuned
  }
}

/** Records the options as tried on this Bun, or removes the record when it refuses them. */
export const recordTuning = (file = TUNING_FILE): boolean => {
  const accepted = tuningAccepted()
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, `${JSON.stringify({ bunRevision: Bun.revision, accepted, options: JSC_TUNING })}\n`)
  return accepted
}

/** The options `bun run build` tried and this very Bun accepted, else undefined. */
export const verifiedTuning = (file = TUNING_FILE): Readonly<Record<string, string>> | undefined => {
  try {
    const record = JSON.parse(readFileSync(file, "utf8")) as {
      bunRevision?: string
      accepted?: boolean
      options?: Record<string, string>
    }
    return record.bunRevision === Bun.revision && record.accepted === true ? record.options : undefined
  } catch {
    return undefined
  }
}

/**
 * The environment the process was started with. Bun adds what it reads from `.env` files to
 * `process.env` after JavaScriptCore read its options, so those never tuned anything: on Linux the
 * kernel's copy (/proc/self/environ) is what JavaScriptCore saw.
 */
const startingEnvironment = (): Environment => {
  try {
    const environment: Record<string, string> = {}
    for (const entry of readFileSync("/proc/self/environ", "latin1").split("\0")) {
      const equals = entry.indexOf("=")
      if (equals > 0) environment[entry.slice(0, equals)] = entry.slice(equals + 1)
    }
    return environment
  } catch {
    return process.env
  }
}

/**
 * Re-executes this process with the tuning, or returns: nothing verified, already tuned, opted out,
 * flags that must not repeat, a compiled executable, no execve, or execve failed. The run then goes on
 * with JavaScriptCore's defaults, which only costs speed.
 */
export const reexecTuned = (given?: Readonly<Record<string, string>>): void => {
  // The re-executed image (and an opted-out one) stops here, before reading any file.
  if (process.env[TUNED_MARKER] !== undefined) return
  const tuning = given ?? verifiedTuning()
  if (tuning === undefined) return
  const script = process.argv[1]
  // A `bun build --compile` executable carries its script inside (/$bunfs/...): its argv has no path to give again.
  if (script === undefined || script.startsWith("/$bunfs/")) return
  if (!process.execArgv.every((flag) => REPEATABLE_FLAG.test(flag))) return
  const env = tunedEnvironment(startingEnvironment(), tuning)
  const host = process as unknown as {
    execve?: (file: string, args: ReadonlyArray<string>, env: Record<string, string>) => never
  }
  if (env === undefined || typeof host.execve !== "function") return
  try {
    host.execve(process.execPath, [process.execPath, ...process.execArgv, script, ...process.argv.slice(2)], env)
  } catch {
    // Not fatal: the same code runs untuned.
  }
}
