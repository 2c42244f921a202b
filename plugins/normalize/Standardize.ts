/**
 * `normalize.standardize`: registry rows to the normalised fields of CONTRACTS.md. Rows that
 * cannot be used (rejected by the collector, or failing their checksums here) go to
 * normalized/rejects.csv with file, line and reason; nothing is dropped silently.
 *
 * One streaming pass over the input: the kept records go to the runner and, through a bounded
 * broadcast, to normalized.parquet; rejects and figures are gathered on the way and written at the
 * end. Standardising is cheap; holding rows is not.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { isFilled } from "../../core/Kpi.ts"
import type { Rec } from "../../core/Record.ts"
import { defineStep, type FieldMap, type RecordInput, type StepContext } from "../../core/Step.ts"
import { toAsyncRows } from "../../core/StreamBridge.ts"
import { loadSuppression } from "../export/Suppression.ts"
import { csvChunks } from "../export/writers/csv.ts"
import { writeParquet } from "../export/writers/parquet.ts"
import type { RawEstablishment } from "./rules/raw.ts"
import { NORMALIZED_FIELDS, type NormalizedFields, standardize } from "./rules/standardize.ts"

export const NORMALIZED = "normalized/normalized.parquet"
export const REJECTS = "normalized/rejects.csv"
export const SUMMARY = "reports/standardize_summary.json"

/** Fields that pass through unchanged (a company list's website, provenance of the row). */
const PASS_THROUGH = ["website", "input_name", "source_file", "source_line"] as const

export const writes: FieldMap = {
  ...(Object.fromEntries(Object.entries(NORMALIZED_FIELDS).map(([name, spec]) => [name, { ...spec }])) as FieldMap),
  website: {
    type: "string",
    description: "Company website: as given in a company-list input, until enrichment finds one"
  }
}

const normalizedColumns = Object.entries(NORMALIZED_FIELDS).map(([name, spec]) => ({ name, type: spec.type }))

const REJECT_COLUMNS = [
  { name: "file", type: "string" as const },
  { name: "line", type: "integer" as const },
  { name: "reason", type: "string" as const },
  { name: "detail", type: "string" as const },
  { name: "siret", type: "string" as const },
  { name: "raw", type: "string" as const }
]

const WITHHELD = "withheld: the company is on the job's suppression list"

type Outcome =
  | { readonly kind: "kept"; readonly record: Rec }
  | { readonly kind: "rejected"; readonly reject: Record<string, unknown> }

/** One input record to a normalised record, or a reject with where it came from. */
const normalizeOne = (record: Rec): Outcome => {
  const where = { file: record.source_file ?? null, line: record.source_line ?? null }
  if (typeof record.reject_reason === "string") {
    return {
      kind: "rejected",
      reject: {
        ...where,
        reason: record.reject_reason,
        detail: record.reject_detail ?? null,
        siret: record.siret || null,
        raw: record.reject_raw ?? null
      }
    }
  }
  const result = standardize(record as RawEstablishment)
  if (!result.ok) {
    return {
      kind: "rejected",
      reject: { ...where, reason: result.reason, detail: result.detail, siret: record.siret ?? null, raw: null }
    }
  }
  const fields: Record<string, unknown> = { ...result.record }
  // A company-list row unknown to the registry still has the name it was given.
  // Never for a partially diffusible unit: the name the registry withholds must not come back this way.
  if (fields.name === null && typeof record.input_name === "string" && fields.diffusion !== "P") {
    fields.name = record.input_name
  }
  for (const key of PASS_THROUGH) if (record[key] !== undefined) fields[key] = record[key]
  return { kind: "kept", record: fields }
}

/**
 * One pass: records go to the runner and, through a bounded broadcast, to the Parquet writer;
 * rejects and figures are gathered on the way, and the step's files are finished at the end.
 */
