/**
 * What a command may touch of the outside world, so tests can run commands with captured output.
 */
import * as Effect from "effect/Effect"
import type { Plugin } from "../core/Plugin.ts"
import { builtinPlugins } from "../plugins/index.ts"

export interface CliIo {
  /** stdout: results only (with --json, nothing but the JSON document). */
  readonly out: (text: string) => void
  /** stderr: progress, warnings, errors. */
  readonly err: (text: string) => void
  /** The stream progress is drawn on (a terminal gets a live display). */
  readonly progressStream?: NodeJS.WriteStream
  readonly cwd: string
  /** Completes when the user interrupts (SIGINT/SIGTERM). */
  readonly interrupted: Effect.Effect<void>
  readonly builtins: ReadonlyArray<Plugin>
}

/** The process's own streams and signals. */
export const processIo = (): CliIo => {
  let fire: () => void = () => {}
  let fired = false
  const interrupted = Effect.async<void>((resume) => {
    if (fired) return resume(Effect.void)
    fire = () => resume(Effect.void)
  })
  let count = 0
  const onSignal = () => {
    count++
    // The second Ctrl-C leaves at once; the first lets the run record its state and release its lock.
    if (count > 1) process.exit(130)
    fired = true
    fire()
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
  return {
    out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
    progressStream: process.stderr,
    cwd: process.cwd(),
    interrupted,
    builtins: builtinPlugins
  }
}
