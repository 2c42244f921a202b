/**
 * Ingest benchmark: Filon's `quick` profile on generated SIRENE stocks of 1M and 5M establishments
 * with a filter keeping about 1%, against DuckDB doing the same filter, join and Parquet write on
 * the same files. Both run as child processes; figures are medians of several runs.
 *
 * usage: bun run bench:ingest [--sizes 1000000,5000000] [--runs 3] [--ram-mb N] [--from-sources]
 *
 * Filon runs as users run it: the `filon` command (cli/filon.ts), from the bundle `bun run build` makes
 * (built first when it is missing or older than the sources; decision 020). `--from-sources` runs the
 * sources instead, as `bun cli/main.ts` does.
 *
 * `--ram-mb N` gives Filon's job `budgets.max_ram_mb: N`, which switches its bulk loops to the memory
 * ceiling rule (collections above 70% of N) and its Parquet writes to smaller row groups: the memory
 * side of the dial (decisions 017, 022). A run the budget stops (exit 3) is counted and reported, and
 * the figures are those of the runs that finished.
 */
import { existsSync } from "node:fs"
import { mkdir, rename, rm, writeFile } from "node:fs/promises"
import { join, resolve } from "node:path"
import { buildBundle } from "../cli/build.ts"
import { bundleIsFresh } from "../cli/bundle.ts"
import { generateStock, MALFORMED_FILE } from "./sirene/generate.ts"

const ROOT = resolve(import.meta.dir, "..")
const WORK = join(ROOT, ".tmp", "bench")
const NAF = "62.02A"

