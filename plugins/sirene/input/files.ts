/**
 * `--input` paths to typed input files: folders are listed, each file's format comes from its
 * magic bytes and its role from its header.
 */
import { isUtf8 } from "node:buffer"
import { readdir, stat } from "node:fs/promises"
import { basename, join } from "node:path"
import { fieldText, lineText, splitFields } from "../csv/fields.ts"
import type { Reject } from "../scan.ts"
import { csvChunks, detectFormat, type InputFormat, lineBlocks } from "./bytes.ts"
import { parquetInfo, parquetRowBatches } from "./parquet.ts"
import { type Header, HeaderInvalid, recogniseHeader } from "./roles.ts"

export interface InputFile {
  readonly path: string
  readonly format: InputFormat
  readonly header: Header
}

const DATA_FILE = /\.(csv|zip|parquet|txt)$/i

const expand = async (input: string): Promise<string[]> => {
  const info = await stat(input)
  if (!info.isDirectory()) return [input]
  const names = (await readdir(input)).filter((name) => DATA_FILE.test(name) && !name.startsWith(".")).sort()
  return names.map((name) => join(input, name))
}

/** The first line of a CSV input (plain or zipped), without reading further than needed. */
const firstLine = async (file: string, format: InputFormat): Promise<string> => {
  for await (const block of lineBlocks(csvChunks(file, format))) {
    const end = block.indexOf(0x0a)
    return lineText(block, 0, end === -1 ? block.length : end)
  }
  throw new HeaderInvalid(file, "the file is empty: expected a header line")
}

export const listInputs = async (inputs: ReadonlyArray<string>): Promise<InputFile[]> => {
  const files = (await Promise.all(inputs.map(expand))).flat()
  const result: InputFile[] = []
  for (const path of files) {
    const format = await detectFormat(path)
    const headerLine =
      format === "parquet" ? (await parquetInfo(path)).columns.join(",") : await firstLine(path, format)
    result.push({ path, format, header: recogniseHeader(path, headerLine) })
  }
  return result
}

export interface ListedCompany {
  readonly name: string | null
  readonly website: string | null
  readonly file: string
  readonly line: number
}

/** Company lists: SIRET (14 digits, spaces allowed) with optional name and website columns. */
export const readCompanyList = async (
  files: ReadonlyArray<InputFile>
): Promise<{ rows: Map<string, ListedCompany>; rejects: Reject[] }> => {
  const rows = new Map<string, ListedCompany>()
  const rejects: Reject[] = []
  for (const file of files) {
    const { columns, count } = file.header
    const bounds = new Int32Array((count + 1) * 2)
    const quoted = new Uint8Array(count + 1)
    const column = (name: string) => columns.get(name) ?? columns.get(name.toUpperCase())
    const [siretAt, nameAt, websiteAt] = [column("siret")!, column("name"), column("website")]
    if (file.format === "parquet") {
      await readParquetList(file, rows)
      continue
    }
    let line = 0
    for await (const block of lineBlocks(csvChunks(file.path, file.format))) {
      let position = 0
      while (position < block.length) {
        let end = block.indexOf(0x0a, position)
        if (end === -1) end = block.length
        line++
        const reject = (reason: Reject["reason"], detail: string) =>
          rejects.push({ file: file.path, line, reason, detail, siret: "", raw: lineText(block, position, end) })
        if (line > 1 && end > position) {
          const fields = splitFields(block, position, end, bounds, quoted)
          if (fields === "broken_quoting") reject("broken_quoting", "a quote inside an unquoted field")
          else if (fields !== count) reject("wrong_column_count", `${fields} fields, the header has ${count}`)
          else if (!isUtf8(block.subarray(position, end))) reject("invalid_utf8", "bytes that are not UTF-8")
          else {
            const text = (index: number | undefined) => {
              if (index === undefined) return null
              const value = fieldText(block, bounds, quoted, index).trim()
              return value === "" ? null : value
            }
            const siret = (text(siretAt) ?? "").replace(/[\s.]/g, "")
            const entry = { name: text(nameAt), website: text(websiteAt), file: basename(file.path), line }
            const first = rows.get(siret)
            // The first row of a SIRET listed twice is kept; the repeat is a reject, not a silent drop.
            if (first === undefined) rows.set(siret, entry)
            else reject("duplicate_in_list", `SIRET ${siret} is listed again (first on line ${first.line})`)
          }
        }
        position = end + 1
      }
    }
  }
  return { rows, rejects }
}

/** A company list stored as Parquet: the same columns, read row group by row group. */
const readParquetList = async (file: InputFile, rows: Map<string, ListedCompany>) => {
  const names = ["siret", "name", "website"].filter((name) => file.header.columns.has(name))
  let line = 1
  for await (const batch of parquetRowBatches(file.path, names)) {
    for (const row of batch) {
      line++
      const text = (value: string | null | undefined) => (value?.trim() ? value.trim() : null)
      const siret = (row.siret ?? "").replace(/[\s.]/g, "")
      if (!rows.has(siret))
        rows.set(siret, { name: text(row.name), website: text(row.website), file: basename(file.path), line })
    }
  }
}
