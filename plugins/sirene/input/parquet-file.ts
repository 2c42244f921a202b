/**
 * A Parquet file opened for hyparquet: range reads on one file handle (only the requested columns' chunks leave the
 * disk), its metadata and info, the requested columns resolved against its schema, and the codecs it can decode.
 */
import { type FileHandle, open } from "node:fs/promises"
import { brotliDecompressSync, gunzipSync, zstdDecompressSync } from "node:zlib"
import { type AsyncBuffer, type Compressors, type FileMetaData, parquetMetadataAsync, parquetSchema } from "hyparquet"
import { InputUnreadable } from "./bytes.ts"
import { type Format, formatOf, isDecimal, parsers } from "./parquet-values.ts"

export interface ParquetInfo {
  /** Top-level column names from the schema, trimmed, in file order. */
  readonly columns: ReadonlyArray<string>
  readonly rows: number
  readonly rowGroups: number
  /** Rows of each row group, in file order. */
  readonly rowGroupRows: ReadonlyArray<number>
}

/** Codecs this reader decodes: snappy by hyparquet itself, the others by node:zlib (native). */
export const compressors: Compressors = {
  ZSTD: (input) => zstdDecompressSync(input),
  GZIP: (input) => gunzipSync(input),
  BROTLI: (input) => brotliDecompressSync(input)
}
const READABLE_CODECS = new Set(["UNCOMPRESSED", "SNAPPY", "ZSTD", "GZIP", "BROTLI"])

/** Reads exactly [start, end) at a position: the only way bytes leave the disk. */
const readRange = async (handle: FileHandle, start: number, end: number): Promise<ArrayBuffer> => {
  const bytes = new Uint8Array(end - start)
  let done = 0
  while (done < bytes.length) {
    const { bytesRead } = await handle.read(bytes, done, bytes.length - done, start + done)
    if (bytesRead === 0)
      throw new Error(`the file ends at byte ${start + done}, before the ${end} its metadata points to`)
    done += bytesRead
  }
  return bytes.buffer
}

export interface Source {
  readonly handle: FileHandle
  readonly buffer: AsyncBuffer
  /** Ranges read for the current row group, so its slices share one read; cleared between groups. */
  readonly cache: Map<string, Promise<ArrayBuffer>>
}

export const openSource = async (file: string): Promise<Source> => {
  const handle = await open(file, "r")
  try {
    const { size } = await handle.stat()
    const cache = new Map<string, Promise<ArrayBuffer>>()
    const buffer: AsyncBuffer = {
      byteLength: size,
      slice: (start, end = size) => {
        const key = `${start}:${end}`
        let bytes = cache.get(key)
        if (!bytes) {
          bytes = readRange(handle, start, end)
          cache.set(key, bytes)
        }
        return bytes
      }
    }
    return { handle, buffer, cache }
  } catch (error) {
    await handle.close()
    throw error
  }
}

export const reason = (error: unknown) => (error instanceof Error ? error.message : String(error))

export const readMetadata = async (file: string, source: Source): Promise<FileMetaData> => {
  try {
    return await parquetMetadataAsync(source.buffer, { parsers, geoparquet: false })
  } catch (error) {
    throw new InputUnreadable(file, `not a readable Parquet file: ${reason(error)}`)
  } finally {
    source.cache.clear()
  }
}

/** Top-level schema elements with their name as stored and trimmed. */
const topLevel = (metadata: FileMetaData) =>
  parquetSchema(metadata).children.map((child) => ({
    stored: child.element.name,
    name: child.element.name.trim(),
    element: child.element,
    nested: child.children.length > 0
  }))

export const parquetInfo = async (file: string): Promise<ParquetInfo> => {
  const source = await openSource(file)
  try {
    const metadata = await readMetadata(file, source)
    return {
      columns: topLevel(metadata).map((column) => column.name),
      rows: Number(metadata.num_rows),
      rowGroups: metadata.row_groups.length,
      rowGroupRows: metadata.row_groups.map((group) => Number(group.num_rows))
    }
  } finally {
    await source.handle.close()
  }
}

export interface Field {
  /** The name asked for (trimmed), as rows carry it. */
  readonly name: string
  /** The name in the file's schema. */
  readonly stored: string
  readonly format: Format
}

/**
 * The requested columns, resolved against the schema. DECIMAL columns lose their annotation on
 * this metadata copy so hyparquet hands over the unscaled integers (it would make them floats,
 * 0.3 as 0.30000000000000004); they are written exactly here.
 */
export const project = (file: string, metadata: FileMetaData, columns: ReadonlyArray<string>): Field[] => {
  const byName = new Map<string, ReturnType<typeof topLevel>[number]>()
  for (const column of topLevel(metadata)) if (!byName.has(column.name)) byName.set(column.name, column)
  const missing = columns.filter((name) => !byName.has(name.trim()))
  if (missing.length > 0) {
    throw new InputUnreadable(file, `no column ${missing.join(", ")} in this Parquet file`)
  }
  const fields: Field[] = []
  const seen = new Set<string>()
  for (const requested of columns) {
    const column = byName.get(requested.trim())!
    if (seen.has(column.name)) continue
    seen.add(column.name)
    if (column.nested) throw new InputUnreadable(file, `column ${column.name} is nested (a struct, list or map)`)
    const { element } = column
    let scale: number | undefined
    if (isDecimal(element)) {
      scale = element.scale ?? (element.logical_type?.type === "DECIMAL" ? element.logical_type.scale : 0)
      element.converted_type = undefined
      element.logical_type = undefined
    }
    fields.push({ name: column.name, stored: column.stored, format: formatOf(element, scale) })
  }
  return fields
}

/** Column chunks compressed with a codec this reader lacks are refused before any decoding. */
export const checkCodecs = (file: string, metadata: FileMetaData, group: number, stored: ReadonlySet<string>) => {
  for (const chunk of metadata.row_groups[group]?.columns ?? []) {
    const meta = chunk.meta_data
    if (!meta || !stored.has(meta.path_in_schema[0] ?? "")) continue
    if (!READABLE_CODECS.has(meta.codec)) {
      throw new InputUnreadable(
        file,
        `column ${meta.path_in_schema.join(".")} is compressed with ${meta.codec}; readable codecs: ${[...READABLE_CODECS].join(", ")} (re-encode the file, e.g. with DuckDB COPY ... (FORMAT parquet, COMPRESSION zstd))`
      )
    }
  }
}
