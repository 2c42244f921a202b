/**
 * Helpers for the `quick` profile tests, written independently of the product's code: a plain RFC 4180
 * parser, the SIREN/SIRET check digits (SIRENE.md §5), the job filters in a few lines, and small file
 * utilities. Nothing here imports the product, so a product bug cannot hide behind its own oracle.
 */
import { mkdtemp, readdir, readFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, relative, resolve } from "node:path"
import { parse as parseYaml } from "yaml"

export const ROOT = resolve(import.meta.dir, "..", "..", "..")

/** The steps of profiles/quick.yaml, as the file lists them. */
export const quickSteps = async (): Promise<string[]> => {
  const profile = parseYaml(await readFile(join(ROOT, "profiles/quick.yaml"), "utf8")) as { steps: string[] }
  return profile.steps
}

export const tempDir = (label: string) => mkdtemp(join(tmpdir(), `filon-quick-${label}-`))

// ---------------------------------------------------------------------------------------------------------------------
// CSV

/** A parsed field: a string, or null for an unquoted empty field (a quoted empty field is ""). */
export type Field = string | null

export class CsvSyntaxError extends Error {}

/**
 * Parses RFC 4180 text ("\n" line ends) into records. Throws CsvSyntaxError on a quote inside an
 * unquoted field, an unterminated quoted field, or anything but a comma or a line end after a closing
 * quote. A final line end does not open an empty record.
 */
export const parseCsv = (text: string): Field[][] => {
  const records: Field[][] = []
  if (text === "") return records
  const n = text.length
  let record: Field[] = []
  let i = 0
  for (;;) {
    if (text.charCodeAt(i) === 0x22) {
      let value = ""
      i++
      for (;;) {
        const quote = text.indexOf('"', i)
        if (quote === -1) throw new CsvSyntaxError("unterminated quoted field")
        value += text.slice(i, quote)
        if (text.charCodeAt(quote + 1) === 0x22) {
          value += '"'
          i = quote + 2
        } else {
          i = quote + 1
          break
        }
      }
      record.push(value)
    } else {
      let j = i
      while (j < n) {
        const c = text.charCodeAt(j)
        if (c === 0x2c || c === 0x0a) break
        if (c === 0x22) throw new CsvSyntaxError("quote inside an unquoted field")
        j++
      }
      record.push(j === i ? null : text.slice(i, j))
      i = j
    }
    if (i >= n) {
      records.push(record)
      return records
    }
    const c = text.charCodeAt(i)
    if (c === 0x2c) {
      i++
      continue
    }
    if (c === 0x0a) {
      records.push(record)
      record = []
      i++
      if (i >= n) return records
      continue
    }
    throw new CsvSyntaxError(`unexpected character after a quoted field at ${i}`)
  }
}

/** A CSV document as header + rows of named fields. */
export const readCsvTable = async (path: string) => {
  const [header, ...rows] = parseCsv(await readFile(path, "utf8"))
  const names = (header ?? []).map((name) => name ?? "")
  return {
    header: names,
    rows: rows.map(
      (row) => Object.fromEntries(names.map((name, i) => [name, row[i] ?? null])) as Record<string, Field>
    ),
    widths: rows.map((row) => row.length)
  }
}

export interface StockLine {
  /** 1-based line number (header = 1). */
  readonly line: number
  /** The fields, or null when this parser finds the line malformed (bytes, quoting or column count). */
  readonly fields: ReadonlyArray<string> | null
  /** Why the line is malformed, when it is. */
  readonly problem: "invalid_utf8" | "quoting" | "column_count" | null
  /** The line decoded with replacement characters, for lines whose bytes are not UTF-8. */
  readonly lossy: string
}

export interface Stock {
  readonly header: ReadonlyArray<string>
  readonly column: (name: string) => number
  readonly lines: ReadonlyArray<StockLine>
}

const strict = new TextDecoder("utf-8", { fatal: true })
const lenient = new TextDecoder("utf-8")

