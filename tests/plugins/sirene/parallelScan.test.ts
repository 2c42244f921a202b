/**
 * The two-halves scans (main thread + worker) against the single-thread scans on a generated stock:
 * same rows, line numbers, rejects, legal units and counts; where the cut falls; when the worker is
 * used; and worker failures that reject instead of hanging.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import { rm, stat } from "node:fs/promises"
import { join } from "node:path"
import { ETABLISSEMENT_FILE, generateStock, type MalformedRow } from "../../../bench/sirene/generate.ts"
import { columnIndexOf, compileFilter } from "../../../plugins/sirene/filters.ts"
import { splitPoint } from "../../../plugins/sirene/input/bytes.ts"
import { type InputFile, listInputs } from "../../../plugins/sirene/input/files.ts"
import type { JoinedUnits } from "../../../plugins/sirene/joinedUnits.ts"
import type { KeptRows } from "../../../plugins/sirene/keptRows.ts"
import {
  type ScanWorker,
  scanEstablishmentsParallel,
  scanLegalUnitsParallel,
  startScanWorker
} from "../../../plugins/sirene/parallel/parallelScan.ts"
import { type Reject, scanEstablishments, scanLegalUnits } from "../../../plugins/sirene/scan.ts"
import {
  establishment,
  establishmentsCsv,
  legalUnit,
  legalUnitsCsv,
  sirenOf,
  siretOf,
  tempDir,
  writeInputs,
  zipOf
} from "./support.ts"

/** Forces the parallel path whatever the file's size. */
const ALWAYS = { parallelThreshold: 0 }
const NAF_FILTER = { naf_include: ["62.02A"], active_only: true }
const A = sirenOf("40000001")

let base: string
let establishments: InputFile
let legalUnits: InputFile
let malformed: ReadonlyArray<MalformedRow>
let worker: ScanWorker

beforeAll(async () => {
  base = await tempDir()
  const generated = await generateStock({ establishments: 200_000, seed: 20251124, dir: join(base, "stock") })
  malformed = generated.malformed
  const files = await listInputs([join(base, "stock")])
  establishments = files.find((file) => file.header.role === "establishments")!
  legalUnits = files.find((file) => file.header.role === "legal_units")!
  worker = startScanWorker()
})

afterAll(async () => {
  worker.close()
  await rm(base, { recursive: true, force: true })
})

/** Both scans of an establishments file, with the job filters given (null: no filter at all). */
const bothEstablishmentScans = async (file: InputFile, filters: Record<string, unknown> | null) => {
  const columnIndex = columnIndexOf(file.header)
  const filter = filters === null ? null : compileFilter(filters, columnIndex, () => [])
  const options = { file: file.path, format: file.format, header: file.header, filter }
  const singleStats = { lines: 0, bytes: 0 }
  const one = await scanEstablishments({ ...options, stats: singleStats })
  const parallelStats = { lines: 0, bytes: 0 }
  const two = await scanEstablishmentsParallel(worker, {
    ...options,
    filters: filters ?? undefined,
    columnIndex,
    stats: parallelStats,
    ...ALWAYS
  })
  return { one, two, singleStats, parallelStats }
}

/** The rows of a scan, decoded (which hands each out: a scan's rows are read once). */
const rowsOf = (kept: KeptRows) => [...kept].map((row) => [row.file, row.line, row.siren, row.fields()])
const unitsOf = (units: JoinedUnits) => [...units.entries()].map(([siren, fields]) => [siren, fields()])

/** Same items in the same order; compared as JSON (toEqual takes seconds on 200,000 rows), the first difference shown. */
const expectSame = (actual: ReadonlyArray<unknown>, expected: ReadonlyArray<unknown>) => {
  const json = (items: ReadonlyArray<unknown>) => items.map((item) => JSON.stringify(item))
  const [a, b] = [json(actual), json(expected)]
  const first = a.findIndex((item, i) => item !== b[i])
  expect(first === -1 ? null : { index: first, actual: a[first], expected: b[first] }).toBeNull()
  expect(a.length).toBe(b.length)
}
const rejectLines = (rejects: Iterable<Reject>) => [...rejects].map((reject) => reject.line)

