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

/** Records cut to the dataset columns (absent values as null). */
export const projectedStream = (
  input: RecordInput,
  columns: ReadonlyArray<DatasetColumn>,
  keep: (record: Rec) => boolean = () => true
) =>
  input.pipe(
    Stream.filter(keep),
    Stream.map((record) => {
      const row: Record<string, unknown> = {}
      for (const column of columns) row[column.name] = record[column.name] ?? null
      return row
    })
  )

/**
 * Writes the same rows as CSV and Parquet from one pass over the input (both writers pull from a
 * bounded broadcast), and records both outputs.
 */
export const writeDatasetPair = (
  context: StepContext<unknown>,
  input: RecordInput,
  columns: ReadonlyArray<DatasetColumn>,
  paths: { readonly csv: string; readonly parquet: string },
  keep?: (record: Rec) => boolean
) =>
  Effect.gen(function* () {
    let rows = 0
    yield* fanOut(projectedStream(input, columns, keep), [
      async (stream) => {
        rows = (await writeParquet(context.path(paths.parquet), columns, stream)).rows
      },
      async (stream) => {
        await Effect.runPromise(writeAtomic(context.path(paths.csv), csvChunks(columns, stream)))
      }
    ])
    const meta = { rows, schema: columns.map((column) => column.name) }
    const parquetOut = yield* context.recordOutput(paths.parquet, meta)
    const csvOut = yield* context.recordOutput(paths.csv, meta)
    return { parquetOut, csvOut, rows: meta.rows }
  })
