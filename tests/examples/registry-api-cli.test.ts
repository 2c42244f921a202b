/**
 * The example plugin end to end: its own job file and profile, run by the real `filon` process on the
 * bundled SIRENE sample, the plugin loaded by package name, INSEE's API played by the stub on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import {
  answerByLastDigit,
  type SireneStub,
  startSireneStub
} from "../../examples/filon-plugin-registry-api/tests/stub.ts"
import { type CliResult, spawnCli, tempDirs } from "../cli/support.ts"
import { readCsvTable } from "../plugins/quick/support.ts"
import { EXAMPLE, REGISTRY_JOB, runRegistryJob } from "./registryJob.ts"

const KEY = "insee-stub-key-7c1d93"

const dirs = tempDirs("registry-api")
let stub: SireneStub
let out: string
let run: CliResult

beforeAll(async () => {
  stub = startSireneStub(KEY, answerByLastDigit)
  out = dirs.make("run")
  run = await runRegistryJob(out, stub, KEY)
}, 120_000)

afterAll(async () => {
  await stub.stop()
  dirs.cleanup()
})

/** What the stub answers for a SIREN, as the dataset should show it. */
const expectedFor = (siren: string) => {
  const answer = answerByLastDigit(siren)
  if (answer === "not_found") return { registry_lookup: "not_found", registry_state: null }
  if (answer === "not_diffusible") return { registry_lookup: "not_diffusible", registry_state: null }
  if ("status" in answer) throw new Error("no error answers in this test")
  return {
    registry_lookup: "ok",
    registry_state: answer.state === "A" ? "active" : "closed",
    registry_closed_on: answer.state === "C" ? answer.since : null,
    registry_ess: answer.ess === "O" ? "true" : answer.ess === "N" ? "false" : null,
    registry_mission_company: answer.mission === "O" ? "true" : answer.mission === "N" ? "false" : null,
    registry_association_id: answer.association ?? null
  }
}

describe("the example plugin's job through the CLI", () => {
  it("runs its profile with the plugin loaded by package name", () => {
    expect({ code: run.code, stderr: run.code === 0 ? "" : run.stderr.slice(-2000) }).toEqual({ code: 0, stderr: "" })
    const summary = JSON.parse(run.stdout)
    expect(summary.profile).toBe("quick_registry")
    const step = summary.steps.find((candidate: { name: string }) => candidate.name === "enrich.registry")
    expect(step).toMatchObject({ status: "done", rows_in: 29, rows_out: 29 })
    expect(summary.measures.registry_lookups).toBe(29)
  })

  it("puts the plugin's fields in dataset_enriched, as the API answered each company", async () => {
    const table = await readCsvTable(join(out, "dataset_enriched.csv"))
    expect(table.header).toContain("registry_state")
    expect(table.rows).toHaveLength(29)
    // Every kind of answer the stub gives (by the SIREN's last digit) is among the companies.
    const digits = new Set(table.rows.map((row) => row.siren!.at(-1)))
    for (const digit of "012345") expect(digits).toContain(digit)
    for (const row of table.rows) expect(row).toMatchObject(expectedFor(row.siren!))
    // The registry columns are enrichment: dataset.csv keeps the registry's own columns only.
    expect((await readCsvTable(join(out, "dataset.csv"))).header).not.toContain("registry_state")
    expect(readFileSync(join(out, "data_dictionary.md"), "utf8")).toContain("registry_closed_on")
  })

  it("sent the key with every request and wrote it nowhere", () => {
    expect(stub.requests.length).toBe(29)
    expect(stub.requests.every((request) => request.key === KEY)).toBe(true)
    const written = [
      join(out, "state", "run.json"),
      ...readdirSync(join(out, "logs")).map((file) => join(out, "logs", file))
    ]
    for (const file of written) expect(readFileSync(file, "utf8")).not.toContain(KEY)
    expect(run.stdout + run.stderr).not.toContain(KEY)
  })

  it("is listed by `filon plugins --job` with its version and where it came from", async () => {
    const listed = await spawnCli(["plugins", "--job", REGISTRY_JOB, "--json"])
    expect(listed.code).toBe(0)
    const plugin = JSON.parse(listed.stdout).plugins.find(
      (candidate: { id: string }) => candidate.id === "registry-api"
    )
    expect(plugin).toMatchObject({
      version: "0.1.0",
      api: 1,
      origin: { from: "job", specifier: "filon-plugin-registry-api", file: join(EXAMPLE, "index.ts") },
      timeout_s: 1800
    })
  })
})
