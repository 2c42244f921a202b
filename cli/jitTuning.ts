/**
 * JavaScriptCore settings for the `filon` command (decision 025). JavaScriptCore reads its options
 * once, from `BUN_JSC_*` environment variables, before any code runs: a process cannot change them for
 * itself. So the launcher re-executes itself once with them added (`process.execve`: the same process,
 * its id, streams and arguments, in 5-10 ms), unless the user set them, opted out, or the platform has
 * no execve.
 *
 * The setting: code is compiled by JavaScriptCore's top tier (FTL) only after staying hot ten times
 * longer than by default. A Filon run is a chain of steps of a second or so, each with code of its own;
 * with the default, FTL compiles most of them on a compiler thread, which on a 2-core machine competes
 * with the run for the cores and finishes about when the step does. Measured on the quick bench: that
 * thread's CPU time 0.79 → 0.27 s at 1M input rows, runs 6-9% faster; code that stays hot for long (a
 * 26 s broad selection) still gets FTL.
 */

/** The options added, by environment variable. A value the user set is kept. */
export const JSC_TUNING: Readonly<Record<string, string>> = {
  BUN_JSC_thresholdForFTLOptimizeAfterWarmUp: "1000000"
}

/** Set in the re-executed process; a user sets it to 0 to run with JavaScriptCore's defaults. */
export const TUNED_MARKER = "FILON_JSC_TUNED"

/** The environment to re-execute with, or undefined when this process should run as it is. */
export const tunedEnvironment = (
  env: Readonly<Record<string, string | undefined>>
): Record<string, string> | undefined => {
  if (env[TUNED_MARKER] !== undefined) return undefined
  const missing = Object.entries(JSC_TUNING).filter(([name]) => env[name] === undefined)
  if (missing.length === 0) return undefined
  const next: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) if (value !== undefined) next[name] = value
  return { ...next, ...Object.fromEntries(missing), [TUNED_MARKER]: "1" }
}

type Execve = (file: string, args: ReadonlyArray<string>, env: Record<string, string>) => never

/**
 * Re-executes this process with the tuning, or returns (already tuned, opted out, no execve, or execve
 * failed: the run goes on with JavaScriptCore's defaults, which only costs speed).
 */
export const reexecTuned = (): void => {
  const env = tunedEnvironment(process.env)
  const execve = (process as unknown as { execve?: Execve }).execve
  if (env === undefined || typeof execve !== "function") return
  try {
    execve(process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], env)
  } catch {
    // Not fatal: the same code runs untuned.
  }
}
