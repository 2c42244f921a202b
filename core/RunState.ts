/**
 * The run folder's state: what `resume` reads (job, profile, inputs, each finished step's output
 * contracts) and the lock that keeps two live runs out of one folder.
 */

import { createHash } from "node:crypto"
import { open, readFile, rm, stat, utimes } from "node:fs/promises"
import { hostname } from "node:os"
import { dirname, isAbsolute, join, resolve } from "node:path"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { digestFile, type FileWriteFailed, writeFileAtomic } from "./AtomicFile.ts"
import type { Job } from "./Job.ts"
import type { OutputContract } from "./Step.ts"

export const STATE_DIR = "state"
export const STATE_FILE = join(STATE_DIR, "run.json")
export const LOCK_FILE = join(STATE_DIR, "lock")
export const RECORDS_DIR = join(STATE_DIR, "records")
export const recordFileOf = (node: string) => join(RECORDS_DIR, `${node}.jsonl`)

export interface StepState {
  readonly fingerprint: string
  readonly outputs: ReadonlyArray<OutputContract>
  readonly rows_in: number
  /** Null for sinks, which pass no records on. */
  readonly rows_out: number | null
  readonly duration_ms: number
  readonly measures: Readonly<Record<string, number>>
  readonly finished_at: string
}

export interface RunState {
  readonly version: 1
  readonly run_id: string
  readonly job_file: string | null
  readonly job: Job
  readonly profile: { readonly id: string; readonly file: string }
  readonly inputs: ReadonlyArray<string>
  /** CLI settings that shaped the run, so `resume` repeats them. */
  readonly options: {
    readonly sample: number | null
    readonly set: ReadonlyArray<string>
    readonly budgets: Readonly<Record<string, number>>
  }
  readonly created_at: string
  readonly steps: Readonly<Record<string, StepState>>
}

export class RunLocked extends Data.TaggedError("RunLocked")<{
  readonly dir: string
  readonly holder: { readonly pid: number; readonly host: string; readonly run_id: string; readonly since: string }
}> {
  override get message() {
    const { pid, host, run_id, since } = this.holder
    return `run folder ${this.dir} is held by live run ${run_id} (pid ${pid} on ${host}, since ${since})`
  }
}

export class StateUnreadable extends Data.TaggedError("StateUnreadable")<{
  readonly file: string
  readonly reason: string
}> {
  override get message() {
    return `run state ${this.file} ${this.reason}`
  }
}

export const readState = (runDir: string): Effect.Effect<RunState | undefined, StateUnreadable> =>
  Effect.gen(function* () {
    const file = join(runDir, STATE_FILE)
    const text = yield* Effect.promise(() => readFile(file, "utf8").catch(() => undefined))
    if (text === undefined) return undefined
    const state = yield* Effect.try({
      try: () => JSON.parse(text) as RunState,
      catch: () => new StateUnreadable({ file, reason: "is not valid JSON" })
    })
    if (state.version !== 1) return yield* new StateUnreadable({ file, reason: `has unknown version ${state.version}` })
    return state
  })

