/**
 * Which fields become dataset columns: every field declared upstream that is not internal, in
 * plan order (identifiers first), so the columns follow the steps' declarations, not the data.
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { writeAtomic } from "../../core/AtomicFile.ts"
import type { Rec } from "../../core/Record.ts"
import type { DeclaredField, RecordInput, StepContext } from "../../core/Step.ts"
import { fanOut } from "../../core/StreamBridge.ts"
import { csvChunks } from "./writers/csv.ts"
import { writeParquet } from "./writers/lazy-parquet.ts"

export interface DatasetColumn {
  readonly name: string
  readonly type: DeclaredField["spec"]["type"]
  readonly description: string
  readonly personal: boolean
  readonly step: string
}

const FIRST = ["siret", "siren"]

export const datasetColumns = (fields: ReadonlyArray<DeclaredField>): DatasetColumn[] => {
  const columns = fields
    .filter((field) => !field.spec.internal)
    .map((field) => ({
      name: field.name,
      type: field.spec.type,
      description: field.spec.description,
      personal: field.spec.personal === true,
      step: field.step
    }))
  const rank = (name: string) => (FIRST.includes(name) ? FIRST.indexOf(name) : FIRST.length)
  return columns
    .map((column, index) => ({ column, index }))
    .sort((a, b) => rank(a.column.name) - rank(b.column.name) || a.index - b.index)
    .map(({ column }) => column)
}

/** A record cut to the dataset columns (absent values as null). */
const projectRecord = (record: Rec, columns: ReadonlyArray<DatasetColumn>) => {
  const row: Record<string, unknown> = {}
  for (const column of columns) row[column.name] = record[column.name] ?? null
  return row
}

async function* project(records: AsyncIterable<Rec>, columns: ReadonlyArray<DatasetColumn>) {
  for await (const record of records) yield projectRecord(record, columns)
}

/** Records cut to the dataset columns (absent values as null). */
export const projectedStream = (
  input: RecordInput,
  columns: ReadonlyArray<DatasetColumn>,
  keep: (record: Rec) => boolean = () => true
) =>
  input.pipe(
    Stream.filter(keep),
    Stream.map((record) => projectRecord(record, columns))
  )

/**
 * Stages whose steps enrich records from the web: their fields go to dataset_enriched only, so that
 * dataset.{csv,parquet} keeps the registry columns whatever the profile (third-party enrichers
 * named `enrich.*`, `parse.*`… join in by their stage).
 */
const ENRICHMENT_STAGES = new Set([
  "http",
  "enrich",
  "crawl",
  "headless",
  "parse",
  "feeds",
  "pdf",
  "correlation",
  "scraper"
])

/** True for a field written by an enrichment step (the step as the profile names it, e.g. `enrich.email`). */
export const isEnrichment = (column: Pick<DatasetColumn, "step">) =>
  ENRICHMENT_STAGES.has(column.step.split(".")[0] ?? "")

export interface DatasetFiles {
  readonly columns: ReadonlyArray<DatasetColumn>
  readonly csv: string
  readonly parquet: string
}

/**
 * Writes each dataset as CSV and Parquet from one pass over the input (every writer pulls from a
 * bounded broadcast), and records the outputs.
 */
export const writeDatasets = (
  context: StepContext<unknown>,
  input: RecordInput,
  datasets: ReadonlyArray<DatasetFiles>,
  keep: (record: Rec) => boolean = () => true
) =>
  Effect.gen(function* () {
    const rows = datasets.map(() => 0)
    const kept = input.pipe(Stream.filter(keep))
    yield* fanOut(
      kept,
      datasets.flatMap((dataset, index) => [
        async (records: AsyncIterable<Rec>) => {
          const written = await writeParquet(
            context.path(dataset.parquet),
            dataset.columns,
            project(records, dataset.columns)
          )
          rows[index] = written.rows
        },
        async (records: AsyncIterable<Rec>) => {
          await Effect.runPromise(
            writeAtomic(context.path(dataset.csv), csvChunks(dataset.columns, project(records, dataset.columns)))
          )
        }
      ])
    )
    const written = []
    for (const [index, dataset] of datasets.entries()) {
      const meta = { rows: rows[index]!, schema: dataset.columns.map((column) => column.name) }
      const parquetOut = yield* context.recordOutput(dataset.parquet, meta)
      const csvOut = yield* context.recordOutput(dataset.csv, meta)
      written.push({ parquetOut, csvOut, rows: meta.rows })
    }
    return written
  })

/** One dataset as CSV and Parquet. */
export const writeDatasetPair = (
  context: StepContext<unknown>,
  input: RecordInput,
  columns: ReadonlyArray<DatasetColumn>,
  paths: { readonly csv: string; readonly parquet: string },
  keep?: (record: Rec) => boolean
) => writeDatasets(context, input, [{ columns, ...paths }], keep).pipe(Effect.map((written) => written[0]!))
