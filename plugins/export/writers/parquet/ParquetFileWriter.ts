/**
 * Rows to Parquet file bytes, in order: the magic, then each row group's column chunks as the group
 * fills, then the footer. Each column's values are converted as they are appended and encoded a page at
 * a time (`columnChunk.ts`), so what is held is the current page's rows plus the row group's compressed
 * pages. The bytes depend on the rows, the columns and the row-group size only.
 */
import { fieldReader } from "../../../../core/records/FieldAccess.ts"
import type { ParquetColumn } from "./arrowSchema.ts"
import { ColumnChunkWriter } from "./columnChunk.ts"
import { footer, MAGIC, type RowGroupMetadata } from "./footer.ts"
import { asText, converterOf, invalid, ParquetValueInvalid } from "./values.ts"

/**
 * Rows per data page: pages are compressed as they are cut, so this bounds the uncompressed rows held
 * per column; large enough that page headers and ZSTD frames stay a small part of the file.
 */
export const PAGE_ROWS = 8_192

export class ParquetFileWriter {
  private readonly chunks: ReadonlyArray<ColumnChunkWriter>
  private readonly converters: ReadonlyArray<(value: unknown) => unknown>
  private readonly read: (row: Readonly<Record<string, unknown>>, values: Array<unknown>) => void
  private readonly values: Array<unknown>
  private readonly rowGroups: Array<RowGroupMetadata> = []
  /** File offset of the next byte to write: the magic comes first. */
  private offset = MAGIC.length
  private pageRows = 0
  /** Rows in the row group being built. */
  groupRows = 0
  /** Rows appended in all. */
  rows = 0

  constructor(readonly columns: ReadonlyArray<ParquetColumn>) {
    this.chunks = columns.map((column) => new ColumnChunkWriter(column.name, column.type))
    this.converters = columns.map((column) => converterOf(column.type))
    this.values = new Array(columns.length).fill(null)
    this.read = fieldReader(columns.map((column) => column.name))
  }

  /** The file's first bytes. */
  start(): Uint8Array {
    return MAGIC
  }

  /** Appends one row; a value its column cannot hold throws ParquetValueInvalid (the write fails as a whole). */
  append(row: Readonly<Record<string, unknown>>) {
    // The row's values in column order, read with constant keys (see `fieldReader`).
    const values = this.values
    this.read(row, values)
    for (let i = 0; i < this.chunks.length; i++) {
      const value = values[i]
      if (value === null || value === undefined) {
        this.chunks[i]!.push(null)
        continue
      }
      let converted: unknown
      try {
        converted = this.converters[i]!(value)
      } catch (cause) {
        if (cause !== invalid) throw cause
        const column = this.columns[i]!
        const shown = typeof value === "string" ? JSON.stringify(value) : asText(value)
        throw new ParquetValueInvalid({ column: column.name, type: column.type, row: this.rows, value: shown })
      }
      this.chunks[i]!.push(converted)
    }
    this.rows++
    this.groupRows++
    if (++this.pageRows === PAGE_ROWS) {
      for (const chunk of this.chunks) chunk.cutPage()
      this.pageRows = 0
    }
  }

  /** Ends the row group being built and returns its bytes (none when it holds no row). */
  endRowGroup(): Array<Uint8Array> {
    if (this.groupRows === 0) return []
    const bytes: Array<Uint8Array> = []
    const chunks: Array<RowGroupMetadata["chunks"][number]> = []
    for (const chunk of this.chunks) {
      const offset = this.offset
      const written = chunk.finish(offset)
      for (const part of written.bytes) {
        bytes.push(part)
        this.offset += part.length
      }
      chunks.push({ offset, metadata: written.metadata })
    }
    this.rowGroups.push({ rows: this.groupRows, chunks })
    this.groupRows = 0
    this.pageRows = 0
    return bytes
  }

  /** The footer, after the last row group; the file is complete with it. */
  finish(): Uint8Array {
    return footer(this.columns, this.rowGroups)
  }
}
