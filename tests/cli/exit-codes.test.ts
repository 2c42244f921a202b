import { afterAll, describe, expect, it } from "bun:test"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import * as Schema from "effect/Schema"
import { RunSummary } from "../../core/Summary.ts"
import { cliFixture, fixtureJob, isEmptyOrMissing, lastLine, runCli, tempDirs, testJob, writeJob } from "./support.ts"

const temp = tempDirs("exit")
afterAll(temp.cleanup)

const decodeSummary = Schema.decodeUnknownSync(RunSummary)

describe("filon exit codes: success and KPIs", () => {
  it("exits 0 with KPIs MET as the last line of stdout when the job's KPI targets are met", async () => {
    const out = join(temp.make("ok"), "out")
    const result = await runCli(["run-profile", "--job", fixtureJob, "--out", out])
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(lastLine(result.stdout)).toBe("KPIs MET")
  })

  it("exits 4 with a last line naming the KPI that was missed", async () => {
    const dir = temp.make("kpi")
    const job = writeJob(dir, testJob({ kpi_targets: { min_quality_score: 99 } }))
    const result = await runCli(["run-profile", "--job", job, "--out", join(dir, "out")])
    expect(result.code).toBe(4)
    const verdict = lastLine(result.stdout)
    expect(verdict).toStartWith("KPIs NOT MET:")
    expect(verdict).toContain("min_quality_score")
    expect(verdict).toContain("99")
  })
})

describe("filon exit codes: bad usage or config exits 2", () => {
  it("names the file, the key path and the closest known key for an unknown job key", async () => {
    const dir = temp.make("badkey")
    const job = writeJob(dir, testJob({ filters: { naf_inclde: ["62"] } }))
    const result = await runCli(["run-profile", "--job", job, "--out", join(dir, "out")])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(job)
    expect(result.stderr).toContain("filters.naf_inclde")
    expect(result.stderr).toContain("unknown key")
    expect(result.stderr).toContain('did you mean "naf_include"')
    expect(isEmptyOrMissing(join(dir, "out"))).toBe(true)
  })

  it("names the key path and what was expected for a bad job value", async () => {
    const dir = temp.make("badvalue")
    const job = writeJob(dir, testJob({ budgets: { max_http_requests: -3 } }))
    const result = await runCli(["run-profile", "--job", job, "--out", join(dir, "out")])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(job)
    expect(result.stderr).toContain("budgets.max_http_requests")
    expect(result.stderr).toContain("expected a whole number >= 0")
    expect(result.stderr).toContain("got -3")
  })

  it("names a job file that does not exist", async () => {
    const missing = join(temp.make("nojob"), "missing.yaml")
    const result = await runCli(["run-profile", "--job", missing])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(missing)
    expect(result.stderr).toContain("no such file")
  })

  it("refuses an unknown command and suggests the closest one", async () => {
    const result = await runCli(["run-profil", "--job", fixtureJob])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("unknown command run-profil")
    expect(result.stderr).toContain("did you mean run-profile?")
    expect(result.stdout).toBe("")
  })

  it("refuses an unknown option and suggests the closest one", async () => {
    const result = await runCli(["run-profile", "--job", fixtureJob, "--sampel", "10"])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("unknown option --sampel")
    expect(result.stderr).toContain("did you mean --sample?")
  })

  it("requires --job", async () => {
    const result = await runCli(["run-profile", "--out", join(temp.make("nojobflag"), "out")])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("--job FILE is required")
  })

  it("names an input path that does not exist", async () => {
    const dir = temp.make("noinput")
    const input = join(dir, "nowhere.csv")
    const result = await runCli(["run-profile", "--job", fixtureJob, "--input", input, "--out", join(dir, "out")])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`input ${input} does not exist`)
    expect(isEmptyOrMissing(join(dir, "out"))).toBe(true)
  })

  it("refuses an unknown profile name and suggests the closest one", async () => {
    const dir = temp.make("noprofile")
    const result = await runCli(["run-profile", "--job", fixtureJob, "--profile", "quik", "--out", join(dir, "out")])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("unknown profile quik")
    expect(result.stderr).toContain("did you mean quick?")
  })

  it("refuses a profile with steps that are not available and writes nothing to the run folder", async () => {
    const dir = temp.make("unavailable")
    const job = writeJob(dir, { niche: "no_plugins" })
    const out = join(dir, "out")
    const result = await runCli(["run-profile", "--job", job, "--profile", "quick", "--out", out])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("not available")
    expect(result.stderr).toContain("dumps.collect")
    expect(existsSync(join(out, "state", "run.json"))).toBe(false)
    expect(isEmptyOrMissing(out)).toBe(true)
  })

  it("refuses a --set value of the wrong type for a step setting, naming the step and the setting", async () => {
    const dir = temp.make("badset")
    const out = join(dir, "out")
    const result = await runCli(["run-profile", "--job", fixtureJob, "--set", "test.source.rows=abc", "--out", out])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("test.source")
    expect(result.stderr).toContain("rows")
    expect(result.stderr).toContain('"abc"')
    expect(existsSync(join(out, "state", "run.json"))).toBe(false)
  })
})

