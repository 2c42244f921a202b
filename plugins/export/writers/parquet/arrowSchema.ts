/**
 * The `ARROW:schema` entry of a Parquet footer: the Arrow IPC schema message, base64, as parquet-rs and
 * pyarrow write it. Arrow readers (parquet-wasm, pyarrow, polars) take the columns' Arrow types and
 * field metadata from it: each field's declared FieldType (FIELD_TYPE_KEY, so JSON columns can be parsed
 * back) and its description.
 */
import type { FieldType } from "../../../../core/Step.ts"
import { type ArrowType, type IpcField, schemaMessage } from "./arrowIpcSchema.ts"
import { FIELD_TYPE_KEY } from "./values.ts"

export interface ParquetColumn {
  readonly name: string
  readonly type: FieldType
  /** Kept as the Arrow field's `description` metadata. */
  readonly description?: string
}

// integer -> Int64 rather than Int32: counts and identifiers (a SIREN fits 32 bits, a SIRET does not)
// stay exact without a per-column choice. object/object[] -> Utf8 holding compact JSON: Parquet has no
// schemaless type and JSON text reads everywhere (DuckDB: `json(col)`); FIELD_TYPE_KEY marks those columns.
export const arrowType = (type: FieldType): ArrowType => {
  switch (type) {
    case "integer":
      return "int64"
    case "number":
      return "float64"
    case "boolean":
      return "bool"
    case "date":
      return "date32"
    case "datetime":
      return "timestamp_ms_utc"
    case "string[]":
      return "list_utf8"
    default:
      return "utf8"
  }
}

/** The Arrow fields of the columns: every field nullable, with its FieldType and description as metadata. */
export const ipcFields = (columns: ReadonlyArray<ParquetColumn>): Array<IpcField> =>
  columns.map((column) => ({
    name: column.name,
    type: arrowType(column.type),
    metadata:
      column.description === undefined
        ? [[FIELD_TYPE_KEY, column.type]]
        : [
            [FIELD_TYPE_KEY, column.type],
            ["description", column.description]
          ]
  }))

export const ARROW_SCHEMA_KEY = "ARROW:schema"

/** The footer value of ARROW_SCHEMA_KEY for these columns. */
export const arrowSchemaValue = (columns: ReadonlyArray<ParquetColumn>): string =>
  Buffer.from(schemaMessage(ipcFields(columns))).toString("base64")
