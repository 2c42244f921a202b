import { afterEach, describe, expect, it } from "bun:test"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { keyOf } from "../support/plugin/index.ts"
import { FAULTY, profileOf, runWithFaulty, statusOf, stepOf, tempDirs } from "./support/sdk.ts"

const dirs = tempDirs()
afterEach(dirs.cleanup)

const PIPELINE = ["test.source", "faulty.enrich", "test.export"]

/** Runs the pipeline with faulty.enrich misbehaving on the record at position 2 (siret keyOf(2)). */
const runMode = async (mode: string, options: { builtin?: boolean; timeout_s?: number } = {}) =>
  runWithFaulty({
    outDir: await dirs.make(),
    profile: profileOf(PIPELINE, { "faulty.enrich": { mode, at: 2 } }),
    builtin: options.builtin ?? false,
    ...(options.timeout_s !== undefined ? { entry: { use: FAULTY, timeout_s: options.timeout_s } } : {})
  })

describe("a third-party plugin's step", () => {
  it("runs like any step when it behaves, its plugin settings reaching its layer and its context", async () => {
    const outDir = await dirs.make()
    const summary = await runWithFaulty({
      outDir,
      entry: { use: FAULTY, config: { label: "acme", weight: 2 } },
      profile: profileOf([...PIPELINE, "faulty.after"])
    })
    expect(summary.exit_code).toBe(0)
    const records = (await readFile(join(outDir, "state/records/faulty.after.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line))
    expect(records).toHaveLength(20)
    expect(records[0]).toMatchObject({
      faulty_label: "acme",
      faulty_len: "Company 0".length * 2,
      faulty_after: "acme:acme"
    })
  })

  const blames = [
    ["fail", "fails", "faulty on purpose: the lookup failed"],
    ["die", "dies", "an unexpected defect"],
    ["throw", "throws", "cannot read properties of undefined"],
    ["not_object", "returns a number", "returned a malformed record: number 42 instead of a record"],
    ["drop_key", "drops the siret", "returned a malformed record: a record without its siret (siret is absent)"],
    [
      "change_key",
      "changes the siret",
      "returned a malformed record: a record with siret 99999999999999, which it was not given"
    ],
    [
      "wrong_type",
      "writes a declared field with the wrong type",
      `returned a malformed record: field faulty_len is the string "seven", not the integer the step declares`
    ]
  ] as const
  for (const [mode, behaviour, cause] of blames) {
    it(`fails its step naming the plugin, the step and the record when it ${behaviour}`, async () => {
      const summary = await runMode(mode)
      expect(summary.exit_code).toBe(1)
      expect(summary.error?.step).toBe("faulty.enrich")
      // A changed key names the key it invented; every other failure the record the step was given.
      const record = mode === "change_key" ? "99999999999999" : keyOf(2)
      expect(summary.error?.message).toStartWith(`step faulty.enrich failed (plugin faulty 2.1.0, record ${record}): `)
      expect(summary.error?.message).toContain(cause)
      expect(statusOf(summary)).toEqual({ "test.source": "done", "faulty.enrich": "failed", "test.export": "not_run" })
    })
  }

  it("fails within its time limit when it hangs, naming the limit, the plugin and the record", async () => {
    const started = Date.now()
    const summary = await runMode("hang", { timeout_s: 0.3 })
    expect(Date.now() - started).toBeLessThan(5000)
    expect(summary.exit_code).toBe(1)
    expect(summary.error?.message).toBe(
      `step faulty.enrich failed (plugin faulty 2.1.0, record ${keyOf(2)}): still running after its time limit of 0.3 s (timeout_s of its plugin entry)`
    )
  })

  it("fails only its own steps when its layer cannot start", async () => {
    const summary = await runWithFaulty({
      outDir: await dirs.make(),
      entry: { use: FAULTY, config: { fail_start: true } },
      profile: profileOf(["test.source", "faulty.enrich", "test.upper", "test.export"], {}, "continue")
    })
    expect(stepOf(summary, "faulty.enrich")).toMatchObject({
      status: "failed",
      detail: expect.stringContaining(
        "plugin faulty 2.1.0 could not start its services: faulty on purpose: no connection at start"
      )
    })
    expect(statusOf(summary)["test.upper"]).toBe("done")
    expect(statusOf(summary)["test.export"]).toBe("done")
  })

  it("is not watched when the same plugin is built in: built-in steps pay nothing per record", async () => {
    // The guard would refuse the string in an integer field; a built-in step's records are not checked.
    const summary = await runMode("wrong_type", { builtin: true })
    expect(summary.exit_code).toBe(0)
  })
})
