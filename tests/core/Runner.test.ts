import { afterEach, describe, expect, it, spyOn } from "bun:test"
import { readdirSync, readFileSync } from "node:fs"
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import { decodeJob, type Job } from "../../core/Job.ts"
import * as MemoryRelief from "../../core/MemoryRelief.ts"
import { definePlugin } from "../../core/Plugin.ts"
import type { Profile } from "../../core/Profile.ts"
import { makeRegistry, Registry } from "../../core/Registry.ts"
import { type RunRequest, runProfile } from "../../core/Runner.ts"
import { readState } from "../../core/RunState.ts"
import { defineStep } from "../../core/Step.ts"
import testPlugin from "../support/plugin/index.ts"

const dirs: string[] = []
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), "filon-runner-"))
  dirs.push(dir)
  return dir
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

const profileOf = (steps: string[], config: Profile["config"] = {}): Profile => ({
  id: "test",
  file: "(test)",
  description: "test",
  steps,
  config
})

const jobOf = (value: Record<string, unknown> = {}) =>
  Effect.runPromise(decodeJob({ niche: "runner_test", ...value }, { file: "(test job)" })) as Promise<Job>

const PIPELINE = ["test.source", "test.upper", "test.score", "test.export"]

const run = async (request: Partial<RunRequest> & { outDir: string }) => {
  const registry = await Effect.runPromise(makeRegistry([testPlugin]))
  const full: RunRequest = {
    job: request.job ?? (await jobOf()),
    jobFile: null,
    profile: request.profile ?? profileOf(PIPELINE),
    inputs: [],
    resume: false,
    workers: 1,
    retry: { base: "1 millis", cap: "5 millis", times: 2 },
    ...request
  }
  return Effect.runPromise(Effect.either(runProfile(full).pipe(Effect.provideService(Registry, registry))))
}

const runOk = async (request: Partial<RunRequest> & { outDir: string }) => {
  const result = await run(request)
  if (Either.isLeft(result)) throw new Error(`run refused: ${result.left.message}`)
  return result.right
}

const sha256 = (bytes: string | Uint8Array) => new Bun.CryptoHasher("sha256").update(bytes).digest("hex")

const statusOf = (summary: { steps: ReadonlyArray<{ name: string; status: string }> }) =>
  Object.fromEntries(summary.steps.map((step) => [step.name, step.status]))

const eventsOf = async (dir: string) => {
  const [file] = await readdir(join(dir, "logs"))
  const text = await readFile(join(dir, "logs", file!), "utf8")
  return text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { seq: number; type: string; step?: string; [key: string]: unknown })
}

/**
 * How many steps had started and ended so far, read synchronously from the folder's one event log
 * (written as the run goes): where a call made during a run falls.
 */
const stepProgress = (dir: string) => {
  const [file] = readdirSync(join(dir, "logs"))
  const types = readFileSync(join(dir, "logs", file!), "utf8")
    .trim()
    .split("\n")
    .map((line) => (JSON.parse(line) as { type: string }).type)
  return {
    started: types.filter((type) => type === "step.start").length,
    ended: types.filter((type) => type === "step.end").length
  }
}

