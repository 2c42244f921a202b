import { afterAll, describe, expect, it } from "bun:test"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import YAML from "yaml"
import { repoRoot, runCli, tempDirs, testJob, testPlugin, testProfile, writeJob } from "./support.ts"

const dirs = tempDirs("plugins")
afterAll(dirs.cleanup)

const faultyPlugin = join(repoRoot, "tests", "support", "faulty-plugin", "index.ts")

/** A config file naming the faulty plugin with settings, and a job naming the test plugin. */
const setup = () => {
  const dir = dirs.make()
  const config = join(dir, "filon.yaml")
  writeFileSync(config, YAML.stringify({ plugins: [{ use: faultyPlugin, config: { label: "acme" }, timeout_s: 45 }] }))
  const job = writeJob(dir, testJob())
  return { dir, config, job }
}

describe("filon plugins", () => {
  it("lists what a job under a config file would load, with versions and origin (--json)", async () => {
    const { config, job } = setup()
    const result = await runCli(["plugins", "--json", "--job", job, "--config", config])
    expect(result.code).toBe(0)
    const listed = JSON.parse(result.stdout)
    expect(Object.keys(listed)).toEqual(["plugins", "not_available"])
    expect(
      listed.plugins.map(
        (plugin: { id: string; version: string; api: number; origin: unknown; timeout_s: unknown }) => [
          plugin.id,
          plugin.version,
          plugin.api,
          plugin.origin,
          plugin.timeout_s
        ]
      )
    ).toEqual([
      ["faulty", "2.1.0", 1, { from: "config", specifier: faultyPlugin, file: faultyPlugin }, 45],
      ["test", "1.0.0", 1, { from: "job", specifier: testPlugin, file: testPlugin }, 3600]
    ])
  })

  it("says where each plugin came from in text", async () => {
    const { config, job } = setup()
    const result = await runCli(["plugins", "--job", job, "--config", config])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(
      `faulty 2.1.0 (plugin API 1, from the config: ${faultyPlugin}) — Misbehaves on request (SDK tests)`
    )
    expect(result.stdout).toContain(`  file: ${faultyPlugin}`)
    expect(result.stdout).toContain(
      "  faulty.enrich [transform] Labels each record; misbehaves on request. (time limit 45 s)"
    )
    expect(result.stdout).toContain(`test 1.0.0 (plugin API 1, from the job: ${testPlugin})`)
  })

  it("refuses a plugin setting its schema rejects, naming the plugin and the field (exit 2)", async () => {
    const dir = dirs.make()
    const job = writeJob(dir, testJob({ plugins: [testPlugin, { use: faultyPlugin, config: { weight: 0 } }] }))
    const listed = await runCli(["plugins", "--job", job])
    expect(listed.code).toBe(2)
    expect(listed.stderr).toContain(
      `plugin ${faultyPlugin}: settings of faulty (named by the job) are invalid: config.weight:`
    )
    const run = await runCli(["run-profile", "--job", job, "--out", join(dir, "out")])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain("settings of faulty (named by the job) are invalid: config.weight:")
  })
})

describe("filon profiles", () => {
  it("resolves a profile against the plugins a job loads (--job)", async () => {
    const { job } = setup()
    const without = await runCli(["profiles", testProfile])
    expect(without.code).toBe(2)
    const result = await runCli(["profiles", testProfile, "--job", job, "--json"])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).not_available).toEqual([])
  })
})
