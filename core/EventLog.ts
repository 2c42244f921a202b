/**
 * The run's JSON-lines event log (`logs/<run_id>.jsonl`): one line per step start, end, skip or
 * failure, with counts, durations and budget use. A resumed run appends, continuing the sequence.
 */
import { appendFile, mkdir, readFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
export type EventType =
  | "run.start"
  | "run.resume"
  | "run.end"
  | "step.start"
  | "step.end"
  | "step.skip"
  | "step.fail"
  | "step.retry"
  | "step.log"
  | "budget.exceeded"
  | "kpi.result"
  | "http.robots_skip"

export interface RunEvent {
  readonly seq: number
  readonly ts: string
  readonly run_id: string
  readonly type: EventType
  readonly step?: string
  readonly [key: string]: unknown
}

export interface EventLogShape {
  readonly file: string
  readonly emit: (type: EventType, fields?: Readonly<Record<string, unknown>>) => Effect.Effect<void>
}

export class EventLog extends Context.Tag("core/EventLog")<EventLog, EventLogShape>() {
  /** Appends to `<runDir>/logs/<runId>.jsonl`; listeners (progress, server) see every event too. */
  static readonly layer = (runDir: string, runId: string, listeners: ReadonlyArray<(event: RunEvent) => void> = []) =>
    Layer.effect(EventLog, makeEventLog(runDir, runId, listeners))
}

export const logFileOf = (runDir: string, runId: string) => join(runDir, "logs", `${runId}.jsonl`)

const makeEventLog = (runDir: string, runId: string, listeners: ReadonlyArray<(event: RunEvent) => void>) =>
  Effect.gen(function* () {
    const file = logFileOf(runDir, runId)
    yield* Effect.promise(() => mkdir(dirname(file), { recursive: true }))
    const existing = yield* Effect.promise(() => readFile(file, "utf8").catch(() => ""))
    const lastSeq = existing
      .split("\n")
      .filter((line) => line.trim() !== "")
      .reduce((max, line) => {
        try {
          return Math.max(max, Number((JSON.parse(line) as RunEvent).seq) || 0)
        } catch {
          return max // a line cut by a kill: the sequence goes on after the last whole one
        }
      }, 0)
    // A log cut mid-line by a kill gets its own line back before new events.
    const needsNewline = existing.length > 0 && !existing.endsWith("\n")
    const seq = yield* Ref.make(lastSeq)
    const lock = yield* Effect.makeSemaphore(1)
    const emit: EventLogShape["emit"] = (type, fields = {}) =>
      lock.withPermits(1)(
        Effect.gen(function* () {
          const next = yield* Ref.updateAndGet(seq, (n) => n + 1)
          const event: RunEvent = { seq: next, ts: new Date().toISOString(), run_id: runId, type, ...fields }
          const prefix = next === lastSeq + 1 && needsNewline ? "\n" : ""
          yield* Effect.promise(() => appendFile(file, `${prefix}${JSON.stringify(event)}\n`))
          for (const listener of listeners) listener(event)
        })
      )
    return { file, emit }
  })
