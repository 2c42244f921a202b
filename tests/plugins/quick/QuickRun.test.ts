/**
 * What a `quick` run leaves in its run folder (CONTRACTS.md, "Run folder and outputs"), on a small
 * generated stock: the dataset files agree with each other, personal data of partially diffusible
 * rows is hidden, the manifest, checksums and data dictionary describe the files as they are, the
 * reports hold their figures, a rerun is byte-identical, a shrinking rerun is warned about, and the
 * premium dataset keeps what the job asks.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import { cp, readFile, rm, stat, writeFile } from "node:fs/promises"
import { join, resolve } from "node:path"
import { generateStock } from "../../../bench/sirene/generate.ts"
import { readParquet } from "../../../plugins/export/writers/parquet.ts"
import { cli, type Field, parseCsv, ROOT, readCsvTable, sha256Of, tempDir } from "./support.ts"

const MIN_SCORE = 70
const FILTERS = { created_after: "1985-01-01" }
/** The same niche with far fewer rows: two departments only. */
const STRICT_FILTERS = { created_after: "1985-01-01", departments: ["75", "13"] }
const PERSONAL = ["name", "legal_name", "address_line"]
const DATASET_FILES = ["dataset.csv", "dataset.parquet", "dataset_premium.csv", "dataset_premium.parquet"]

let base: string
let inputs: string[]
let out: string
/** Copies of the run folder after the first and the second run of the same job. */
let first: string
let second: string
const runs: Array<{ code: number; stdout: string; stderr: string }> = []

const jobYaml = (filters: Record<string, unknown>) =>
  `${JSON.stringify({ niche: "quick_run", profile: "quick", filters, premium: { min_quality_score: MIN_SCORE } }, null, 2)}\n`

const json = async (path: string) => JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>

/** A Parquet value as the CSV writer renders it (null stays null: an unquoted empty field). */
const asCsvText = (value: unknown): Field => {
  if (value === null || value === undefined) return null
  if (Array.isArray(value)) return value.map((item) => asCsvText(item) ?? "").join(";")
  if (typeof value === "boolean") return value ? "true" : "false"
  if (typeof value === "number" || typeof value === "bigint") return String(value)
  if (typeof value === "object") return JSON.stringify(value)
  return String(value)
}

const filled = (value: Field) => value !== null && value !== ""

beforeAll(async () => {
  base = await tempDir("run")
  const generated = await generateStock({ establishments: 3_000, seed: 20251122, dir: join(base, "in") })
  inputs = [generated.etabFile, generated.ulFile]
  await writeFile(join(base, "job.yaml"), jobYaml(FILTERS))
  await writeFile(join(base, "strict.yaml"), jobYaml(STRICT_FILTERS))
  out = join(base, "out")
  const run = (job: string) =>
    cli(["run-profile", "--job", join(base, job), ...inputs.flatMap((input) => ["--input", input]), "--out", out])
  runs.push(await run("job.yaml"))
  first = join(base, "first")
  await cp(out, first, { recursive: true })
  runs.push(await run("job.yaml"))
  second = join(base, "second")
  await cp(out, second, { recursive: true })
  runs.push(await run("strict.yaml"))
}, 120_000)

afterAll(async () => {
  await rm(base, { recursive: true, force: true })
})

