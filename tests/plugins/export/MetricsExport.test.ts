/** metrics.export after a quick run: per-step figures and the Prometheus series as JSON files. */
import { afterAll, describe, expect, test } from "bun:test"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import { main } from "../../../cli/main.ts"
import { builtinPlugins } from "../../../plugins/index.ts"
import { captureIo, repoRoot, tempDirs } from "../../cli/support.ts"

const SAMPLE = join(repoRoot, "plugins/sirene/sample")
const dirs = tempDirs("metrics")
afterAll(() => dirs.cleanup())

describe("metrics.export", () => {
  test("writes each upstream step's rows, duration and measures, and the Prometheus series", async () => {
    const dir = dirs.make()
    writeFileSync(
      join(dir, "profile.yaml"),
      "description: quick with metrics\nsteps: [dumps.collect, normalize.standardize, quality.checks, quality.score, package.export, metrics.export]\n"
    )
    const job = readFileSync(join(SAMPLE, "demo.job.yaml"), "utf8").replace(/^profile:.*$/m, "profile: ./profile.yaml")
    writeFileSync(join(dir, "job.yaml"), job)
    process.env.FILON_DATA_DIR = join(dir, "data")
    const io = { ...captureIo(dir), builtins: builtinPlugins }
    const out = join(dir, "out")
    const code = await Effect.runPromise(
      main(io, ["run-profile", "--job", "job.yaml", "--input", SAMPLE, "--out", out])
    )
    expect([0, 4]).toContain(code)
    const report = JSON.parse(readFileSync(join(out, "reports/report_metrics.json"), "utf8"))
    expect(report.profile).toBe("profile")
    const byStep = Object.fromEntries(report.steps.map((step: { step: string }) => [step.step, step]))
    expect(Object.keys(byStep)).toEqual(
      expect.arrayContaining(["dumps.collect", "normalize.standardize", "quality.checks", "quality.score"])
    )
    expect(byStep["normalize.standardize"].rows_in).toBeGreaterThan(0)
    expect(byStep["normalize.standardize"].measures.standardize_lines_per_s).toBeGreaterThan(0)
    expect(report.rows).toBe(byStep["quality.score"].rows_out)
    const summary = JSON.parse(readFileSync(join(out, "metrics/summary.json"), "utf8"))
    expect(summary.run_id).toBe(report.run_id)
    expect(Array.isArray(summary.series)).toBe(true)
  }, 120_000)
})