describe("scanEstablishmentsParallel", () => {
  it("keeps what the single-thread scan keeps, with the same line numbers, filtered on NAF", async () => {
    const { one, two, singleStats, parallelStats } = await bothEstablishmentScans(establishments, NAF_FILTER)
    expect(one.kept.length).toBeGreaterThan(100)
    expectSame(rowsOf(two.kept), rowsOf(one.kept))
    expect(two.rejects).toEqual(one.rejects)
    expect(parallelStats).toEqual(singleStats)
    expect(singleStats.lines).toBe(200_000)
  })

  it("rejects the same malformed lines, at their line in the file, when every line is split", async () => {
    const { one, two, singleStats, parallelStats } = await bothEstablishmentScans(establishments, null)
    expectSame(rowsOf(two.kept), rowsOf(one.kept))
    expect(two.rejects).toEqual(one.rejects)
    expect(parallelStats).toEqual(singleStats)
    // The second half's rejects are there, numbered from the top of the file.
    const broken = new Set(malformed.filter((row) => row.file === ETABLISSEMENT_FILE).map((row) => row.line))
    const lines = rejectLines(two.rejects)
    expect(lines.every((line) => broken.has(line))).toBe(true)
    expect(lines.some((line) => line > 150_000)).toBe(true)
    expect(lines.some((line) => line < 50_000)).toBe(true)
  })
})

describe("scanLegalUnitsParallel", () => {
  it("joins the same legal units and reports the same unreadable ones", async () => {
    const everything = await scanEstablishments({
      file: establishments.path,
      format: establishments.format,
      header: establishments.header,
      filter: null,
      stats: { lines: 0, bytes: 0 }
    })
    // Every SIREN, plus ones that no legal unit has (9 digits or not).
    const sirens = new Set([...everything.kept.sirens(), "000000001", "not-a-siren"])
    const options = { file: legalUnits.path, format: legalUnits.format, header: legalUnits.header, sirens }
    const singleStats = { lines: 0, bytes: 0 }
    const one = await scanLegalUnits({ ...options, stats: singleStats })
    const parallelStats = { lines: 0, bytes: 0 }
    const two = await scanLegalUnitsParallel(worker, { ...options, stats: parallelStats, ...ALWAYS })
    expect(one.units.size).toBeGreaterThan(100_000)
    expectSame(unitsOf(two.units), unitsOf(one.units))
    expect([...two.rejects]).toEqual([...one.rejects])
    expect(one.rejects.size).toBeGreaterThan(0)
    expect(parallelStats).toEqual(singleStats)
  })
})

describe("split point", () => {
  /**
   * An establishments file whose middle byte is `at` the end of a line ("newline") or the first
   * byte of one ("line start"), found by lengthening one street name.
   */
  const fileWithMiddle = async (at: "newline" | "line start") => {
    const rows = (padding: number) =>
      Array.from({ length: 40 }, (_, i) =>
        establishment(siretOf(A, String(i + 1).padStart(4, "0")), {
          libelleVoieEtablissement: i === 0 ? `RUE ${"X".repeat(padding)}` : "DE LA PAIX",
          etatAdministratifEtablissement: i % 3 === 0 ? "F" : "A"
        })
      )
    for (let padding = 0; ; padding++) {
      const text = establishmentsCsv(rows(padding))
      const bytes = Buffer.from(text)
      const middle = Math.floor(bytes.length / 2)
      if ((at === "newline" ? bytes[middle] : bytes[middle - 1]) !== 0x0a) continue
      const dir = await tempDir()
      const [path] = await writeInputs(dir, {
        "StockEtablissement_utf8.csv": text,
        "StockUniteLegale_utf8.csv": legalUnitsCsv([legalUnit(A)])
      })
      return { dir, path: path!, bytes, middle }
    }
  }

  for (const at of ["newline", "line start"] as const) {
    it(`cuts after whole lines when the middle byte is a ${at}, and scans the same`, async () => {
      const { dir, path, bytes, middle } = await fileWithMiddle(at)
      const cut = await splitPoint(path, bytes.length)
      expect(bytes[cut - 1]).toBe(0x0a)
      // The newline at the middle ends the first half; a line starting there goes to the first half.
      expect(cut).toBe(at === "newline" ? middle + 1 : bytes.indexOf(0x0a, middle) + 1)
      const [file] = (await listInputs([dir])).filter((input) => input.header.role === "establishments")
      const { one, two, singleStats, parallelStats } = await bothEstablishmentScans(file!, { active_only: true })
      expect(one.kept.length).toBe(26)
      expectSame(rowsOf(two.kept), rowsOf(one.kept))
      expect(parallelStats).toEqual(singleStats)
      await rm(dir, { recursive: true, force: true })
    })
  }

  it("leaves the second half empty when no newline follows the middle", async () => {
    const dir = await tempDir()
    const line = establishmentsCsv([establishment(siretOf(A), { libelleVoieEtablissement: "X".repeat(5000) })])
    const [path] = await writeInputs(dir, { "StockEtablissement_utf8.csv": line.slice(0, -1) })
    const size = (await stat(path!)).size
    expect(await splitPoint(path!, size)).toBe(size)
    const [file] = await listInputs([dir])
    const { one, two, parallelStats } = await bothEstablishmentScans(file!, null)
    expectSame(rowsOf(two.kept), rowsOf(one.kept))
    expect(parallelStats.lines).toBe(1)
    await rm(dir, { recursive: true, force: true })
  })
})

