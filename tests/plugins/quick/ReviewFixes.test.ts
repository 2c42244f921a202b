import { afterAll, describe, expect, it } from "bun:test"
import { readFile, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import {
  establishment,
  establishmentsCsv,
  legalUnit,
  legalUnitsCsv,
  runSteps,
  sirenOf,
  siretOf,
  tempDir,
  writeInputs
} from "../sirene/support.ts"

const QUICK = [
  "dumps.collect",
  "normalize.standardize",
  "quality.checks",
  "quality.score",
  "package.export",
  "finalize.premium_dataset"
]
const dirs: string[] = []
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

const stock = async () => {
  const base = await tempDir()
  dirs.push(base)
  const etabs = []
  const units = []
  for (let i = 0; i < 12; i++) {
    const siren = sirenOf(String(42000000 + i))
    units.push(legalUnit(siren))
    // Half the rows lack a headcount band (score 95, not 100), so the premium threshold decides who stays.
    etabs.push(establishment(siretOf(siren), i % 2 ? { trancheEffectifsEtablissement: "" } : {}))
  }
  const inputs = await writeInputs(base, { "etab.csv": establishmentsCsv(etabs), "ul.csv": legalUnitsCsv(units) })
  return { base, inputs, outDir: join(base, "out") }
}

describe("resume and the manifest", () => {
  it("re-exports when a step upstream was re-run on its own with other settings", async () => {
    const { inputs, outDir } = await stock()
    await runSteps({ steps: QUICK, inputs, outDir })
    const before = JSON.parse(await readFile(join(outDir, "manifest.json"), "utf8"))
    await runSteps({
      steps: QUICK,
      inputs,
      outDir,
      only: ["finalize.premium_dataset"],
      set: ["finalize.premium_dataset.min_quality_score=100"]
    })
    const resumed = await runSteps({
      steps: QUICK,
      inputs,
      outDir,
      resume: true,
      set: ["finalize.premium_dataset.min_quality_score=100"]
    })
    expect(resumed.steps.find((step) => step.name === "package.export")?.status).toBe("done")
    const after = JSON.parse(await readFile(join(outDir, "manifest.json"), "utf8"))
    const premiumRows = (manifest: { files: Array<{ path: string; rows: number | null }> }) =>
      manifest.files.find((file) => file.path === "dataset_premium.csv")?.rows
    expect(premiumRows(after)).not.toBe(premiumRows(before))
    expect(premiumRows(after)).toBe(
      (await readFile(join(outDir, "dataset_premium.csv"), "utf8")).trim().split("\n").length - 1
    )
  })

  it("re-exports when the job changed, since the manifest embeds it", async () => {
    const { inputs, outDir } = await stock()
    await runSteps({ steps: QUICK, inputs, outDir, job: { kpi_targets: { min_quality_score: 50 } } })
    const resumed = await runSteps({
      steps: QUICK,
      inputs,
      outDir,
      resume: true,
      job: { kpi_targets: { min_quality_score: 60 } }
    })
    expect(resumed.steps.find((step) => step.name === "package.export")?.status).toBe("done")
    expect(resumed.steps.find((step) => step.name === "quality.score")?.status).toBe("skipped")
    const manifest = JSON.parse(await readFile(join(outDir, "manifest.json"), "utf8"))
    expect(manifest.job.kpi_targets.min_quality_score).toBe(60)
  })
})

describe("KPIs with no rows", () => {
  it("reports every target as not measured, none as met", async () => {
    const { inputs, outDir } = await stock()
    const summary = await runSteps({
      steps: QUICK,
      inputs,
      outDir,
      job: {
        filters: { naf_include: ["01"] },
        kpi_targets: { min_quality_score: 50, max_duplicate_rate: 0.1, min_fill_rates: { name: 0.5 } }
      }
    })
    expect(summary.exit_code).toBe(4)
    expect(summary.kpis.results.map((result) => [result.name, result.met, result.detail])).toEqual([
      ["min_quality_score", false, "not measured: no rows"],
      ["max_duplicate_rate", false, "not measured: no rows"],
      ["min_fill_rates.name", false, "not measured: no rows"]
    ])
  })
})

describe("an unusable run folder", () => {
  it("is refused with a message, not a crash", async () => {
    const { base, inputs } = await stock()
    await writeFile(join(base, "a-file"), "x")
    await expect(runSteps({ steps: QUICK, inputs, outDir: join(base, "a-file", "out") })).rejects.toThrow("cannot use")
  })
})
