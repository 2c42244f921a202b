/**
 * `bun run demo`: the main job (`quick`) on the bundled sample — real public SIRENE rows in the
 * official format plus a generated set — into out/demo/, then where the dataset is and its KPIs.
 */
import { join, relative, resolve } from "node:path"
import { Effect } from "effect"
import { processIo } from "./io.ts"
import { main } from "./main.ts"

const ROOT = resolve(import.meta.dir, "..")
const SAMPLE = join(ROOT, "plugins/sirene/sample")
const OUT = join(ROOT, "out/demo")

const io = processIo()
const code = await Effect.runPromise(
  main(io, [
    "run-profile",
    "--job",
    join(SAMPLE, "demo.job.yaml"),
    "--input",
    SAMPLE,
    "--out",
    OUT,
    ...process.argv.slice(2)
  ])
)
if (code === 0 || code === 4) {
  const where = relative(process.cwd(), OUT) || "."
  io.err(`\nDataset: ${where}/dataset.csv and ${where}/dataset.parquet (premium rows: ${where}/dataset_premium.csv)`)
  io.err(
    `Data dictionary: ${where}/data_dictionary.md · manifest: ${where}/manifest.json · rejects: ${where}/normalized/rejects.csv`
  )
}
process.exitCode = code
