import { afterEach, describe, expect, it } from "bun:test"
import { readdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import { failureActionOf } from "../../core/FailurePolicy.ts"
import { decodeJob } from "../../core/Job.ts"
import { loadProfile } from "../../core/Profile.ts"
import { keyOf } from "../support/plugin/index.ts"
import { profileOf, runWithFaulty, statusOf, stepOf, tempDirs } from "./support/sdk.ts"

const dirs = tempDirs()
afterEach(dirs.cleanup)

/** faulty.after needs what faulty.enrich writes; test.upper does not; test.export runs after everything. */
const STEPS = ["test.source", "faulty.enrich", "faulty.after", "test.upper", "test.export"]
const FAILING = { "faulty.enrich": { mode: "fail", at: 2 } }

const exportedRows = async (outDir: string) =>
  (await readFile(join(outDir, "export/data.csv"), "utf8")).trim().split("\n").slice(1)

const eventsOf = async (outDir: string) => {
  const [file] = await readdir(join(outDir, "logs"))
  return (await readFile(join(outDir, "logs", file!), "utf8"))
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { type: string; step?: string; [key: string]: unknown })
}

describe("on_step_failure", () => {
  it("stops the run at a failed step by default", async () => {
    const summary = await runWithFaulty({ outDir: await dirs.make(), profile: profileOf(STEPS, FAILING) })
    expect(summary).toMatchObject({ status: "failed", exit_code: 1, error: { step: "faulty.enrich" } })
    expect(stepOf(summary, "test.export")).toMatchObject({ status: "not_run", detail: "not reached" })
  })

  it("continues past a failed enricher: its dependents read what it read, and no row is lost", async () => {
    const outDir = await dirs.make()
    const summary = await runWithFaulty({ outDir, profile: profileOf(STEPS, FAILING, { "faulty.*": "continue" }) })
    expect(statusOf(summary)).toEqual({
      "test.source": "done",
      "faulty.enrich": "failed",
      "test.upper": "done",
      "faulty.after": "not_run",
      "test.export": "done"
    })
    expect(stepOf(summary, "faulty.enrich")?.detail).toContain(`(plugin faulty 2.1.0, record ${keyOf(2)})`)
    expect(stepOf(summary, "faulty.after")?.detail).toStartWith(
      "it reads faulty_label, which faulty.enrich did not write (step faulty.enrich failed"
    )
    // Continued past a failure: the run did not do everything it was asked, so it is failed with exit 1.
    expect(summary).toMatchObject({
      status: "failed",
      exit_code: 1,
      error: { step: "faulty.enrich", tag: "StepFailed" }
    })
    const rows = await exportedRows(outDir)
    expect(rows).toHaveLength(20)
    expect(rows[0]).toBe(`${keyOf(0)},Company 0,COMPANY 0,`)
    const failures = (await eventsOf(outDir)).filter((event) => event.type === "step.fail")
    expect(failures).toEqual([expect.objectContaining({ step: "faulty.enrich", continued: true })])
  })

  it("still measures the KPIs of a run that continued, without letting them hide the failure", async () => {
    const summary = await runWithFaulty({
      outDir: await dirs.make(),
      profile: profileOf(STEPS, FAILING, "continue"),
      job: await Effect.runPromise(
        decodeJob({ niche: "sdk_test", kpi_targets: { min_fill_rates: { faulty_label: 0.5 } } }, { file: "(job)" })
      )
    })
    expect(summary.exit_code).toBe(1)
    expect(summary.kpis.results).toEqual([expect.objectContaining({ met: false })])
  })

  it("does not run the steps whose input was a failed source, saying why", async () => {
    const summary = await runWithFaulty({
      outDir: await dirs.make(),
      profile: profileOf(["test.source", "faulty.collect", "test.export"], {}, "continue")
    })
    expect(stepOf(summary, "faulty.collect")?.status).toBe("failed")
    expect(stepOf(summary, "test.export")).toMatchObject({
      status: "not_run",
      detail: expect.stringContaining("its input faulty.collect has no records (step faulty.collect failed")
    })
    expect(summary.exit_code).toBe(1)
  })

  it("re-runs a step that failed when the run is resumed, and its dependents after it", async () => {
    const outDir = await dirs.make()
    await runWithFaulty({ outDir, profile: profileOf(STEPS, FAILING, "continue") })
    const resumed = await runWithFaulty({ outDir, resume: true, profile: profileOf(STEPS, {}, "continue") })
    expect(statusOf(resumed)).toEqual({
      "test.source": "skipped",
      "faulty.enrich": "done",
      "test.upper": "skipped",
      "faulty.after": "done",
      "test.export": "done"
    })
    expect(resumed.exit_code).toBe(0)
  })

  it("refuses a key that matches no step of the profile", async () => {
    const refused = runWithFaulty({
      outDir: await dirs.make(),
      profile: profileOf(STEPS, {}, { "enrich.*": "continue" })
    })
    await expect(refused).rejects.toThrow("on_step_failure names enrich.*, which matches no step of the profile")
  })

  it("picks the most specific setting: the step's name or id, then the longest pattern, then *", () => {
    const profile = profileOf([], {}, { "*": "continue", "enrich.*": "stop", "enrich.email": "continue" })
    const action = (name: string, id = name) => failureActionOf(profile, { name, id })
    expect(action("enrich.email")).toBe("continue")
    expect(action("enrich.phone")).toBe("stop")
    expect(action("enrich.domains", "enrich.domain")).toBe("stop")
    expect(action("dumps.collect")).toBe("continue")
    expect(failureActionOf(profileOf([]), { name: "enrich.email", id: "enrich.email" })).toBe("stop")
  })

  it("is read from the profile file, and a bad value names the key", async () => {
    const dir = await dirs.make()
    const good = join(dir, "good.yaml")
    await writeFile(good, "description: x\nsteps: [test.source]\non_step_failure: { enrich.*: continue }\n")
    expect((await Effect.runPromise(loadProfile(good))).on_step_failure).toEqual({ "enrich.*": "continue" })
    const bad = join(dir, "bad.yaml")
    await writeFile(bad, "description: x\nsteps: [test.source]\non_step_failure: sometimes\n")
    const error = await Effect.runPromise(Effect.flip(loadProfile(bad)))
    expect(error.message).toContain(
      `on_step_failure: stop, continue, or a mapping of step ids or patterns ("enrich.*", "*") to stop or continue`
    )
  })
})