describe("Runner", () => {
  it("runs a profile in dependency order and records each output's contract", async () => {
    const outDir = await tempDir()
    const summary = await runOk({ outDir })
    expect(summary.status).toBe("succeeded")
    expect(summary.exit_code).toBe(0)
    expect(summary.steps.map((step) => [step.name, step.batch])).toEqual([
      ["test.source", 0],
      ["test.upper", 1],
      ["test.score", 1],
      ["test.export", 2]
    ])
    const csv = await readFile(join(outDir, "export/data.csv"), "utf8")
    const lines = csv.trim().split("\n")
    expect(lines).toHaveLength(101)
    // The sink reads the merge of both transforms: every row has the upper-cased name and the score.
    expect(lines[1]).toBe("10000000000000,Company 0,COMPANY 0,0")
    const sirets = lines.slice(1).map((line) => line.split(",")[0]!)
    expect(sirets).toEqual([...sirets].sort())
    const state = await Effect.runPromise(readState(outDir))
    const exported = state!.steps["test.export"]!.outputs.find((output) => output.path === "export/data.csv")!
    expect(exported.sha256).toBe(sha256(csv))
    expect(exported.rows).toBe(100)
    expect(summary.outputs.find((output) => output.path === "export/data.csv")?.sha256).toBe(sha256(csv))
    expect(state!.steps["test.source"]!.outputs[0]!.rows).toBe(100)
  })

  it("gives memory back between the steps it runs, never after the last one", async () => {
    const outDir = await tempDir()
    // Where each call falls: how many steps had started and ended (the event log is written as it goes).
    const calls: Array<{ started: number; ended: number }> = []
    const between = spyOn(MemoryRelief, "relieveBetweenSteps").mockImplementation(() => {
      calls.push(stepProgress(outDir))
      return false
    })
    try {
      await runOk({ outDir })
      // After each of the first three steps ended and before the next one started; not after the fourth.
      expect(calls).toEqual([
        { started: 1, ended: 1 },
        { started: 2, ended: 2 },
        { started: 3, ended: 3 }
      ])
      between.mockClear()
      // Nothing to run again: no step ran, so no step's garbage waits.
      const resumed = await runOk({ outDir, resume: true })
      expect(Object.values(statusOf(resumed))).toEqual(PIPELINE.map(() => "skipped"))
      expect(between).not.toHaveBeenCalled()
      // One step alone: nothing runs after it.
      await runOk({ outDir, only: ["test.score"] })
      expect(between).not.toHaveBeenCalled()
    } finally {
      between.mockRestore()
    }
  })

  it("starts the warm-ups of the steps it will run when it executes the first one, each function once", async () => {
    let outDir = await tempDir()
    // Where each warm-up falls, read from the event log as it is written.
    const calls: Array<{ warmUp: string; started: number; ended: number }> = []
    // Each scenario below has its own folder, so one run's log (a resumed run goes on with it).
    const recordCall = (warmUp: string) => () => {
      calls.push({ warmUp, ...stepProgress(outDir) })
    }
    const shared = recordCall("shared")
    const failing = () => {
      recordCall("failing")()
      throw new Error("a warm-up that fails")
    }
    const drain = (input: Stream.Stream<unknown, unknown>) => Stream.runDrain(input)
    const warmPlugin = definePlugin({
      id: "warm-test",
      steps: [
        defineStep({ id: "warm.first", description: "d", kind: "sink", warmUp: shared, run: drain }),
        defineStep({ id: "warm.second", description: "d", kind: "sink", warmUp: shared, run: drain }),
        defineStep({ id: "warm.failing", description: "d", kind: "sink", warmUp: failing, run: drain }),
        defineStep({ id: "warm.alone", description: "d", kind: "sink", warmUp: recordCall("alone"), run: drain })
      ]
    })
    const registry = await Effect.runPromise(makeRegistry([testPlugin, warmPlugin]))
    const runWarm = (extra: Partial<RunRequest>) =>
      Effect.runPromise(
        runProfile({
          job: { niche: "runner_test" } as Job,
          jobFile: null,
          profile: profileOf(["test.source", "warm.first", "warm.second", "warm.failing", "warm.alone"]),
          inputs: [],
          resume: false,
          workers: 1,
          retry: { base: "1 millis", cap: "5 millis", times: 2 },
          outDir,
          ...extra
        }).pipe(Effect.provideService(Registry, registry))
      )

    // Run-step of two steps: only theirs start, once per function, just before the first step starts.
    const selected = await runWarm({ only: ["test.source", "warm.failing"] })
    expect(selected.status).toBe("succeeded")
    expect(calls).toEqual([{ warmUp: "failing", started: 0, ended: 0 }])

    // The whole profile: a warm-up that throws stops nothing, and the shared function is called once.
    calls.length = 0
    outDir = await tempDir()
    const summary = await runWarm({})
    expect(summary.status).toBe("succeeded")
    expect(Object.values(statusOf(summary))).toEqual(["done", "done", "done", "done", "done"])
    expect(calls).toEqual([
      { warmUp: "shared", started: 0, ended: 0 },
      { warmUp: "failing", started: 0, ended: 0 },
      { warmUp: "alone", started: 0, ended: 0 }
    ])

    // A resumed run with nothing to do starts no warm-up.
    calls.length = 0
    const resumed = await runWarm({ resume: true })
    expect(Object.values(statusOf(resumed))).toEqual(["skipped", "skipped", "skipped", "skipped", "skipped"])
    expect(calls).toEqual([])
  })

  it("logs start and end of every step with counts, durations and budget use", async () => {
    const outDir = await tempDir()
    const summary = await runOk({ outDir })
    const events = await eventsOf(outDir)
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1))
    expect(events[0]!.type).toBe("run.start")
    expect(events.at(-1)!.type).toBe("run.end")
    for (const step of PIPELINE) {
      const end = events.find((event) => event.type === "step.end" && event.step === step)!
      expect(end).toBeDefined()
      expect(typeof end.duration_ms).toBe("number")
      expect(end.budgets).toHaveProperty("http_requests")
      expect(events.findIndex((event) => event.type === "step.start" && event.step === step)).toBeLessThan(
        events.indexOf(end)
      )
    }
    const upper = events.find((event) => event.type === "step.end" && event.step === "test.upper")!
    expect([upper.rows_in, upper.rows_out]).toEqual([100, 100])
    expect(events.every((event) => event.run_id === summary.run_id)).toBe(true)
  })

  it("skips every step on resume when the recorded outputs are intact, continuing the event sequence", async () => {
    const outDir = await tempDir()
    const first = await runOk({ outDir })
    const before = await readFile(join(outDir, "export/data.csv"))
    const second = await runOk({ outDir, resume: true })
    expect(second.run_id).toBe(first.run_id)
    expect(Object.values(statusOf(second))).toEqual(["skipped", "skipped", "skipped", "skipped"])
    expect(await readFile(join(outDir, "export/data.csv"))).toEqual(before)
    const events = await eventsOf(outDir)
    expect(events.filter((event) => event.type === "step.skip")).toHaveLength(4)
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1))
  })

  it("re-runs a step whose output was altered, and nothing upstream", async () => {
    const outDir = await tempDir()
    await runOk({ outDir })
    const original = await readFile(join(outDir, "export/data.csv"), "utf8")
    await writeFile(join(outDir, "export/data.csv"), original.replace("Company 0", "Company X"))
    const resumed = await runOk({ outDir, resume: true })
    expect(statusOf(resumed)).toEqual({
      "test.source": "skipped",
      "test.upper": "skipped",
      "test.score": "skipped",
      "test.export": "done"
    })
    expect(await readFile(join(outDir, "export/data.csv"), "utf8")).toBe(original)
  })

  it("re-runs a step whose records were truncated, plus its dependents", async () => {
    const outDir = await tempDir()
    await runOk({ outDir })
    const records = join(outDir, "state/records/test.upper.jsonl")
    const text = await readFile(records, "utf8")
    await writeFile(records, text.slice(0, text.length / 2))
    const resumed = await runOk({ outDir, resume: true })
    expect(statusOf(resumed)).toEqual({
      "test.source": "skipped",
      "test.upper": "done",
      "test.score": "skipped",
      "test.export": "done"
    })
    expect(await readFile(records, "utf8")).toBe(text)
  })

  it("re-runs a step whose settings changed", async () => {
    const outDir = await tempDir()
    await runOk({ outDir })
    const resumed = await runOk({ outDir, resume: true, set: ["test.score.bonus=5"] })
    expect(statusOf(resumed)["test.score"]).toBe("done")
    expect(statusOf(resumed)["test.upper"]).toBe("skipped")
  })

  it("produces the same bytes with independent steps in parallel", async () => {
    const [serialDir, parallelDir] = [await tempDir(), await tempDir()]
    const profile = profileOf(PIPELINE, { "test.source": { rows: 2000 } })
    await runOk({ outDir: serialDir, profile })
    const parallel = await runOk({ outDir: parallelDir, profile, workers: 2 })
    expect(parallel.status).toBe("succeeded")
    for (const file of ["export/data.csv", "export/count.json", "state/records/test.upper.jsonl"]) {
      expect(sha256(await readFile(join(parallelDir, file)))).toBe(sha256(await readFile(join(serialDir, file))))
    }
  })

  it("retries a step that fails with a retryable error, and succeeds", async () => {
    const outDir = await tempDir()
    const counter = join(outDir, "attempts")
    const profile = profileOf(["test.source", "test.flaky"], {
      "test.flaky": { failures: 2, retryable: true, counter }
    })
    const summary = await runOk({ outDir, profile })
    expect(summary.status).toBe("succeeded")
    expect((await readFile(counter, "utf8")).length).toBe(3)
    expect((await eventsOf(outDir)).filter((event) => event.type === "step.retry")).toHaveLength(2)
  })

  it("does not retry a non-retryable failure: the run fails with exit 1 and later steps do not run", async () => {
    const outDir = await tempDir()
    const counter = join(outDir, "attempts")
    const profile = profileOf(["test.source", "test.flaky", "test.export"], {
      "test.flaky": { failures: 5, retryable: false, counter }
    })
    const summary = await runOk({ outDir, profile })
    expect(summary.status).toBe("failed")
    expect(summary.exit_code).toBe(1)
    expect(summary.error?.step).toBe("test.flaky")
    expect((await readFile(counter, "utf8")).length).toBe(1)
    expect(statusOf(summary)).toEqual({ "test.source": "done", "test.flaky": "failed", "test.export": "not_run" })
    expect(summary.kpis.verdict).toStartWith("KPIs NOT MET")
  })

  it("stops at the request budget without exceeding it: exit 3, and the summary says what it stopped", async () => {
    const outDir = await tempDir()
    const summary = await runOk({
      outDir,
      profile: profileOf(["test.source", "test.spend"]),
      job: await jobOf({ budgets: { max_http_requests: 37 } })
    })
    expect(summary.exit_code).toBe(3)
    expect(summary.stopped_by?.budget).toBe("http_requests")
    expect(summary.stopped_by?.steps).toEqual(["test.spend"])
    expect(summary.budgets.http_requests.used).toBe(37)
    expect(summary.budgets.http_requests.exceeded).toBe(true)
    expect(statusOf(summary)["test.spend"]).toBe("stopped")
  })

  it("keeps at most --sample records at the source", async () => {
    const outDir = await tempDir()
    const summary = await runOk({ outDir, sample: 7 })
    expect(summary.steps.find((step) => step.name === "test.source")?.rows_out).toBe(7)
    expect((await readFile(join(outDir, "export/data.csv"), "utf8")).trim().split("\n")).toHaveLength(8)
  })

  it("measures KPIs on the final records: met, and not met with the reason", async () => {
    const met = await runOk({
      outDir: await tempDir(),
      job: await jobOf({
        kpi_targets: {
          min_quality_score: 40,
          max_duplicate_rate: 0,
          min_fill_rates: { name_upper: 1 },
          min_lines_per_s: 10
        }
      })
    })
    expect(met.kpis.met).toBe(true)
    expect(met.kpis.verdict).toBe("KPIs MET")
    const missed = await runOk({
      outDir: await tempDir(),
      profile: profileOf(["test.source", "test.upper", "test.export"]),
      job: await jobOf({ kpi_targets: { min_quality_score: 40, min_fill_rates: { name_upper: 1 } } })
    })
    expect(missed.exit_code).toBe(4)
    expect(missed.kpis.verdict).toBe(
      "KPIs NOT MET: min_quality_score (not measured: no step of this profile writes quality_score)"
    )
  })

  it("refuses a profile with a step no plugin provides, before writing anything", async () => {
    const registry = await Effect.runPromise(
      makeRegistry([testPlugin], [{ id: "enrich.email", aliases: [], description: "emails", after: [] }])
    )
    const outDir = join(await tempDir(), "never")
    const result = await Effect.runPromise(
      Effect.flip(
        runProfile({
          job: await jobOf(),
          jobFile: null,
          profile: profileOf(["test.source", "enrich.email"]),
          inputs: [],
          outDir,
          resume: false,
          workers: 1
        }).pipe(Effect.provideService(Registry, registry))
      )
    )
    expect(result._tag).toBe("StepNotAvailable")
    expect(result.message).toContain("enrich.email (not built yet)")
    expect(await readdir(outDir).catch(() => "absent")).toBe("absent")
  })

  it("refuses a profile where a step reads a field nobody upstream writes", async () => {
    const result = await run({ outDir: await tempDir(), profile: profileOf(["test.source", "test.export"]) })
    // test.export reads only `name`, which the source writes: fine. test.score without its source is not.
    expect(Either.isRight(result)).toBe(true)
    const refused = await run({ outDir: await tempDir(), profile: profileOf(["test.score"]) })
    expect(Either.isLeft(refused) && refused.left.message).toContain("test.score needs test.source")
  })

  it("refuses a second live run on the same folder", async () => {
    const outDir = await tempDir()
    const slow = profileOf(PIPELINE, { "test.source": { rows: 400, delay_ms: 40, chunk: 50 } })
    const first = run({ outDir, profile: slow })
    await Bun.sleep(100)
    const second = await run({ outDir })
    expect(Either.isLeft(second) && second.left._tag).toBe("RunLocked")
    expect((await first)._tag).toBe("Right")
    // Once the first run is over, the folder is free again.
    expect((await run({ outDir }))._tag).toBe("Right")
  })

  it("refuses a folder locked from another host while its heartbeat is fresh, and takes it over once stale", async () => {
    const outDir = await tempDir()
    const lock = join(outDir, "state/lock")
    await mkdir(join(outDir, "state"), { recursive: true })
    await writeFile(
      lock,
      JSON.stringify({ pid: 1, host: "another-host", run_id: "theirs", since: "2026-11-21T00:00:00Z" })
    )
    const refused = await run({ outDir })
    expect(Either.isLeft(refused) && refused.left._tag).toBe("RunLocked")
    const stale = new Date(Date.now() - 2 * 60_000)
    await utimes(lock, stale, stale)
    expect((await run({ outDir }))._tag).toBe("Right")
  })

  it("runs one step on its own with run-step, reading upstream records from the folder", async () => {
    const outDir = await tempDir()
    await runOk({ outDir })
    const summary = await runOk({ outDir, only: ["test.score"], set: ["test.score.bonus=10"] })
    expect(statusOf(summary)["test.score"]).toBe("done")
    expect(statusOf(summary)["test.export"]).toBe("skipped")
    const fresh = await runOk({ outDir: await tempDir(), only: ["test.upper"] })
    expect(fresh.exit_code).toBe(2)
    expect(fresh.error?.message).toContain("needs the records of test.source")
  })
})
