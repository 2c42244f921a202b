/**
 * rejects.csv is a file of the run like the exports: a company on the job's suppression list keeps
 * its reject line (file, line, reason: nothing vanishes from the counts) without its SIRET or the
 * raw content of its line; other rejects are untouched.
 */
import { afterAll, describe, expect, test } from "bun:test"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { OFFICIAL_ESTABLISHMENT_HEADER } from "../../../plugins/sirene/columns.ts"
import { runBuiltinCli, tempDirs } from "../../cli/support.ts"
import { parseCsv } from "../quick/support.ts"
import {
  csvLine,
  establishment,
  establishmentsCsv,
  legalUnit,
  legalUnitsCsv,
  sirenOf,
  siretOf
} from "../sirene/support.ts"

const dirs = tempDirs("rejects-suppression")
afterAll(() => dirs.cleanup())

describe("normalize.standardize rejects and the suppression list", () => {
  test("a suppressed company's reject keeps its line and reason, not its SIRET or raw content", async () => {
    const objected = siretOf(sirenOf("73282932"))
    const other = siretOf(sirenOf("55210055"))
    const kept = siretOf(sirenOf("44306184"))
    const dir = await dirs.make()
    // Lines with one column too many: rejected by the collector with the raw line.
    const broken = [objected, other].map(
      (siret) => `${csvLine(OFFICIAL_ESTABLISHMENT_HEADER, establishment(siret))},extra`
    )
    writeFileSync(join(dir, "etab.csv"), establishmentsCsv([establishment(kept)], broken))
    writeFileSync(
      join(dir, "ul.csv"),
      legalUnitsCsv([kept, objected, other].map((siret) => legalUnit(siret.slice(0, 9))))
    )
    writeFileSync(join(dir, "optout.csv"), `value\n${objected.slice(0, 9)}\n`)
    writeFileSync(join(dir, "profile.yaml"), "description: rejects\nsteps: [dumps.collect, normalize.standardize]\n")
    writeFileSync(
      join(dir, "job.yaml"),
      'niche: rejects_suppression\nprofile: ./profile.yaml\nsuppression_list: "./optout.csv"\n'
    )
    const run = await runBuiltinCli(
      ["run-profile", "--job", "job.yaml", "--input", "etab.csv", "--input", "ul.csv", "--out", "out"],
      dir
    )
    expect({ code: run.code, stderr: run.code === 0 ? "" : run.stderr }).toEqual({ code: 0, stderr: "" })
    const [header, ...rows] = parseCsv(readFileSync(join(dir, "out", "normalized", "rejects.csv"), "utf8"))
    const rejects = rows
      .map((row) => Object.fromEntries(header!.map((name, index) => [name, row[index] ?? ""])))
      .sort((a, b) => Number(a.line) - Number(b.line))
    expect(rejects.map((reject) => reject.line)).toEqual(["3", "4"])
    const [withheld, shown] = rejects
    expect(withheld).toMatchObject({ file: "etab.csv", line: "3", siret: "", raw: "" })
    expect(withheld!.detail).toContain("suppression list")
    expect(withheld!.reason).toBe(shown!.reason)
    expect(shown).toMatchObject({ siret: other })
    expect(shown!.raw).toContain(other)
    expect(readFileSync(join(dir, "out", "normalized", "rejects.csv"), "utf8")).not.toContain(objected.slice(0, 9))

    // The list's content is in the step's fingerprint: a second objection re-runs it on resume.
    writeFileSync(join(dir, "optout.csv"), `value\n${objected.slice(0, 9)}\n${other.slice(0, 9)}\n`)
    const resumed = await runBuiltinCli(["resume", "--out", "out"], dir)
    expect({ code: resumed.code, stderr: resumed.code === 0 ? "" : resumed.stderr }).toEqual({ code: 0, stderr: "" })
    const after = readFileSync(join(dir, "out", "normalized", "rejects.csv"), "utf8")
    expect(after).not.toContain(other.slice(0, 9))
    expect(parseCsv(after)).toHaveLength(3)
  }, 60_000)
})
