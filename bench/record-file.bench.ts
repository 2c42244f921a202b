/** Record file throughput: `bun bench/record-file.bench.ts [rows]`; prints rows/s, median of 3 runs. */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { Rec } from "../core/Record.ts"
import { mergeRecords, readRecords, writeRecords } from "../core/RecordFile.ts"

const ROWS = Number(process.argv[2] ?? 1_000_000)
const RUNS = 3

const siret = (n: number) => String(n).padStart(14, "0")

/** About 150 bytes once serialized. */
const company = (n: number): Rec => ({
  siret: siret(n),
  siren: siret(n).slice(0, 9),
  name: `Société Exemple ${n} SARL`,
  city: "Lyon",
  postcode: "69003",
  naf: "62.01Z",
  employees: n % 250,
  active: n % 7 !== 0,
  created: "2015-03-12"
})

function* sorted(): Generator<Rec> {
  for (let i = 0; i < ROWS; i++) yield company(i)
}

function* shuffled(): Generator<Rec> {
  const order = new Int32Array(ROWS).map((_, i) => i)
  let seed = 42
  for (let i = ROWS - 1; i > 0; i--) {
    seed = (seed * 1_103_515_245 + 12_345) >>> 0
    const j = seed % (i + 1)
    const swap = order[i]!
    order[i] = order[j]!
    order[j] = swap
  }
  for (const i of order) yield company(i)
}

function* enrichment(): Generator<Rec> {
  for (let i = 0; i < ROWS; i++)
    yield { siret: siret(i), website: `https://exemple-${i}.fr/`, email: `contact@ex${i}.fr` }
}

const count = (stream: Stream.Stream<Rec, unknown>) => Stream.runFold(stream, 0, (n) => n + 1)

const median = async (label: string, task: () => Promise<unknown>) => {
  const times: Array<number> = []
  for (let run = 0; run < RUNS; run++) {
    Bun.gc(true)
    const start = performance.now()
    await task()
    times.push(performance.now() - start)
  }
  const ms = times.sort((a, b) => a - b)[1]!
  const rate = Math.round(ROWS / (ms / 1000)).toLocaleString("en-US")
  const rss = Math.round(process.memoryUsage().rss / 1024 / 1024)
  console.log(`${label.padEnd(34)} ${rate.padStart(12)} rows/s  (${(ms / 1000).toFixed(2)} s, rss ${rss} MiB)`)
}

const dir = await mkdtemp(join(tmpdir(), "filon-bench-"))
try {
  const base = join(dir, "base.jsonl")
  const extra = join(dir, "extra.jsonl")
  console.log(`${ROWS.toLocaleString("en-US")} rows, ${RUNS} runs each`)
  await median("generate only (baseline)", () => Effect.runPromise(count(Stream.fromIterable(sorted()))))
  await median("write, sorted input", () => Effect.runPromise(writeRecords(base, Stream.fromIterable(sorted()))))
  await median("write, shuffled (chunkRows 100k)", () =>
    Effect.runPromise(
      writeRecords(join(dir, "shuffled.jsonl"), Stream.fromIterable(shuffled()), { chunkRows: 100_000 })
    )
  )
  await Effect.runPromise(writeRecords(extra, Stream.fromIterable(enrichment())))
  console.log(`file size ${(Bun.file(base).size / ROWS).toFixed(0)} bytes/row`)
  await median("read", () => Effect.runPromise(count(readRecords(base))))
  await median("merge of 2 files", () => Effect.runPromise(count(mergeRecords([base, extra]))))
} finally {
  await rm(dir, { recursive: true, force: true })
}
