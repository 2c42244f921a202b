/**
 * A small plugin for tests: a deterministic source, transforms, a slow sink that writes its
 * output in chunks (so a kill can land mid-write), and steps that fail, retry or spend budget.
 * It registers exactly as a third-party plugin does.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { Budget } from "../../../core/Budget.ts"
import { definePlugin } from "../../../core/Plugin.ts"
import type { Rec } from "../../../core/Record.ts"
import { defineStep, type StepService } from "../../../core/Step.ts"

const Int = (fallback: number) =>
  Schema.optionalWith(Schema.Int.pipe(Schema.nonNegative()), { default: () => fallback })

/** A SIRET-like key: 14 digits, so records sort like real ones. */
export const keyOf = (index: number) => String(10_000_000_000_000 + index * 7919).padStart(14, "0")

const SourceConfig = Schema.Struct({
  /** Records to generate. @default 100 */
  rows: Int(100),
  /** Pause after every `chunk` records, to make a run long enough to interrupt. @default 0 */
  delay_ms: Int(0),
  /** @default 50 */
  chunk: Int(50),
  /** Prefix of generated names. @default "Company" */
  prefix: Schema.optionalWith(Schema.String, { default: () => "Company" })
})

/** Emits records in shuffled key order, so the runner's sort is exercised. */
const source = defineStep({
  id: "test.source",
  description: "Generates deterministic company records.",
  kind: "source",
  writes: {
    siret: { type: "string", description: "Establishment id" },
    name: { type: "string", description: "Company name" },
    size: { type: "integer", description: "A number per record" }
  },
  config: SourceConfig,
  run: (_input, context) =>
    Stream.range(0, Math.max(0, context.config.rows - 1)).pipe(
      Stream.filter(() => context.config.rows > 0),
      Stream.map((i) => {
        const index = (i * 37) % context.config.rows // a permutation when rows is not a multiple of 37
        return { siret: keyOf(index), name: `${context.config.prefix} ${index}`, size: (index * 13) % 101 } as Rec
      }),
      Stream.rechunk(Math.max(1, context.config.chunk)),
      Stream.mapChunksEffect((chunk) =>
        context.config.delay_ms > 0
          ? Effect.sleep(context.config.delay_ms).pipe(Effect.as(chunk))
          : Effect.succeed(chunk)
      )
    )
})

const upper = defineStep({
  id: "test.upper",
  aliases: ["test.upper_alias"],
  description: "Adds the name in capitals.",
  kind: "transform",
  needs: ["test.source"],
  reads: { name: { type: "string", description: "Company name" } },
  writes: { name_upper: { type: "string", description: "Name in capitals" } },
  run: (input) => Stream.map(input, (record) => ({ ...record, name_upper: String(record.name).toUpperCase() }))
})

const score = defineStep({
  id: "test.score",
  description: "Scores each record (0-100) from its size.",
  kind: "transform",
  needs: ["test.source"],
  reads: { size: { type: "integer", description: "A number per record" } },
  writes: { quality_score: { type: "number", description: "0-100" } },
  config: Schema.Struct({ bonus: Int(0) }),
  run: (input, context) =>
    Stream.map(input, (record) => ({
      ...record,
      quality_score: Math.min(100, Number(record.size) + context.config.bonus)
    }))
})

const ExportConfig = Schema.Struct({
  /** Pause between written chunks. @default 0 */
  delay_ms: Int(0),
  /** Rows per written chunk. @default 25 */
  chunk: Int(25),
  /** When set, a file created there once the first chunk is written (lets a test kill mid-write). */
  marker: Schema.optional(Schema.String)
})

/** Writes export/data.csv slowly, chunk by chunk, through the atomic writer. */
const exportStep = defineStep({
  id: "test.export",
  description: "Writes the records as CSV.",
  kind: "sink",
  after: ["*"],
  reads: { name: { type: "string", description: "Company name" } },
  outputs: [
    { path: "export/data.csv", description: "The records as CSV" },
    { path: "export/count.json", description: "Row count" }
  ],
  config: ExportConfig,
  run: (input, context) =>
    Effect.gen(function* () {
      const rows: string[] = []
      yield* Stream.runForEach(input, (record) =>
        Effect.sync(() =>
          rows.push([record.siret, record.name, record.name_upper ?? "", record.quality_score ?? ""].join(","))
        )
      )
      const { delay_ms, chunk, marker } = context.config
      async function* chunks() {
        yield "siret,name,name_upper,quality_score\n"
        for (let start = 0; start < rows.length; start += chunk) {
          yield `${rows.slice(start, start + chunk).join("\n")}\n`
          if (marker && start === 0) writeFileSync(marker, "mid-write")
          if (delay_ms > 0) await Bun.sleep(delay_ms)
        }
      }
      yield* context.writeOutput("export/data.csv", chunks(), { rows: rows.length })
      yield* context.writeOutput("export/count.json", JSON.stringify({ rows: rows.length }))
      yield* context.measure("lines_per_s", 1000)
    })
})

export class Flaky extends Data.TaggedError("Flaky")<{ readonly attempt: number; readonly retryable: boolean }> {}

const flaky = defineStep({
  id: "test.flaky",
  description: "Fails its first `failures` attempts (counted in a file), retryable or not.",
  kind: "transform",
  needs: ["test.source"],
  config: Schema.Struct({
    failures: Int(1),
    retryable: Schema.optionalWith(Schema.Boolean, { default: () => true }),
    counter: Schema.String
  }),
  run: (input, context) =>
    Stream.unwrap(
      Effect.gen(function* () {
        const { counter, failures, retryable } = context.config
        const attempt = (existsSync(counter) ? readFileSync(counter, "utf8").length : 0) + 1
        appendFileSync(counter, "x")
        if (attempt <= failures) return yield* new Flaky({ attempt, retryable })
        return input
      })
    )
})

/** A service with a dependency (the run's budget), built by the plugin's layer, as real steps are. */
export class SpendRequests extends Context.Tag("plugin/test/SpendRequests")<
  SpendRequests,
  StepService<{ readonly per_record: number }>
>() {
  static readonly Live = Layer.effect(
    SpendRequests,
    Effect.map(Budget, (budget) => ({
      run: (input: Stream.Stream<Rec, unknown>, context: { readonly config: { readonly per_record: number } }) =>
        Stream.mapEffect(
          input,
          (record) => budget.acquire("http_requests", context.config.per_record).pipe(Effect.as(record)),
          {
            concurrency: 8
          }
        )
    }))
  )
}

const spend = defineStep({
  id: "test.spend",
  description: "Acquires HTTP request budget for every record, 8 at a time.",
  kind: "transform",
  needs: ["test.source"],
  config: Schema.Struct({ per_record: Int(1) }),
  tag: SpendRequests
})

const sleeper = defineStep({
  id: "test.sleep",
  description: "Sleeps (for wall-time budget tests).",
  kind: "sink",
  config: Schema.Struct({ ms: Int(1000) }),
  run: (_input, context) => Effect.sleep(context.config.ms)
})

export default definePlugin({
  id: "test",
  version: "1.0.0",
  description: "Steps for the core's tests",
  steps: [source, upper, score, exportStep, flaky, spend, sleeper],
  layer: SpendRequests.Live
})

export const fixturesDir = join(import.meta.dir, "..", "..", "fixtures")