describe("a quick run", () => {
  it("succeeds and ends its output with the KPI line", () => {
    for (const run of runs) {
      expect({ code: run.code, stderr: run.code === 0 ? "" : run.stderr }).toEqual({ code: 0, stderr: "" })
      expect(run.stdout.trimEnd().split("\n").at(-1)).toStartWith("KPIs")
    }
  })

  it("writes dataset.csv as UTF-8 without a byte-order mark, comma-separated, with a snake_case header", async () => {
    const bytes = await Bun.file(join(first, "dataset.csv")).bytes()
    expect([...bytes.subarray(0, 3)]).not.toEqual([0xef, 0xbb, 0xbf])
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes)
    expect(text).toContain("é")
    const table = await readCsvTable(join(first, "dataset.csv"))
    expect(text.slice(0, text.indexOf("\n"))).toBe(table.header.join(","))
    expect(table.header.length).toBeGreaterThan(10)
    for (const name of table.header) expect(name).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/)
    expect(table.header.slice(0, 2)).toEqual(["siret", "siren"])
    expect(new Set(table.widths)).toEqual(new Set([table.header.length]))
    expect(table.rows.length).toBeGreaterThan(1000)
  })

  it("sorts the dataset rows by siret, one row per SIRET", async () => {
    const sirets = (await readCsvTable(join(first, "dataset.csv"))).rows.map((row) => row.siret ?? "")
    for (let i = 1; i < sirets.length; i++) expect(sirets[i - 1]! < sirets[i]!).toBe(true)
  })

  it("holds the same rows, columns and values in dataset.csv and dataset.parquet", async () => {
    for (const [csv, parquet] of [
      ["dataset.csv", "dataset.parquet"],
      ["dataset_premium.csv", "dataset_premium.parquet"]
    ] as const) {
      const table = await readCsvTable(join(first, csv))
      const rows = await readParquet(join(first, parquet))
      expect(rows.length).toBe(table.rows.length)
      expect(Object.keys(rows[0] ?? {})).toEqual(table.header)
      const rendered = rows.map((row) => Object.fromEntries(table.header.map((name) => [name, asCsvText(row[name])])))
      expect(rendered).toEqual(table.rows)
    }
  })

  it("carries no personal data in rows whose owner objected to diffusion (diffusion P)", async () => {
    const table = await readCsvTable(join(first, "dataset.csv"))
    const hidden = table.rows.filter((row) => row.diffusion === "P")
    expect(hidden.length).toBeGreaterThan(5)
    for (const row of hidden) {
      const seen: Record<string, unknown> = { siret: row.siret }
      for (const name of PERSONAL) seen[name] = row[name]
      expect(seen).toEqual({
        siret: row.siret,
        name: null,
        legal_name: null,
        address_line: null
      })
    }
    const parquet = (await readParquet(join(first, "dataset.parquet"))).filter((row) => row.diffusion === "P")
    expect(parquet.length).toBe(hidden.length)
    for (const row of parquet) for (const name of PERSONAL) expect(row[name]).toBeNull()
    // INSEE's "[ND]" placeholder never reaches the dataset, masked or not.
    expect(await readFile(join(first, "dataset.csv"), "utf8")).not.toContain("[ND]")
  })

  it("describes the run in manifest.json: run id, job, profile, versions, inputs, rows and each file's sha256", async () => {
    const manifest = await json(join(first, "manifest.json"))
    const runId = manifest.run_id as string
    expect(runId).toMatch(/\S/)
    expect(await Bun.file(join(first, "logs", `${runId}.jsonl`)).exists()).toBe(true)
    expect(manifest.profile).toBe("quick")
    expect(manifest.job).toMatchObject({
      niche: "quick_run",
      profile: "quick",
      filters: FILTERS,
      premium: { min_quality_score: MIN_SCORE }
    })
    const pkg = await json(join(ROOT, "package.json"))
    const dependencies = pkg.dependencies as Record<string, string>
    expect(manifest.versions).toMatchObject({
      filon: pkg.version,
      bun: Bun.version,
      data: {
        "@socialgouv/codes-naf": dependencies["@socialgouv/codes-naf"],
        "@etalab/decoupage-administratif": dependencies["@etalab/decoupage-administratif"]
      }
    })
    const described = manifest.inputs as Array<{ path: string; bytes: number }>
    expect(described.map((input) => resolve(first, input.path)).sort()).toEqual([...inputs].sort())
    for (const input of described) expect(input.bytes).toBe((await stat(resolve(first, input.path))).size)

    const csvRows = (await readCsvTable(join(first, "dataset.csv"))).rows.length
    expect(manifest.rows).toEqual({ dataset: csvRows })
    const files = manifest.files as Array<{ path: string; rows: number | null; bytes: number; sha256: string }>
    expect(files.map((file) => file.path)).toEqual(
      expect.arrayContaining([
        ...DATASET_FILES,
        "data_dictionary.md",
        "normalized/normalized.parquet",
        "normalized/rejects.csv",
        "reports/standardize_summary.json",
        "reports/quality_summary.json"
      ])
    )
    for (const file of files) {
      const path = join(first, file.path)
      expect({ path: file.path, bytes: file.bytes, sha256: file.sha256 }).toEqual({
        path: file.path,
        bytes: (await stat(path)).size,
        sha256: await sha256Of(path)
      })
    }
    const rowsOf = (path: string) => files.find((file) => file.path === path)?.rows
    expect(rowsOf("dataset.csv")).toBe(csvRows)
    expect(rowsOf("dataset.parquet")).toBe((await readParquet(join(first, "dataset.parquet"))).length)
    expect(rowsOf("dataset_premium.csv")).toBe((await readCsvTable(join(first, "dataset_premium.csv"))).rows.length)
    expect(rowsOf("normalized/normalized.parquet")).toBe(
      (await readParquet(join(first, "normalized/normalized.parquet"))).length
    )
    expect(rowsOf("normalized/rejects.csv")).toBe(
      (await readCsvTable(join(first, "normalized/rejects.csv"))).rows.length
    )
  })

  it("writes a sha256.txt that `sha256sum -c` accepts, covering the dataset files and the manifest", async () => {
    const check = Bun.spawnSync(["sha256sum", "-c", "sha256.txt"], { cwd: first })
    expect({ code: check.exitCode, stderr: check.stderr.toString() }).toEqual({ code: 0, stderr: "" })
    const listed = (await readFile(join(first, "sha256.txt"), "utf8"))
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => line.replace(/^[0-9a-f]{64} [ *]/, ""))
    expect(listed).toEqual(expect.arrayContaining([...DATASET_FILES, "manifest.json", "data_dictionary.md"]))
    // A file changed after the run no longer passes.
    const original = await readFile(join(first, "dataset.csv"))
    try {
      await writeFile(join(first, "dataset.csv"), Buffer.concat([original, Buffer.from("\n")]))
      expect(Bun.spawnSync(["sha256sum", "-c", "--quiet", "sha256.txt"], { cwd: first }).exitCode).not.toBe(0)
    } finally {
      await writeFile(join(first, "dataset.csv"), original)
    }
  })

  it("lists every dataset.csv column in data_dictionary.md and marks the personal ones", async () => {
    const header = (await readCsvTable(join(first, "dataset.csv"))).header
    const dictionary = await readFile(join(first, "data_dictionary.md"), "utf8")
    const section = dictionary.split(/^## /m).find((part) => part.startsWith("`dataset.csv`"))
    expect(section).toBeDefined()
    const entries = section!
      .split("\n")
      .map((line) => /^\| `([^`]+)` \|([^|]*)\|([^|]*)\|([^|]*)\|/.exec(line))
      .filter((match) => match !== null)
      .map((match) => ({ column: match[1]!, personal: match[4]!.trim() !== "" }))
    expect(entries.map((entry) => entry.column)).toEqual(header)
    expect(entries.filter((entry) => entry.personal).map((entry) => entry.column)).toEqual(PERSONAL)
  })

  it("reports lines in and out, speed, rejects by reason and fill rates in reports/standardize_summary.json", async () => {
    const summary = await json(join(first, "reports/standardize_summary.json"))
    const rejects = (await readCsvTable(join(first, "normalized/rejects.csv"))).rows
    const dataset = (await readCsvTable(join(first, "dataset.csv"))).rows
    const byReason: Record<string, number> = {}
    for (const reject of rejects) byReason[reject.reason ?? ""] = (byReason[reject.reason ?? ""] ?? 0) + 1
    expect(rejects.length).toBeGreaterThan(0)
    expect(summary.rejects_by_reason).toEqual(byReason)
    expect(summary.lines_out).toBe(dataset.length)
    expect(summary.lines_in).toBe(dataset.length + rejects.length)
    expect(summary.lines_per_s).toBeGreaterThan(0)
    const rates = summary.fill_rates as Record<string, number>
    for (const name of ["siret", "siren", "name", "naf", "address_line", "department", "diffusion"]) {
      expect(rates[name]).toBeCloseTo(dataset.filter((row) => filled(row[name]!)).length / dataset.length, 3)
    }
  })

  it("reports rows, duplicate SIRETs and fill rates of the dataset in reports/quality_summary.json", async () => {
    const summary = await json(join(first, "reports/quality_summary.json"))
    const dataset = (await readCsvTable(join(first, "dataset.csv"))).rows
    expect(summary.rows).toBe(dataset.length)
    expect(summary.duplicate_sirets).toBe(dataset.length - new Set(dataset.map((row) => row.siret)).size)
    expect(summary.previous_rows).toBeNull()
    const rates = summary.fill_rates as Record<string, number>
    // Not checked: `website`, a dataset column (always empty in a quick run), is missing from fill_rates,
    // which lists only fields present in some record (see the report to the lead).
    for (const name of ["siret", "name", "address_line", "headcount_band", "company_category"]) {
      expect(rates[name]).toBeCloseTo(dataset.filter((row) => filled(row[name]!)).length / dataset.length, 3)
    }
  })

  it("keeps in the premium dataset only active rows scoring at least premium.min_quality_score", async () => {
    const dataset = await readCsvTable(join(first, "dataset.csv"))
    const premium = await readCsvTable(join(first, "dataset_premium.csv"))
    expect(premium.header).toEqual(dataset.header)
    for (const row of premium.rows) {
      expect({ siret: row.siret, is_active: row.is_active, enough: Number(row.quality_score) >= MIN_SCORE }).toEqual({
        siret: row.siret,
        is_active: "true",
        enough: true
      })
    }
    // Exactly the dataset rows that qualify (CONTRACTS.md: active, a checked contact channel -- here the
    // registry address of a fully public establishment -- and the score), unchanged.
    const qualifying = dataset.rows.filter(
      (row) =>
        row.is_active === "true" &&
        Number(row.quality_score) >= MIN_SCORE &&
        filled(row.address_line ?? null) &&
        row.diffusion === "O"
    )
    expect(premium.rows).toEqual(qualifying)
    // The filter had something to leave out on each side.
    expect(dataset.rows.some((row) => row.is_active !== "true" && Number(row.quality_score) >= MIN_SCORE)).toBe(true)
    expect(dataset.rows.some((row) => row.is_active === "true" && Number(row.quality_score) < MIN_SCORE)).toBe(true)
    expect(premium.rows.length).toBeGreaterThan(100)
  })
})

describe("running the same niche again in the same folder", () => {
  it("writes byte-identical dataset files and reports the previous run's row count", async () => {
    for (const file of DATASET_FILES) {
      expect({ file, sha256: await sha256Of(join(second, file)) }).toEqual({
        file,
        sha256: await sha256Of(join(first, file))
      })
    }
    const before = await json(join(first, "reports/quality_summary.json"))
    const again = await json(join(second, "reports/quality_summary.json"))
    expect(again.rows).toBe(before.rows)
    expect(again.previous_rows).toBe(before.rows)
    expect(again.row_ratio).toBe(1)
    expect((again.warnings as string[]).filter((warning) => /row count/.test(warning))).toEqual([])
  })

  it("warns in quality_summary.json when the row count falls below 98% of the previous run's", async () => {
    const before = await json(join(second, "reports/quality_summary.json"))
    const now = await json(join(out, "reports/quality_summary.json"))
    const rows = now.rows as number
    expect(rows).toBe((await readCsvTable(join(out, "dataset.csv"))).rows.length)
    expect(rows).toBeLessThan(0.98 * (before.rows as number))
    expect(rows).toBeGreaterThan(0)
    expect(now.previous_rows).toBe(before.rows)
    expect(now.row_ratio).toBeCloseTo(rows / (before.rows as number), 3)
    const warnings = (now.warnings as string[]).filter((warning) => /row count/.test(warning))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(String(rows))
    expect(warnings[0]).toContain(String(before.rows))
    expect(warnings[0]).toContain("98")
  })
})

// parseCsv is also used on the dataset through readCsvTable; make sure it tells quoted empties apart.
describe("the test's CSV parser", () => {
  it("reads quoted, doubled-quote, empty and quoted-empty fields as RFC 4180 says", () => {
    expect(parseCsv('a,"b,c","d ""e""",,""\nx,y,z,w,v\n')).toEqual([
      ["a", "b,c", 'd "e"', null, ""],
      ["x", "y", "z", "w", "v"]
    ])
    expect(() => parseCsv('a,b "c",d\n')).toThrow()
    expect(() => parseCsv('a,"b\n')).toThrow()
  })
})
