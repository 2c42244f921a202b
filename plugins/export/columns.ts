/**
 * Which fields become dataset columns: every field declared upstream that is not internal, in
 * plan order (identifiers first), so the columns follow the steps' declarations, not the data.
 */
import { Stream } from "effect"
import type { Rec } from "../../core/Record.ts"
import { toAsyncRows } from "../../core/StreamBridge.ts"
import type { DeclaredField, RecordInput } from "../../core/Step.ts"

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

/** Records cut to the dataset columns (absent values as null), as an async iterable for the writers. */
export const projectedRows = (
  input: RecordInput,
  columns: ReadonlyArray<DatasetColumn>,
  keep: (record: Rec) => boolean = () => true
) =>
  toAsyncRows(
    input.pipe(
      Stream.filter(keep),
      Stream.map((record) => {
        const row: Record<string, unknown> = {}
        for (const column of columns) row[column.name] = record[column.name] ?? null
        return row
      })
    )
  )
