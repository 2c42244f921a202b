/**
 * What the API answers about runs: GET /runs/:id is the CLI's `--json` summary (core/Summary.ts)
 * for a finished run, with `created_at` added; a queued or running run has the same keys, its
 * steps from the events so far and the figures only a finished run has set to null.
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { BadRequest, fieldProblemsOf } from "./RunRequestBody.ts"
import type { RunFilter, StoredRun, StoredStep } from "./RunStore.ts"

export const runView = (run: StoredRun, steps: ReadonlyArray<StoredStep>) => {
  if (run.summary) return { ...run.summary, status: run.status, created_at: run.created_at }
  return {
    run_id: run.run_id,
    status: run.status,
    exit_code: run.exit_code,
    niche: run.niche,
    profile: run.profile,
    out_dir: run.request.out_dir,
    created_at: run.created_at,
    started_at: run.started_at,
    ended_at: run.ended_at,
    duration_s: null,
    resumed: false,
    steps: steps.map((step) => ({ ...step, id: step.name, batch: null })),
    kpis: null,
    budgets: null,
    stopped_by: null,
    measures: {},
    outputs: [],
    error: run.error === null ? null : { tag: "RunNotStarted", message: run.error, step: null }
  }
}

const IsoDate = Schema.String.pipe(
  Schema.pattern(/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$/),
  Schema.annotations({ message: () => "expected a date YYYY-MM-DD or an ISO date-time" })
)

const ListQuery = Schema.Struct({
  status: Schema.optional(Schema.Literal("queued", "running", "succeeded", "failed", "cancelled")),
  niche: Schema.optional(Schema.String),
  since: Schema.optional(IsoDate),
  until: Schema.optional(IsoDate),
  limit: Schema.optionalWith(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 500)), {
    default: () => 50
  }),
  /** The `next` cursor of the previous page. */
  after: Schema.optional(Schema.String)
}).annotations({ parseOptions: { onExcessProperty: "error" } })

const decodeQuery = Schema.decodeUnknownEither(ListQuery, { errors: "all", onExcessProperty: "error" })

/** GET /runs query parameters; a bad one is a 400 naming it. */
export const listQueryOf = (query: Record<string, string>): RunFilter =>
  Either.getOrThrowWith(decodeQuery(query), (error) => new BadRequest(fieldProblemsOf(error, "(query)")))
