/**
 * A run's spans: one root span per run (a trace per run, even when the server starts it while handling
 * a request) and one child span per executed step, with the counts a trace viewer should show. Which
 * tracer receives them (none, or OTLP) is decided by core/Tracing.ts around the run.
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { HttpStats } from "./http/HttpMetrics.ts"
import type { StepState } from "./RunState.ts"
import type { RunSummary } from "./Summary.ts"

/** Wraps a run in its root span; the summary's status and exit code are added when it ends. */
export const traceRun =
  (run: { readonly runId: string; readonly niche: string; readonly profile: string }) =>
  <E, R>(effect: Effect.Effect<RunSummary, E, R>): Effect.Effect<RunSummary, E, R> =>
    effect.pipe(
      Effect.tap((summary) =>
        Effect.annotateCurrentSpan({ status: summary.status, exit_code: summary.exit_code, resumed: summary.resumed })
      ),
      Effect.withSpan("filon.run", {
        root: true,
        attributes: { run_id: run.runId, niche: run.niche, profile: run.profile }
      })
    )

/**
 * Wraps one step in a child span of the run's. Cache hits and requests are the run fetcher's figures
 * over the step's lifetime: exact when steps run one at a time, shared between steps under --parallel.
 */
export const traceStep =
  (step: { readonly name: string; readonly id: string; readonly runId: string }, httpStats: () => HttpStats) =>
  <E, R>(effect: Effect.Effect<StepState, E, R>): Effect.Effect<StepState, E, R> =>
    Effect.suspend(() => {
      const before = httpStats()
      const attributes = (exit: Exit.Exit<StepState, E>) => {
        const after = httpStats()
        const http = {
          cache_hits: after.cache_hits - before.cache_hits,
          http_requests: after.requests - before.requests
        }
        if (Exit.isSuccess(exit)) {
          const { rows_in, rows_out } = exit.value
          return { status: "done", rows_in, ...(rows_out === null ? {} : { rows_out }), ...http }
        }
        return { status: Exit.isInterrupted(exit) ? "stopped" : "failed", ...http }
      }
      return effect.pipe(
        Effect.onExit((exit) => Effect.annotateCurrentSpan(attributes(exit))),
        Effect.withSpan(`filon.step ${step.name}`, {
          attributes: { run_id: step.runId, step: step.name, step_id: step.id }
        })
      )
    })
