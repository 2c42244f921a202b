import { describe, expect, it } from "bun:test"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import {
  JSC_TUNING,
  recordTuning,
  TUNED_MARKER,
  tunedEnvironment,
  tuningAccepted,
  verifiedTuning
} from "../../cli/jitTuning.ts"

const ROOT = resolve(import.meta.dir, "..", "..")
const PROBE = join(ROOT, "tests", "support", "tunedProbe.ts")
const THRESHOLD = "BUN_JSC_thresholdForFTLOptimizeAfterWarmUp"

/** This process's environment without any tuning, marker or BUN_OPTIONS, plus `env`. */
const environment = (env: Record<string, string>) => {
  const base: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && name !== TUNED_MARKER && name !== "BUN_OPTIONS" && !(name in JSC_TUNING))
      base[name] = value
  }
  return { ...base, ...env }
}

interface Report {
  pid: number
  threshold: string | null
  marker: string | null
  args: string[]
  execArgv: string[]
}

/** The probe's report, from a process started with `bunFlags` and `env`. */
const probe = (env: Record<string, string>, bunFlags: string[] = []): Report => {
  const child = Bun.spawnSync([process.execPath, ...bunFlags, PROBE, "first arg", "--json"], {
    cwd: ROOT,
    env: environment(env),
    stdout: "pipe",
    stderr: "pipe"
  })
  expect(child.exitCode).toBe(0)
  // One line: the process before the re-execution printed nothing.
  const lines = child.stdout.toString().trim().split("\n")
  expect(lines).toHaveLength(1)
  const report = JSON.parse(lines[0]!) as Report
  // Re-executed in place (execve), not as a child left waiting beside it.
  expect(report.pid).toBe(child.pid)
  return report
}

describe("JavaScriptCore tuning of the filon command", () => {
  it("re-executes once with the tuning, keeping the arguments and Bun's own flags", () => {
    const report = probe({}, ["--smol"])
    expect(report.threshold).toBe("1000000")
    expect(report.marker).toBe("1")
    expect(report.args).toEqual(["first arg", "--json"])
    expect(report.execArgv).toEqual(["--smol"])
  })

  it("keeps a value the user set, and runs untouched when told not to tune", () => {
    expect(probe({ [THRESHOLD]: "5000" }).threshold).toBe("5000")
    const untuned = probe({ [TUNED_MARKER]: "0" })
    expect(untuned.threshold).toBeNull()
    expect(untuned.marker).toBe("0")
  })

  it("runs untuned rather than give Bun a flag twice", () => {
    // --cwd was applied by the first image: given again (relative), it would fail.
    const moved = probe({}, ["--cwd", "tests"])
    expect(moved.threshold).toBeNull()
    expect(moved.execArgv).toEqual(["--cwd", "tests"])
    // BUN_OPTIONS' flags reach execArgv as well as staying in the environment.
    expect(probe({ BUN_OPTIONS: "--smol" }).threshold).toBeNull()
  })

  it("adds only what is missing, and nothing once tuned", () => {
    expect(tunedEnvironment({ PATH: "/bin" })).toEqual({ PATH: "/bin", ...JSC_TUNING, [TUNED_MARKER]: "1" })
    expect(tunedEnvironment({ [TUNED_MARKER]: "1" })).toBeUndefined()
    expect(tunedEnvironment({ ...JSC_TUNING })).toBeUndefined()
  })

  it("applies the options only under the Bun that the build tried them on", () => {
    const dir = mkdtempSync(join(tmpdir(), "filon-jsc-"))
    try {
      const file = join(dir, "jsc-tuning.json")
      expect(verifiedTuning(file)).toBeUndefined()
      expect(recordTuning(file)).toBe(true)
      expect(verifiedTuning(file)).toEqual(JSC_TUNING)
      // Another Bun's record, or options that Bun refused: nothing is applied.
      const record = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>
      writeFileSync(file, JSON.stringify({ ...record, bunRevision: "another" }))
      expect(verifiedTuning(file)).toBeUndefined()
      expect(tuningAccepted({ BUN_JSC_noSuchOptionAnywhere: "1" })).toBe(false)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("is what the filon launcher runs with: JavaScriptCore reports the option", () => {
    if (verifiedTuning() === undefined) recordTuning()
    const child = Bun.spawnSync([process.execPath, join(ROOT, "cli", "filon.ts"), "--help"], {
      cwd: ROOT,
      env: environment({ BUN_JSC_dumpOptions: "1" }),
      stdout: "pipe",
      stderr: "pipe"
    })
    expect(child.exitCode).toBe(0)
    expect(child.stdout.toString()).toContain("usage: filon")
    // JavaScriptCore lists the options it was started with that differ from its defaults.
    expect(child.stderr.toString()).toContain("thresholdForFTLOptimizeAfterWarmUp=1000000")
  })
})
