import { afterAll, describe, expect, it } from "bun:test"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { hostname } from "node:os"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import YAML from "yaml"
import { main } from "../../cli/main.ts"
import { parseJobText } from "../../core/Job.ts"
import { RunSummary } from "../../core/Summary.ts"
import {
  captureIo,
  fixtureJob,
  isEmptyOrMissing,
  lastLine,
  repoRoot,
  runCli,
  tempDirs,
  testJob,
  testPlugin,
  writeJob
} from "./support.ts"

const temp = tempDirs("commands")
afterAll(temp.cleanup)

const decodeSummary = Schema.decodeUnknownSync(RunSummary)

const profileSteps = (id: string) =>
  (YAML.parse(readFileSync(join(repoRoot, "profiles", `${id}.yaml`), "utf8")) as { steps: string[] }).steps

const PROFILE_IDS = ["deep", "hybrid", "internal", "quick", "standard", "standard_nocapital", "standard_nocapital_v2"]

const statusOf = (summary: RunSummary) => Object.fromEntries(summary.steps.map((step) => [step.name, step.status]))

describe("run-profile --explain and --dry-run", () => {
  it("lists every step of a profile with --explain, saying which are not available, and exits 0", async () => {
    const out = join(temp.make("explain"), "out")
    const result = await runCli([
      "run-profile",
      "--job",
      fixtureJob,
      "--profile",
      "standard",
      "--explain",
      "--out",
      out
    ])
    expect(result.code).toBe(0)
    const lines = result.stdout.split("\n")
    const steps = profileSteps("standard")
    expect(steps.length).toBe(17)
    for (const step of steps) {
      const line = lines.find((candidate) => candidate.startsWith(`  ${step}:`) || candidate.startsWith(`  ${step} `))
      expect(line, `a plan line for ${step}`).toBeDefined()
      expect(line).toContain("not available")
    }
    expect(result.stdout).toContain("a run of this profile is refused")
    expect(isEmptyOrMissing(out)).toBe(true)
  })

  it("prints the plan and says nothing was run with --dry-run, writing nothing to the run folder", async () => {
    const out = join(temp.make("dry"), "out")
    const result = await runCli(["run-profile", "--job", fixtureJob, "--dry-run", "--out", out])
    expect(result.code).toBe(0)
    for (const step of ["test.source", "test.upper", "test.score", "test.export"]) expect(result.stdout).toContain(step)
    expect(result.stdout).toContain("outputs: export/data.csv")
    // The settings the run would use, from the profile's config.
    expect(result.stdout).toContain('"rows":300')
    expect(result.stdout).toContain("nothing was run")
    expect(isEmptyOrMissing(out)).toBe(true)
  })
})

describe("profiles and plugins", () => {
  it("lists the 7 built-in profiles", async () => {
    const result = await runCli(["profiles"])
    expect(result.code).toBe(0)
    const ids = result.stdout
      .trimEnd()
      .split("\n")
      .map((line) => line.split(/\s+/)[0])
    expect(ids.sort()).toEqual(PROFILE_IDS)
  })

  it("shows one profile's plan", async () => {
    const result = await runCli(["profiles", "quick"])
    expect(result.code).toBe(0)
    expect(result.stdout).toStartWith("profile quick (")
    for (const step of profileSteps("quick")) expect(result.stdout).toContain(`  ${step}: not available`)
  })

  it("lists the steps of a plugin loaded with --plugin", async () => {
    const result = await runCli(["plugins", "--plugin", testPlugin])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("test 1.0.0")
    for (const step of ["test.source", "test.score", "test.export", "test.flaky", "test.spend", "test.sleep"]) {
      expect(result.stdout).toContain(`  ${step} [`)
    }
    expect(result.stdout).toContain("test.upper (aliases: test.upper_alias) [transform]")
    expect(result.stdout).toContain("documented steps not available yet: dumps.collect")
  })
})

describe("create-job", () => {
  it("prints a job that loads back with the NAF codes given and the quick profile", async () => {
    const result = await runCli(["create-job", "--naf", "62.02A", "--naf", "62.01"])
    expect(result.code).toBe(0)
    const job = await Effect.runPromise(parseJobText(result.stdout, "(create-job output)"))
    expect(job.filters?.naf_include).toEqual(["62.02A", "62.01"])
    expect(job.profile).toBe("quick")
  })

  it("refuses a malformed NAF code, naming naf_include", async () => {
    const result = await runCli(["create-job", "--naf", "6202"])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("naf_include")
    expect(result.stderr).toContain('"6202"')
    expect(result.stdout).toBe("")
  })
})

describe("batch", () => {
  it("runs the template once per NAF code, each in its own sub-folder, and prints the runs as JSON", async () => {
    const dir = temp.make("batch")
    const template = writeJob(dir, testJob({ niche: "batch" }), "template.yaml")
    const outputDir = join(dir, "runs")
    const result = await runCli([
      "batch",
      "--naf",
      "62.01",
      "--naf",
      "62.02A",
      "--template",
      template,
      "--output-dir",
      outputDir,
      "--json"
    ])
    expect(result.code).toBe(0)
    const { runs } = JSON.parse(result.stdout) as { runs: Array<{ naf: string; exit_code: number; summary: unknown }> }
    expect(runs.map((run) => [run.naf, run.exit_code])).toEqual([
      ["62.01", 0],
      ["62.02A", 0]
    ])
    for (const run of runs) {
      const folder = join(outputDir, run.naf)
      const summary = decodeSummary(run.summary)
      expect(summary.status).toBe("succeeded")
      expect(summary.out_dir).toBe(folder)
      expect(existsSync(join(folder, "export", "data.csv"))).toBe(true)
      const job = await Effect.runPromise(parseJobText(readFileSync(join(folder, "job.yaml"), "utf8"), "job.yaml"))
      expect(job.filters?.naf_include).toEqual([run.naf])
    }
  })
})