describe("when to scan in parallel", () => {
  it("scans in this thread alone below the threshold, for a sample, a company list or a zip", async () => {
    const closed = startScanWorker()
    closed.close()
    const options = {
      file: establishments.path,
      format: establishments.format,
      header: establishments.header,
      filter: null,
      filters: undefined,
      columnIndex: columnIndexOf(establishments.header),
      stats: { lines: 0, bytes: 0 }
    }
    // A closed worker fails any request: these calls succeed only without it.
    const size = (await stat(establishments.path)).size
    await scanEstablishmentsParallel(closed, { ...options, parallelThreshold: size + 1 })
    expect((await scanEstablishmentsParallel(closed, { ...options, limit: 5, ...ALWAYS })).kept.length).toBe(5)
    await scanEstablishmentsParallel(closed, { ...options, sirets: new Set(["x"]), ...ALWAYS })
    const dir = await tempDir()
    const [zip] = await writeInputs(dir, {
      "StockUniteLegale_utf8.zip": zipOf("StockUniteLegale_utf8.csv", Buffer.from(legalUnitsCsv([legalUnit(A)])))
    })
    const stats = { lines: 0, bytes: 0 }
    const zipped = { file: zip!, format: "zip", header: legalUnits.header, sirens: new Set([A]), stats } as const
    expect((await scanLegalUnitsParallel(closed, { ...zipped, ...ALWAYS })).units.size).toBe(1)
    await rm(dir, { recursive: true, force: true })
    await expect(scanEstablishmentsParallel(closed, { ...options, ...ALWAYS })).rejects.toThrow(
      "the scan worker was closed"
    )
  })
})

describe("worker failures", () => {
  it("rejects with the worker's message, ends the worker, and never hangs", async () => {
    const failing = startScanWorker()
    const missing = join(base, "missing.csv")
    const request = {
      kind: "establishments",
      file: missing,
      header: establishments.header,
      range: { start: 0, end: 100, firstLineIsHeader: false },
      filter: null
    } as const
    await expect(failing.run(request)).rejects.toThrow(/ENOENT|no such file/)
    // Ended: a later request is refused with the same error rather than left waiting.
    await expect(failing.run(request)).rejects.toThrow(/ENOENT|no such file/)
  })

  it("rejects a parallel scan whose worker half fails, once this thread's half is done", async () => {
    const failing = startScanWorker()
    const columnIndex = columnIndexOf(establishments.header)
    await expect(
      scanEstablishmentsParallel(failing, {
        file: establishments.path,
        format: establishments.format,
        header: establishments.header,
        filter: compileFilter(NAF_FILTER, columnIndex, () => []),
        // Filters that only the worker compiles, and that it cannot: regions must be a list.
        filters: { regions: "11" } as never,
        columnIndex,
        stats: { lines: 0, bytes: 0 },
        ...ALWAYS
      })
    ).rejects.toThrow(/flatMap/)
    await expect(failing.run({} as never)).rejects.toThrow(/flatMap/)
  })
})