/** Reads a stock file line by line (one record per line, as the published files are). */
export const readStock = async (path: string): Promise<Stock> => {
  const bytes = await Bun.file(path).bytes()
  const lines: StockLine[] = []
  let header: string[] = []
  let start = 0
  let number = 0
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start)
    if (end === -1) end = bytes.length
    number++
    const slice = bytes.subarray(start, end)
    start = end + 1
    const lossy = lenient.decode(slice)
    let text: string | null
    try {
      text = strict.decode(slice)
    } catch {
      text = null
    }
    if (number === 1) {
      header = (parseCsv(text ?? "")[0] ?? []).map((name) => name ?? "")
      continue
    }
    if (text === null) {
      lines.push({ line: number, fields: null, problem: "invalid_utf8", lossy })
      continue
    }
    let record: Field[] | undefined
    try {
      const records = parseCsv(text)
      record = records.length === 1 ? records[0] : undefined
    } catch {
      lines.push({ line: number, fields: null, problem: "quoting", lossy })
      continue
    }
    if (record === undefined || record.length !== header.length) {
      lines.push({ line: number, fields: null, problem: "column_count", lossy })
      continue
    }
    lines.push({ line: number, fields: record.map((field) => field ?? ""), problem: null, lossy })
  }
  const index = new Map(header.map((name, i) => [name, i]))
  const column = (name: string) => {
    const at = index.get(name)
    if (at === undefined) throw new Error(`no column ${name} in ${path}`)
    return at
  }
  return { header, column, lines }
}

// ---------------------------------------------------------------------------------------------------------------------
// Check digits (SIRENE.md §5)

const luhnSum = (digits: string) => {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i])
    if (i % 2 === 1) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
  }
  return sum
}

export const validSiren = (siren: string) => /^\d{9}$/.test(siren) && luhnSum(siren) % 10 === 0

/** Luhn, or for La Poste (SIREN 356000000) a digit sum that is a multiple of 5. */
export const validSiret = (siret: string) => {
  if (!/^\d{14}$/.test(siret)) return false
  if (luhnSum(siret) % 10 === 0) return true
  return siret.startsWith("356000000") && [...siret].reduce((sum, digit) => sum + Number(digit), 0) % 5 === 0
}

// ---------------------------------------------------------------------------------------------------------------------
// Filters (CONTRACTS.md, "Job file")

export interface Filters {
  readonly naf_include?: ReadonlyArray<string>
  readonly naf_exclude?: ReadonlyArray<string>
  readonly departments?: ReadonlyArray<string>
  readonly regions?: ReadonlyArray<string>
  readonly headcount?: ReadonlyArray<string>
  readonly active_only?: boolean
  readonly created_after?: string
}

/** INSEE regions the tests use, with their departments. */
const REGION_DEPARTMENTS: Readonly<Record<string, ReadonlyArray<string>>> = {
  "11": ["75", "77", "78", "91", "92", "93", "94", "95"],
  "94": ["2A", "2B"]
}

/** "75056" -> "75", "2A004" -> "2A", "97105" -> "971". */
export const departmentOf = (commune: string) =>
  commune.length < 5
    ? ""
    : commune.startsWith("97") || commune.startsWith("98")
      ? commune.slice(0, 3)
      : commune.slice(0, 2)

/** Whether an establishment line passes the job's filters (the legal unit's state is checked apart). */
export const establishmentMatches = (get: (name: string) => string, filters: Filters) => {
  const include = filters.naf_include ?? []
  const exclude = filters.naf_exclude ?? []
  if (include.length > 0 || exclude.length > 0) {
    if (get("nomenclatureActivitePrincipaleEtablissement") !== "NAFRev2") return false
    const naf = get("activitePrincipaleEtablissement")
    if (include.length > 0 && !include.some((code) => naf.startsWith(code))) return false
    if (exclude.some((code) => naf.startsWith(code))) return false
  }
  if (filters.active_only && get("etatAdministratifEtablissement") !== "A") return false
  const places = [
    ...(filters.departments ?? []),
    ...(filters.regions ?? []).flatMap((region) => {
      const departments = REGION_DEPARTMENTS[region]
      if (!departments) throw new Error(`the test knows no region ${region}`)
      return departments
    })
  ]
  if (places.length > 0 && !places.includes(departmentOf(get("codeCommuneEtablissement")))) return false
  if ((filters.headcount?.length ?? 0) > 0 && !filters.headcount!.includes(get("trancheEffectifsEtablissement")))
    return false
  if (filters.created_after !== undefined) {
    const created = get("dateCreationEtablissement")
    if (created === "" || created < filters.created_after) return false
  }
  return true
}

// ---------------------------------------------------------------------------------------------------------------------
// Files

export const sha256Of = async (path: string) =>
  new Bun.CryptoHasher("sha256").update(await Bun.file(path).bytes()).digest("hex")

/** Every file under `dir`, as paths relative to it. */
export const filesUnder = async (dir: string) =>
  (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort()

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs `bun cli/main.ts ...args` from the repository root with the same Bun as the tests. */
export const cli = async (args: ReadonlyArray<string>): Promise<CliResult> => {
  const child = Bun.spawn([process.execPath, "cli/main.ts", ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe" })
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited
  ])
  return { code, stdout, stderr }
}