describe("run-step and resume", () => {
  it("re-runs only the step asked for in a folder of a finished run", async () => {
    const out = join(temp.make("runstep"), "out")
    const full = await runCli(["run-profile", "--job", fixtureJob, "--out", out])
    expect(full.code).toBe(0)
    const result = await runCli(["run-step", "--job", fixtureJob, "--out", out, "--step", "test.upper", "--json"])
    expect(result.code).toBe(0)
    const summary = decodeSummary(JSON.parse(result.stdout))
    expect(statusOf(summary)).toEqual({
      "test.source": "skipped",
      "test.upper": "done",
      "test.score": "skipped",
      "test.export": "skipped"
    })
  })

  it("refuses run-step in a fresh folder with exit 2, naming the missing upstream step", async () => {
    const out = join(temp.make("runstep-fresh"), "out")
    const result = await runCli(["run-step", "--job", fixtureJob, "--out", out, "--step", "test.upper"])
    expect(result.code).toBe(2)
    // The reason is in the summary on stdout (stderr only carries the progress display, discarded here).
    expect(`${result.stdout}${result.stderr}`).toContain("needs the records of test.source")
  })

  it("refuses resume of a folder without run state with exit 2", async () => {
    const dir = temp.make("nostate")
    const result = await runCli(["resume", "--out", dir])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`${dir} holds no run state`)
  })

  it("resumes a finished run without re-running its steps", async () => {
    const out = join(temp.make("resume"), "out")
    expect((await runCli(["run-profile", "--job", fixtureJob, "--out", out])).code).toBe(0)
    const result = await runCli(["resume", "--out", out, "--json"])
    expect(result.code).toBe(0)
    const summary = decodeSummary(JSON.parse(result.stdout))
    expect(summary.resumed).toBe(true)
    expect(new Set(Object.values(statusOf(summary)))).toEqual(new Set(["skipped"]))
  })
})

describe("the run folder's lock", () => {
  const writeLock = (out: string, pid: number) => {
    mkdirSync(join(out, "state"), { recursive: true })
    const lock = JSON.stringify({ pid, host: hostname(), run_id: "x", since: "now" })
    writeFileSync(join(out, "state", "lock"), lock)
    return lock
  }

  it("refuses a run on a folder whose lock a live process holds, naming the holder", async () => {
    // The holder is a live child process, not this test process: in-process runs share this process's pid, and a
    // lock on disk carrying the pid of the very process that does not hold it is rightly taken as stale.
    const holder = Bun.spawn(["sleep", "60"], { stdout: "ignore", stderr: "ignore" })
    try {
      const out = join(temp.make("locked"), "out")
      const lock = writeLock(out, holder.pid)
      const result = await runCli(["run-profile", "--job", fixtureJob, "--out", out])
      expect(result.code).toBe(2)
      expect(result.stderr).toContain("held by live run x")
      expect(result.stderr).toContain(`pid ${holder.pid} on ${hostname()}`)
      expect(readFileSync(join(out, "state", "lock"), "utf8")).toBe(lock)
      expect(existsSync(join(out, "state", "run.json"))).toBe(false)
    } finally {
      holder.kill()
      await holder.exited
    }
  })

  it("refuses a second run in this process while the first holds the folder", async () => {
    const dir = temp.make("concurrent")
    const out = join(dir, "out")
    const marker = join(dir, "first-is-writing")
    const slow = ["--set", "test.export.delay_ms=100", "--set", "test.export.chunk=50"]
    const firstIo = captureIo()
    const first = Effect.runPromise(
      main(firstIo, [
        "run-profile",
        "--job",
        fixtureJob,
        "--out",
        out,
        ...slow,
        "--set",
        `test.export.marker=${marker}`
      ])
    )
    for (let waited = 0; !existsSync(marker) && waited < 10_000; waited += 10) await Bun.sleep(10)
    expect(existsSync(marker)).toBe(true)
    const second = await runCli(["run-profile", "--job", fixtureJob, "--out", out])
    expect(second.code).toBe(2)
    expect(second.stderr).toContain(`is held by live run`)
    expect(second.stderr).toContain(`pid ${process.pid}`)
    expect(await first).toBe(0)
    expect(lastLine(firstIo.stdout.join(""))).toBe("KPIs MET")
  })

  it("takes over a lock left by a dead process and runs", async () => {
    const dead = Bun.spawn(["true"], { stdout: "ignore", stderr: "ignore" })
    await dead.exited
    const out = join(temp.make("stale"), "out")
    writeLock(out, dead.pid)
    const result = await runCli(["run-profile", "--job", fixtureJob, "--out", out])
    expect(result.code).toBe(0)
    expect(lastLine(result.stdout)).toBe("KPIs MET")
    // Released when the run ends.
    expect(existsSync(join(out, "state", "lock"))).toBe(false)
  })
})