const standardizeAll = (input: RecordInput, context: StepContext<unknown>) =>
  Effect.gen(function* () {
    const started = performance.now()
    const counts = { in: 0, out: 0 }
    const rejectsByReason: Record<string, number> = {}
    const rejects: Array<Record<string, unknown>> = []
    const filled = new Map<string, number>(normalizedColumns.map((column) => [column.name, 0]))
    // Counting in one synchronous loop per chunk: a per-record Effect would cost more than the rule itself.
    const kept = input.pipe(
      Stream.mapChunks((chunk) => {
        const out: Rec[] = []
        for (const record of chunk) {
          const outcome = normalizeOne(record)
          counts.in++
          if (outcome.kind === "rejected") {
            rejects.push(outcome.reject)
            const reason = String(outcome.reject.reason)
            rejectsByReason[reason] = (rejectsByReason[reason] ?? 0) + 1
            continue
          }
          counts.out++
          for (const column of normalizedColumns) {
            if (isFilled(outcome.record[column.name])) filled.set(column.name, filled.get(column.name)! + 1)
          }
          out.push(outcome.record)
        }
        return Chunk.unsafeFromArray(out)
      })
    )
    const [toRunner, toParquet] = yield* Stream.broadcast(kept, 2, 16)
    const writer = yield* Effect.fork(
      Effect.tryPromise({
        try: () => writeParquet(context.path(NORMALIZED), normalizedColumns, toAsyncRows(toParquet)),
        catch: (error) => error
      })
    )
    const finish = Effect.gen(function* () {
      const parquet = yield* Fiber.join(writer)
      yield* finishFiles(parquet.rows)
    })
    const finishFiles = (parquetRows: number) =>
      Effect.gen(function* () {
        yield* context.recordOutput(NORMALIZED, {
          rows: parquetRows,
          schema: normalizedColumns.map((column) => column.name)
        })
        // A company on the job's suppression list keeps its reject line (nothing vanishes from the
        // counts), without its SIRET or raw content: rejects.csv is a file of the run like any export.
        const suppression = yield* loadSuppression(context)
        const withheld = suppression.empty
          ? rejects
          : rejects.map((reject) =>
              typeof reject.siret === "string" && suppression.suppressesCompany({ siret: reject.siret })
                ? { ...reject, siret: null, raw: null, detail: WITHHELD }
                : reject
            )
        yield* context.writeOutput(REJECTS, csvChunks(REJECT_COLUMNS, withheld), { rows: rejects.length })
        const seconds = (performance.now() - started) / 1000
        const linesPerSecond = Math.round(counts.in / Math.max(seconds, 1e-6))
        const summary = {
          lines_in: counts.in,
          lines_out: counts.out,
          rejected: rejects.length,
          lines_per_s: linesPerSecond,
          rejects_by_reason: Object.fromEntries(Object.entries(rejectsByReason).sort(([a], [b]) => (a < b ? -1 : 1))),
          fill_rates: Object.fromEntries(
            normalizedColumns.map((column) => [
              column.name,
              counts.out ? Math.round((filled.get(column.name)! / counts.out) * 10_000) / 10_000 : 0
            ])
          )
        }
        // The summary is a report: its speed figure varies run to run, unlike the dataset files.
        yield* context.writeOutput(SUMMARY, `${JSON.stringify(summary, null, 2)}\n`)
        yield* context.measure("standardize_lines_per_s", linesPerSecond)
        yield* context.measure("rejected_rows", rejects.length)
        if (rejects.length > 0)
          yield* context.log(`${rejects.length} rows rejected (see ${REJECTS})`, {
            by_reason: summary.rejects_by_reason
          })
      })
    return toRunner.pipe(Stream.concat(Stream.drain(Stream.fromEffect(finish))))
  })

export const standardizeStep = defineStep({
  id: "normalize.standardize",
  description:
    "Names, address, checksums, NAF code and label, department and region, headcount label, ISO dates; rejects with reasons.",
  kind: "transform",
  needs: [],
  after: ["dumps.collect", "api.collect"],
  // The suppression list decides what rejects.csv may show; the rest of the job does not matter here.
  readsJobFiles: true,
  reads: { siret: { type: "string", description: "Establishment identifier" } },
  writes,
  outputs: [
    { path: NORMALIZED, description: "The normalised establishments (Parquet)" },
    { path: REJECTS, description: "Rows that could not be used: file, line, reason, detail, siret, raw line" },
    { path: SUMMARY, description: "Lines in and out, lines per second, rejects by reason, fill rates" }
  ],
  run: (input, context) => Stream.unwrapScoped(standardizeAll(input, context))
})

export type { NormalizedFields }