const option = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`)
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback)
}
const sizes = option("sizes", "1000000,5000000").split(",").map(Number)
const runs = Number(option("runs", "3"))
const ramMb = option("ram-mb", "")
const fromSources = process.argv.includes("--from-sources")

interface Measure {
  readonly seconds: number
  readonly peakRssMb: number
  readonly rows: number
  /** Why the RAM budget stopped the run, when it did (exit 3 under `--ram-mb`). */
  readonly stoppedBy?: string
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** Exit 3: a budget stopped the run. Under `--ram-mb` that is an outcome to report, not a failure. */
const BUDGET_EXCEEDED = 3

/**
 * Runs a command, timing it and reading its peak resident memory from the kernel's accounting.
 * `stopped` reads why a run that exited 3 was stopped (only asked for when that exit is expected).
 */
const measure = async (
  command: string[],
  rowsOf: (stdout: string) => number,
  stopped?: (stdout: string) => string
): Promise<Measure> => {
  const started = performance.now()
  // Exit 4: the run finished with KPIs not met, which the bench does not judge.
  const { stdout, usage, code } = await runChild(command, stopped ? [0, 4, BUDGET_EXCEEDED] : [0, 4])
  const seconds = (performance.now() - started) / 1000
  const peakRssMb = Number(usage?.maxRSS ?? 0) / 1024 / 1024
  if (stopped && code === BUDGET_EXCEEDED) return { seconds, peakRssMb, rows: 0, stoppedBy: stopped(stdout) }
  return { seconds, peakRssMb, rows: rowsOf(stdout) }
}

/** Runs a command from the project root; its stdout, exit code, and resource usage once it has exited. */
const runChild = async (command: string[], okCodes: ReadonlyArray<number> = [0]) => {
  const child = Bun.spawn(command, { cwd: ROOT, stdout: "pipe", stderr: "pipe" })
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited
  ])
  if (!okCodes.includes(code)) throw new Error(`${command.join(" ")} exited ${code}\n${stderr.slice(-2000)}`)
  return { stdout, code, usage: child.resourceUsage() }
}

const dataFor = async (establishments: number) => {
  const dir = join(WORK, `sirene-${establishments}`)
  if (!existsSync(join(dir, MALFORMED_FILE))) {
    console.error(`generating ${establishments.toLocaleString("en")} establishments in ${dir} …`)
    await generateStock({ establishments, seed: 20261121, dir })
  }
  return dir
}

/** Why a run that exited 3 stopped, from its JSON summary when it printed one. */
const stopReason = (stdout: string): string => {
  try {
    return (JSON.parse(stdout) as { stopped_by?: { message?: string } }).stopped_by?.message ?? "exit 3"
  } catch {
    return "exit 3"
  }
}

/** Where the last finished Filon run of a size leaves its files (for the kept-rows comparison). */
const filonOut = (establishments: number) => join(WORK, `filon-out-${establishments}`)

const filonRun = async (dir: string, establishments: number): Promise<Measure> => {
  // Each run writes beside the last finished one, which it replaces only if it finishes too.
  const out = `${filonOut(establishments)}-run`
  await rm(out, { recursive: true, force: true })
  const job = join(WORK, "ingest-job.yaml")
  await writeFile(
    job,
    `niche: bench_ingest\nprofile: quick\nfilters:\n  naf_include: ["${NAF}"]\n  active_only: true\n${ramMb ? `budgets:\n  max_ram_mb: ${Number(ramMb)}\n` : ""}`
  )
  const measured = await measure(
    [
      "bun",
      fromSources ? "cli/main.ts" : "cli/filon.ts",
      "run-profile",
      "--job",
      job,
      "--input",
      dir,
      "--out",
      out,
      "--json"
    ],
    (stdout) => {
      const summary = JSON.parse(stdout) as { outputs: Array<{ path: string; rows: number | null }> }
      return summary.outputs.find((output) => output.path === "dataset.parquet")?.rows ?? 0
    },
    ramMb ? stopReason : undefined
  )
  if (measured.stoppedBy === undefined) {
    await rm(filonOut(establishments), { recursive: true, force: true })
    await rename(out, filonOut(establishments))
  }
  return measured
}

const duckdbRun = async (dir: string, establishments: number): Promise<Measure> => {
  const out = join(WORK, `duckdb-out-${establishments}.parquet`)
  await rm(out, { force: true })
  return measure(
    ["bun", "bench/sirene/duckdb-ingest.ts", dir, out, NAF],
    (stdout) => (JSON.parse(stdout) as { rows: number }).rows
  )
}

interface KeptDifference {
  readonly only_duckdb: number
  readonly only_filon: number
  readonly by_reason: Record<string, number>
  readonly unexplained: number
}

/** The SIRETs only one engine kept, each with the reason Filon rejected it (bench/sirene/kept-difference.ts). */
const keptDifference = async (establishments: number): Promise<KeptDifference> => {
  const { stdout } = await runChild([
    "bun",
    "bench/sirene/kept-difference.ts",
    filonOut(establishments),
    join(WORK, `duckdb-out-${establishments}.parquet`)
  ])
  return JSON.parse(stdout) as KeptDifference
}

await mkdir(WORK, { recursive: true })
if (!fromSources && !bundleIsFresh()) {
  const built = await buildBundle()
  console.log(`built ${built.file} in ${built.seconds.toFixed(2)} s`)
}
console.log(
  `Filon runs from ${fromSources ? "the sources (bun cli/main.ts)" : "the bundle (bun cli/filon.ts, dist/filon.js)"}`
)
const results = []
for (const establishments of sizes) {
  const dir = await dataFor(establishments)
  const filon: Measure[] = []
  const duckdb: Measure[] = []
  for (let run = 0; run < runs; run++) {
    // Alternate the order so neither engine always gets the warmer page cache.
    if (run % 2 === 0) {
      filon.push(await filonRun(dir, establishments))
      duckdb.push(await duckdbRun(dir, establishments))
    } else {
      duckdb.push(await duckdbRun(dir, establishments))
      filon.push(await filonRun(dir, establishments))
    }
  }
  // Runs the RAM budget stopped are reported apart; the figures are those of the runs that finished.
  const stopped = filon.filter((measure) => measure.stoppedBy !== undefined)
  const finished = filon.flatMap((measure, i) => (measure.stoppedBy === undefined ? [{ measure, i }] : []))
  if (stopped.length > 0) {
    console.log(
      `${establishments.toLocaleString("en").padStart(10)} establishments | ${stopped.length} of ${filon.length} Filon runs stopped by the RAM budget (peaks ${stopped.map((m) => m.peakRssMb.toFixed(0)).join(", ")} MiB): ${stopped.map((m) => m.stoppedBy).join("; ")}`
    )
  }
  if (finished.length === 0) {
    results.push({ establishments, finished_runs: 0, stopped_runs: stopped.length })
    continue
  }
  const filonFinished = finished.map(({ measure }) => measure)
  // DuckDB's figures are those of the pairs whose Filon run finished, so the two compare like for like.
  const duckdbPaired = finished.map(({ i }) => duckdb[i]!)
  const row = {
    establishments,
    ...(ramMb ? { finished_runs: finished.length, stopped_runs: stopped.length } : {}),
    kept_rows: { filon: filonFinished[0]!.rows, duckdb: duckdb[0]!.rows },
    kept_difference: await keptDifference(establishments),
    filon: {
      seconds: median(filonFinished.map((m) => m.seconds)),
      rows_per_s: 0,
      peak_rss_mb: median(filonFinished.map((m) => m.peakRssMb))
    },
    duckdb: {
      seconds: median(duckdbPaired.map((m) => m.seconds)),
      rows_per_s: 0,
      peak_rss_mb: median(duckdbPaired.map((m) => m.peakRssMb))
    },
    ratio: 0,
    // Each pair ran back to back: their ratios show how much of the spread is this machine's drift.
    pair_ratios: finished.map(({ measure, i }) => Math.round((duckdb[i]!.seconds / measure.seconds) * 100) / 100)
  }
  row.filon.rows_per_s = Math.round(establishments / row.filon.seconds)
  row.duckdb.rows_per_s = Math.round(establishments / row.duckdb.seconds)
  row.ratio = Math.round((row.duckdb.seconds / row.filon.seconds) * 100) / 100
  results.push(row)
  console.log(
    `${establishments.toLocaleString("en").padStart(10)} establishments | Filon ${row.filon.seconds.toFixed(2)} s, ${row.filon.rows_per_s.toLocaleString("en")} rows/s, ${row.filon.peak_rss_mb.toFixed(0)} MB | DuckDB ${row.duckdb.seconds.toFixed(2)} s, ${row.duckdb.rows_per_s.toLocaleString("en")} rows/s, ${row.duckdb.peak_rss_mb.toFixed(0)} MB | ratio ${row.ratio.toFixed(2)} (DuckDB time / Filon time; pairs ${row.pair_ratios.map((r) => r.toFixed(2)).join(", ")}) | kept ${row.kept_rows.filon} vs ${row.kept_rows.duckdb}${ramMb ? ` | ${finished.length} of ${filon.length} runs finished under ${ramMb} MiB` : ""}`
  )
  const difference = row.kept_difference
  const reasons = Object.entries(difference.by_reason)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(", ")
  console.log(
    `${" ".repeat(10)}   kept rows differ: ${difference.only_duckdb} only in DuckDB's output${reasons ? ` (Filon rejected them: ${reasons}; see normalized/rejects.csv)` : ""}, ${difference.only_filon} only in Filon's; ${difference.unexplained} unexplained`
  )
}
console.log(
  JSON.stringify({
    runs,
    naf: NAF,
    filon_entry: fromSources ? "sources" : "bundle",
    ...(ramMb ? { max_ram_mb: Number(ramMb) } : {}),
    results
  })
)
