import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { JSC_TUNING, TUNED_MARKER, tunedEnvironment } from "../../cli/jitTuning.ts"

const PROBE = join(import.meta.dir, "..", "support", "tunedProbe.ts")
const THRESHOLD = "BUN_JSC_thresholdForFTLOptimizeAfterWarmUp"

/** The probe's report, from a process started with `env` (and none of the tuning variables unless given). */
const probe = (env: Record<string, string>, bunFlags: string[] = []) => {
  const base: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && name !== TUNED_MARKER && !(name in JSC_TUNING)) base[name] = value
  }
  const child = Bun.spawnSync([process.execPath, ...bunFlags, PROBE, "first arg", "--json"], {
    env: { ...base, ...env },
    stdout: "pipe",
    stderr: "pipe"
  })
  expect(child.exitCode).toBe(0)
  // One line: the process before the re-execution printed nothing.
  const lines = child.stdout.toString().trim().split("\n")
  expect(lines).toHaveLength(1)
  const report = JSON.parse(lines[0]!) as {
    pid: number
    threshold: string | null
    marker: string | null
    args: string[]
    execArgv: string[]
  }
  // Re-executed in place (execve), not as a child left waiting beside it.
  expect(report.pid).toBe(child.pid)
  return report
}

describe("JavaScriptCore tuning of the filon command", () => {
  it("re-executes once with the tuning, keeping arguments and Bun's own flags", () => {
    const report = probe({}, ["--smol"])
    expect(report.threshold).toBe("1000000")
    expect(report.marker).toBe("1")
    expect(report.args).toEqual(["first arg", "--json"])
    expect(report.execArgv).toContain("--smol")
  })

  it("keeps a value the user set, and runs untouched when told not to tune", () => {
    expect(probe({ [THRESHOLD]: "5000" }).threshold).toBe("5000")
    const untuned = probe({ [TUNED_MARKER]: "0" })
    expect(untuned.threshold).toBeNull()
    expect(untuned.marker).toBe("0")
  })

  it("adds only what is missing, and nothing once tuned", () => {
    expect(tunedEnvironment({ PATH: "/bin" })).toEqual({ PATH: "/bin", ...JSC_TUNING, [TUNED_MARKER]: "1" })
    expect(tunedEnvironment({ [TUNED_MARKER]: "1" })).toBeUndefined()
    expect(tunedEnvironment({ ...JSC_TUNING })).toBeUndefined()
  })
})
