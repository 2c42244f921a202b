/**
 * Progress on stderr: on a terminal, one live line per running step (rows, rows/s, ETA when the
 * total is known), redrawn in place; otherwise plain lines, so logs and CI output stay readable.
 */
import type { RunEvent } from "../core/EventLog.ts"
import type { StepProgress } from "../core/StepExecution.ts"

export interface ProgressDisplay {
  readonly onEvent: (event: RunEvent) => void
  readonly onProgress: (progress: StepProgress, phase: "start" | "end") => void
  readonly stop: () => void
}

const rate = (progress: StepProgress) => {
  const seconds = Math.max((Date.now() - progress.startedAt) / 1000, 0.001)
  const rows = Math.max(progress.rowsIn, progress.rowsOut)
  return { rows, perSecond: rows / seconds }
}

const formatDuration = (seconds: number) =>
  seconds >= 3600
    ? `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, "0")}m`
    : seconds >= 60
      ? `${Math.floor(seconds / 60)}m${String(Math.floor(seconds % 60)).padStart(2, "0")}s`
      : `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`

export const describeProgress = (progress: StepProgress): string => {
  const { rows, perSecond } = rate(progress)
  const eta =
    progress.total !== undefined && perSecond > 0 && rows < progress.total
      ? `, ETA ${formatDuration((progress.total - rows) / perSecond)}`
      : ""
  const of = progress.total !== undefined ? `/${progress.total.toLocaleString("en")}` : ""
  return `${progress.name}: ${rows.toLocaleString("en")}${of} rows, ${Math.round(perSecond).toLocaleString("en")} rows/s${eta}`
}

const describeEvent = (event: RunEvent): string | undefined => {
  switch (event.type) {
    case "run.start":
    case "run.resume":
      return `${event.type === "run.start" ? "run" : "resume"} ${event.run_id}: profile ${String(event.profile)}, ${(event.steps as unknown[]).length} steps`
    case "step.start":
      return `▶ ${event.step}`
    case "step.end":
      return `✓ ${event.step}: ${event.rows_in} in${event.rows_out === null ? "" : `, ${event.rows_out} out`}, ${((event.duration_ms as number) / 1000).toFixed(2)}s`
    case "step.skip":
      return `↷ ${event.step} skipped: ${String(event.reason)}`
    case "step.retry":
      return `↻ ${event.step} retrying: ${String(event.error)}`
    case "step.fail":
      return `✗ ${event.step ?? "run"}: ${String(event.error)}`
    case "budget.exceeded":
      return `✗ ${String(event.error)}`
    case "step.log":
      return `  ${event.step}: ${String(event.message)}`
    default:
      return undefined
  }
}

/** A live display for terminals; plain lines otherwise (and every `intervalMs` for long steps). */
export const makeProgressDisplay = (
  stream: NodeJS.WriteStream = process.stderr,
  options: { readonly tty?: boolean; readonly intervalMs?: number } = {}
): ProgressDisplay => {
  const tty = options.tty ?? stream.isTTY === true
  const running = new Map<string, StepProgress>()
  let drawn = 0
  const clear = () => {
    if (tty && drawn > 0) stream.write(`\x1b[${drawn}A\x1b[0J`)
    drawn = 0
  }
  const draw = () => {
    if (!tty) return
    clear()
    for (const progress of running.values()) stream.write(`  … ${describeProgress(progress)}\n`)
    drawn = running.size
  }
  const timer = setInterval(
    () => {
      if (tty) draw()
      else for (const progress of running.values()) stream.write(`  … ${describeProgress(progress)}\n`)
    },
    options.intervalMs ?? (tty ? 200 : 10_000)
  )
  timer.unref?.()
  return {
    onEvent: (event) => {
      const line = describeEvent(event)
      if (!line) return
      clear()
      stream.write(`${line}\n`)
      draw()
    },
    onProgress: (progress, phase) => {
      if (phase === "start") running.set(progress.name, progress)
      else running.delete(progress.name)
      draw()
    },
    stop: () => {
      clearInterval(timer)
      clear()
    }
  }
}