export const writeState = (runDir: string, state: RunState): Effect.Effect<void, FileWriteFailed> =>
  writeFileAtomic(join(runDir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`).pipe(Effect.asVoid)

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * Holds the folder's lock for the scope. A lock left by a dead process (a SIGKILLed run) is taken
 * over; one held by a live process on this host is refused.
 */
export const acquireLock = (runDir: string, runId: string): Effect.Effect<void, RunLocked, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.gen(function* () {
      const file = join(runDir, LOCK_FILE)
      const mine = { pid: process.pid, host: hostname(), run_id: runId, since: new Date().toISOString() }
      const holder = heldHere.get(file)
      // A run of this same process (the server runs several) holds it: the pid check cannot tell.
      if (holder) return yield* new RunLocked({ dir: runDir, holder })
      heldHere.set(file, mine)
      for (let attempt = 0; attempt < 3; attempt++) {
        const created = yield* Effect.promise(async () => {
          try {
            const handle = await open(file, "wx")
            await handle.writeFile(JSON.stringify(mine))
            await handle.close()
            return true
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
            return false
          }
        })
        if (created) {
          // The heartbeat: a live run touches its lock, so a lock left by a dead run (any host) goes stale.
          yield* Effect.forkScoped(
            // Forked from an uninterruptible acquire: it must be made interruptible, or closing the run's scope waits forever.
            Effect.interruptible(
              Effect.repeat(
                Effect.promise(() => utimes(file, new Date(), new Date()).catch(() => undefined)),
                Schedule.spaced(HEARTBEAT)
              )
            )
          )
          return file
        }
        const onDisk = yield* Effect.promise(() =>
          readFile(file, "utf8")
            .then((text) => JSON.parse(text) as RunLocked["holder"])
            .catch(() => undefined)
        )
        const beat = yield* Effect.promise(() =>
          stat(file)
            .then((info) => info.mtimeMs)
            .catch(() => 0)
        )
        if (onDisk && isLive(onDisk, mine.host, Date.now() - beat)) {
          heldHere.delete(file)
          return yield* new RunLocked({ dir: runDir, holder: onDisk })
        }
        yield* Effect.promise(() => rm(file, { force: true }))
      }
      heldHere.delete(file)
      return yield* Effect.die(new Error(`could not take the lock ${file}`))
    }).pipe(Effect.tapError(() => Effect.sync(() => heldHere.delete(join(runDir, LOCK_FILE))))),
    (file) =>
      Effect.promise(() => rm(file, { force: true })).pipe(Effect.ensuring(Effect.sync(() => heldHere.delete(file))))
  ).pipe(Effect.asVoid)

const HEARTBEAT = "10 seconds"
/** A lock not touched for this long belongs to a run that died or froze, on this host or another. */
export const LOCK_STALE_AFTER_MS = 60_000

/**
 * Whether a lock's holder is alive: its heartbeat is recent, and, on this host, its process exists.
 * On another host (or a container sharing our hostname and pids) only the heartbeat can tell.
 */
const isLive = (holder: RunLocked["holder"], host: string, heartbeatAgeMs: number) => {
  if (heartbeatAgeMs > LOCK_STALE_AFTER_MS) return false
  if (holder.host === host && holder.pid !== process.pid && !isAlive(holder.pid)) return false
  return true
}

/** Locks held by runs of this process, by lock file. */
const heldHere = new Map<string, RunLocked["holder"]>()

/** Does every recorded output still exist with the same size and sha256? Names the first that does not. */
export const checkOutputs = (
  runDir: string,
  outputs: ReadonlyArray<OutputContract>
): Effect.Effect<{ readonly ok: true } | { readonly ok: false; readonly path: string; readonly reason: string }> =>
  Effect.gen(function* () {
    for (const output of outputs) {
      const file = join(runDir, output.path)
      const info = yield* Effect.promise(() => stat(file).catch(() => undefined))
      if (!info) return { ok: false, path: output.path, reason: "missing" }
      if (info.size !== output.bytes) return { ok: false, path: output.path, reason: "truncated or resized" }
      const digest = yield* digestFile(file)
      if (digest?.sha256 !== output.sha256) return { ok: false, path: output.path, reason: "altered" }
    }
    return { ok: true }
  })

/**
 * The content of the files a job points to (its `suppression_list`, relative to the job file), as one
 * sha256; null when it names none. In the fingerprint of the steps that read the job, so editing the
 * file re-runs them on resume. An unreadable file hashes as such (the step reading it names it).
 */
export const jobFilesDigest = (job: Job, jobFile: string | null): Effect.Effect<string | null> =>
  Effect.promise(async () => {
    const path = job.suppression_list
    if (path === undefined) return null
    const file = isAbsolute(path) ? path : resolve(jobFile === null ? process.cwd() : dirname(jobFile), path)
    const content = await readFile(file).catch(() => null)
    return createHash("sha256")
      .update(content === null ? `unreadable ${file}` : content)
      .digest("hex")
  })

/** A cheap fingerprint of input files (path, size, modification time); folders are listed. */
export const describeInputs = (inputs: ReadonlyArray<string>): Effect.Effect<string> =>
  Effect.promise(async () => {
    const parts: string[] = []
    for (const input of inputs) {
      const info = await stat(input).catch(() => undefined)
      if (!info) parts.push(`${input}:missing`)
      else if (info.isDirectory()) {
        const glob = new Bun.Glob("**/*")
        const files: string[] = []
        for await (const file of glob.scan({ cwd: input, onlyFiles: true })) files.push(file)
        for (const file of files.sort()) {
          const fileInfo = await stat(join(input, file))
          parts.push(`${join(input, file)}:${fileInfo.size}:${fileInfo.mtimeMs}`)
        }
      } else parts.push(`${input}:${info.size}:${info.mtimeMs}`)
    }
    return parts.join("\n")
  })
