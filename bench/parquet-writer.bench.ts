/**
 * Parquet writer throughput: `bun bench/parquet-writer.bench.ts [rows]` (default 200k rows of 20 string
 * columns); prints rows/s (median of 3 runs) and the process's peak RSS.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type ParquetColumn, writeParquet } from "../plugins/export/writers/parquet.ts"

const ROWS = Number(process.argv[2] ?? 200_000)
const COLUMNS = 20
const RUNS = 3

const columns: ReadonlyArray<ParquetColumn> = Array.from({ length: COLUMNS }, (_, i) => ({
  name: `col_${String(i).padStart(2, "0")}`,
  type: "string"
}))

/** Values of about 20 characters, some repeated (as cities or NAF codes are), some unique. */
function* rows(): Generator<Record<string, unknown>> {
  for (let r = 0; r < ROWS; r++) {
    const row: Record<string, unknown> = {}
    for (let c = 0; c < COLUMNS; c++) {
      row[`col_${String(c).padStart(2, "0")}`] = c % 2 === 0 ? `valeur ${c} n°${r}` : `catégorie ${(r * 7 + c) % 97}`
    }
    yield row
  }
}

/** Peak resident set size in MiB (Linux VmHWM; the process's high-water mark over all runs so far). */
const peakRssMiB = async () => {
  const status = await Bun.file("/proc/self/status")
    .text()
    .catch(() => "")
  const kib = /VmHWM:\s+(\d+)/.exec(status)?.[1]
  return kib ? Math.round(Number(kib) / 1024) : Math.round(process.memoryUsage().rss / 1024 / 1024)
}

const dir = await mkdtemp(join(tmpdir(), "filon-bench-"))
try {
  console.log(`${ROWS.toLocaleString("en-US")} rows x ${COLUMNS} string columns, ${RUNS} runs`)
  const start = performance.now()
  for (const _ of rows());
  const generateMs = performance.now() - start
  console.log(`generate rows only          ${(generateMs / 1000).toFixed(2)} s, peak RSS ${await peakRssMiB()} MiB`)
  const times: Array<number> = []
  let bytes = 0
  for (let run = 0; run < RUNS; run++) {
    Bun.gc(true)
    const start = performance.now()
    const written = await writeParquet(join(dir, "bench.parquet"), columns, rows())
    times.push(performance.now() - start)
    bytes = written.bytes
  }
  console.log(`runs: ${times.map((t) => (t / 1000).toFixed(2)).join(" s, ")} s`)
  const ms = times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!
  const rate = Math.round(ROWS / (ms / 1000)).toLocaleString("en-US")
  console.log(`write (default row groups) ${rate.padStart(10)} rows/s  (${(ms / 1000).toFixed(2)} s median)`)
  console.log(`file ${(bytes / 1024 / 1024).toFixed(1)} MiB, peak RSS ${await peakRssMiB()} MiB`)
} finally {
  await rm(dir, { recursive: true, force: true })
}
