/** The figures both Places steps report in `reports/<step>_summary.json` and the run's measures. */
import * as Effect from "effect/Effect"
import type { StepContext } from "../../core/Step.ts"
import type { PlacesRequestFailed } from "./PlacesProvider.ts"
import { type Opened, type PlacesConfig, requestsPerSecond } from "./PlacesSettings.ts"

/** Failed requests logged one by one up to this many; the rest are counted. */
const LOGGED_FAILURES = 5

export const makeTally = () => {
  const tally = {
    records: 0,
    no_name: 0,
    searched: 0,
    details: 0,
    matched: 0,
    no_match: 0,
    not_found: 0,
    failed: 0,
    failure: (context: StepContext<PlacesConfig>, error: PlacesRequestFailed) =>
      Effect.suspend(() => {
        tally.failed++
        return tally.failed <= LOGGED_FAILURES ? context.log(`warning: ${error.message}`) : Effect.void
      })
  }
  return tally
}
export type Tally = ReturnType<typeof makeTally>

/** Writes the step's summary once its records are through (never in the record files). */
export const writeSummary = (
  context: StepContext<PlacesConfig>,
  path: string,
  opened: Opened,
  tally: Tally,
  started: number,
  measure: string
) =>
  Effect.gen(function* () {
    const { failure: _, ...figures } = tally
    const summary = {
      provider: opened.provider.id,
      available: opened.available,
      ...(opened.available ? {} : { reason: opened.reason }),
      requests_per_s: requestsPerSecond(context.config),
      concurrency: context.config.concurrency,
      min_match: context.config.min_match,
      ...figures,
      seconds: Math.round(performance.now() - started) / 1000
    }
    yield* context.writeOutput(path, [`${JSON.stringify(summary, null, 2)}\n`])
    yield* context.measure(measure, tally.matched)
    if (tally.failed > 0) yield* context.log(`warning: ${tally.failed} ${opened.provider.label} requests failed`)
  }).pipe(Effect.orDie)
