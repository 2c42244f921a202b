/**
 * `--json` as a script sees it: real processes, so stdout is the process's own stdout.
 */
import { afterAll, describe, expect, it } from "bun:test"
import { statSync } from "node:fs"
import { join } from "node:path"
import * as Schema from "effect/Schema"
import YAML from "yaml"
import { RunSummary } from "../../core/Summary.ts"
import { cliFixture, fixtureJob, repoRoot, spawnCli, tempDirs, testJob, testPlugin, writeJob } from "./support.ts"

const temp = tempDirs("json")
afterAll(temp.cleanup)

const sha256Of = async (file: string) =>
  new Bun.CryptoHasher("sha256").update(await Bun.file(file).arrayBuffer()).digest("hex")

const PROFILE_IDS = ["deep", "hybrid", "internal", "quick", "standard", "standard_nocapital", "standard_nocapital_v2"]

describe("filon --json", () => {
  it("prints only the run summary on stdout, with checksums that match the files, and progress on stderr", async () => {
    const out = join(temp.make("run"), "out")
    const result = await spawnCli(["run-profile", "--job", fixtureJob, "--out", out, "--json"])
    expect(result.code).toBe(0)
    const summary = Schema.decodeUnknownSync(RunSummary)(JSON.parse(result.stdout))
    expect(summary.run_id).not.toBe("")
    expect(summary.status).toBe("succeeded")
    expect(summary.exit_code).toBe(0)
    expect(summary.out_dir).toBe(out)
    expect(summary.steps.map((step) => [step.name, step.status])).toEqual([
      ["test.source", "done"],
      ["test.upper", "done"],
      ["test.score", "done"],
      ["test.export", "done"]
    ])
    expect(summary.kpis).toMatchObject({ met: true, verdict: "KPIs MET" })
    expect(summary.kpis.results.map((kpi) => kpi.name)).toEqual([
      "min_quality_score",
      "max_duplicate_rate",
      "min_fill_rates.name_upper"
    ])
    expect(Object.keys(summary.budgets).sort()).toEqual(["http_bytes", "http_requests", "ram", "wall_time"])
    expect(summary.outputs.map((output) => output.path).sort()).toEqual(["export/count.json", "export/data.csv"])
    for (const output of summary.outputs) {
      const file = join(out, output.path)
      expect(output.sha256).toMatch(/^[0-9a-f]{64}$/)
      expect(await sha256Of(file)).toBe(output.sha256)
      expect(statSync(file).size).toBe(output.bytes)
    }
    expect(summary.outputs.find((output) => output.path === "export/data.csv")?.rows).toBe(300)
    expect(result.stderr).not.toBe("")
    expect(result.stderr).toContain("test.source")
    expect(result.stderr).not.toContain(summary.outputs[0]!.sha256)
  })

  it("prints one JSON document with exit_code 2 for a bad job, and the message on stderr", async () => {
    const dir = temp.make("badjob")
    const job = writeJob(dir, testJob({ filtres: { naf_include: ["62"] } }))
    const result = await spawnCli(["run-profile", "--job", job, "--out", join(dir, "out"), "--json"])
    expect(result.code).toBe(2)
    const document = JSON.parse(result.stdout)
    expect(document).toMatchObject({ status: "refused", exit_code: 2, error: { tag: "JobInvalid" } })
    expect(document.error.message).toContain("filtres")
    expect(result.stderr).toContain(job)
    expect(result.stderr).toContain('did you mean "filters"')
  })

  it("prints one JSON summary with exit_code 3 when a budget stops the run", async () => {
    const dir = temp.make("budget")
    const job = writeJob(
      dir,
      testJob({
        profile: cliFixture("spend.yaml"),
        budgets: { max_http_requests: 10 },
        config: { "test.source": { rows: 100 } }
      })
    )
    const result = await spawnCli(["run-profile", "--job", job, "--out", join(dir, "out"), "--json"])
    expect(result.code).toBe(3)
    const summary = Schema.decodeUnknownSync(RunSummary)(JSON.parse(result.stdout))
    expect(summary.exit_code).toBe(3)
    expect(summary.stopped_by?.budget).toBe("http_requests")
    expect(result.stderr).toContain("http_requests exceeded")
  })

  it("prints the plan as one JSON document with --explain --json, running nothing", async () => {
    const out = join(temp.make("explain"), "out")
    const result = await spawnCli(["run-profile", "--job", fixtureJob, "--out", out, "--explain", "--json"])
    expect(result.code).toBe(0)
    const plan = JSON.parse(result.stdout)
    expect(plan.profile.id).toBe("test-profile")
    expect(plan.batches).toEqual([["test.source"], ["test.upper", "test.score"], ["test.export"]])
    expect(plan.steps.map((step: { name: string; available: boolean }) => [step.name, step.available])).toEqual([
      ["test.source", true],
      ["test.upper", true],
      ["test.score", true],
      ["test.export", true]
    ])
    expect(plan.not_available).toEqual([])
    expect(statSync(out, { throwIfNoEntry: false })).toBeUndefined()
  })

  it("lists the 7 built-in profiles with profiles --json", async () => {
    const result = await spawnCli(["profiles", "--json"])
    expect(result.code).toBe(0)
    const rows = JSON.parse(result.stdout) as Array<{ id: string; steps: number; available: number }>
    expect(rows.map((row) => row.id).sort()).toEqual(PROFILE_IDS)
    const quick = YAML.parse(await Bun.file(join(repoRoot, "profiles", "quick.yaml")).text()) as { steps: string[] }
    // The quick profile's steps are all built in.
    expect(rows.find((row) => row.id === "quick")).toMatchObject({
      steps: quick.steps.length,
      available: quick.steps.length
    })
  })

  it("lists loaded plugins, and no documented step left unavailable, with plugins --json", async () => {
    const bare = await spawnCli(["plugins", "--json"])
    expect(bare.code).toBe(0)
    const builtins = JSON.parse(bare.stdout)
    expect(builtins.plugins.map((plugin: { id: string }) => plugin.id)).toEqual([
      "sirene",
      "normalize",
      "quality",
      "discovery",
      "web",
      "documents",
      "parse",
      "places",
      "correlation",
      "contacts",
      "export"
    ])
    expect(builtins.not_available).not.toContain("dumps.collect")
    expect(builtins.not_available).not.toContain("crawl.site")
    expect(builtins.not_available).not.toContain("enrich.email")
    // Every step of CONTRACTS.md's catalogue is built.
    expect(builtins.not_available).toEqual([])

    const loaded = await spawnCli(["plugins", "--json", "--plugin", testPlugin])
    expect(loaded.code).toBe(0)
    const withTest = JSON.parse(loaded.stdout)
    expect(withTest.plugins.map((plugin: { id: string }) => plugin.id)).toEqual([
      "sirene",
      "normalize",
      "quality",
      "discovery",
      "web",
      "documents",
      "parse",
      "places",
      "correlation",
      "contacts",
      "export",
      "test"
    ])
    expect(withTest.plugins.at(-1).steps.map((step: { id: string }) => step.id)).toEqual([
      "test.source",
      "test.upper",
      "test.score",
      "test.export",
      "test.flaky",
      "test.spend",
      "test.sleep"
    ])
    expect(withTest.plugins.at(-1).steps[1].aliases).toEqual(["test.upper_alias"])
  })
})