describe("filon exit codes: a failed step exits 1", () => {
  it("exits 1 without retrying when a step fails non-retryably, and the summary names the step", async () => {
    const dir = temp.make("flaky")
    const counter = join(dir, "attempts")
    const job = writeJob(
      dir,
      testJob({
        profile: cliFixture("flaky.yaml"),
        config: { "test.flaky": { failures: 5, retryable: false, counter } }
      })
    )
    const text = await runCli(["run-profile", "--job", job, "--out", join(dir, "text")])
    expect(text.code).toBe(1)
    expect(text.stdout).toContain("error: step test.flaky failed")
    expect(lastLine(text.stdout)).toStartWith("KPIs NOT MET")
    // A non-retryable failure is not tried again.
    expect(readFileSync(counter, "utf8")).toBe("x")

    const json = await runCli(["run-profile", "--job", job, "--out", join(dir, "json"), "--json"])
    expect(json.code).toBe(1)
    const summary = decodeSummary(JSON.parse(json.stdout))
    expect(summary.status).toBe("failed")
    expect(summary.exit_code).toBe(1)
    expect(summary.error?.step).toBe("test.flaky")
    expect(summary.error?.message).toContain("test.flaky")
    expect(summary.steps.find((step) => step.name === "test.source")?.status).toBe("done")
    expect(summary.steps.find((step) => step.name === "test.flaky")).toMatchObject({
      status: "failed",
      detail: expect.stringContaining("test.flaky failed")
    })
  })
})

describe("filon exit codes: a budget exceeded exits 3", () => {
  it("stops at max_http_requests and says which budget stopped the run", async () => {
    const dir = temp.make("requests")
    const job = writeJob(
      dir,
      testJob({
        profile: cliFixture("spend.yaml"),
        budgets: { max_http_requests: 10 },
        config: { "test.source": { rows: 100 } }
      })
    )
    const text = await runCli(["run-profile", "--job", job, "--out", join(dir, "text")])
    expect(text.code).toBe(3)
    expect(text.stdout).toContain("stopped by budget http_requests")
    expect(text.stdout).toContain("http_requests 10/10 EXCEEDED")

    const json = await runCli(["run-profile", "--job", job, "--out", join(dir, "json"), "--json"])
    expect(json.code).toBe(3)
    const summary = decodeSummary(JSON.parse(json.stdout))
    expect(summary.exit_code).toBe(3)
    expect(summary.status).toBe("failed")
    expect(summary.stopped_by?.budget).toBe("http_requests")
    expect(summary.budgets.http_requests).toEqual({ used: 10, limit: 10, exceeded: true })
    expect(summary.kpis.met).toBe(false)
    expect(summary.stopped_by?.steps).toEqual(["test.spend"])
    expect(summary.error?.step).toBe("test.spend")
    expect(summary.steps.find((step) => step.name === "test.spend")?.status).toBe("stopped")
  })

  it("stops a long step when --time-budget-min runs out, well before the step would end", async () => {
    const dir = temp.make("walltime")
    const job = writeJob(dir, testJob({ profile: cliFixture("sleep.yaml") }))
    const started = performance.now()
    const result = await runCli([
      "run-profile",
      "--job",
      job,
      "--out",
      join(dir, "out"),
      "--time-budget-min",
      "0.0001",
      "--json"
    ])
    const elapsedMs = performance.now() - started
    expect(result.code).toBe(3)
    const summary = decodeSummary(JSON.parse(result.stdout))
    expect(summary.stopped_by?.budget).toBe("wall_time")
    expect(summary.budgets.wall_time.exceeded).toBe(true)
    expect(summary.budgets.wall_time.limit).toBe(0.0001)
    // test.sleep would take 5 s.
    expect(elapsedMs).toBeLessThan(3000)
    expect(summary.duration_s).toBeLessThan(3)
    // The summary names the step the budget cut short.
    expect(summary.stopped_by?.steps).toEqual(["test.sleep"])
    expect(summary.steps.find((step) => step.name === "test.sleep")?.status).toBe("stopped")
  })
})
