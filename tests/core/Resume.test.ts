/**
 * A run killed with SIGKILL at any point, including in the middle of writing an output, resumes to
 * the same bytes as an uninterrupted run. Real processes, real kills, seeded kill points.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import { existsSync } from "node:fs"
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, relative, resolve } from "node:path"

const ROOT = resolve(import.meta.dir, "..", "..")
const PLUGIN = join(ROOT, "tests/support/plugin/index.ts")

let base: string
let jobFile: string
let reference: Map<string, string>

/** The files a resumed run must reproduce byte for byte: every output and every record file. */
const COMPARED = /^(export\/|state\/records\/)/

const snapshot = async (dir: string) => {
  const result = new Map<string, string>()
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name)
      if (entry.isDirectory()) await walk(path)
      else if (COMPARED.test(relative(dir, path))) {
        result.set(relative(dir, path), new Bun.CryptoHasher("sha256").update(await readFile(path)).digest("hex"))
      }
    }
  }
  await walk(dir)
  return result
}

const temporaryFiles = async (dir: string) =>
  (await readdir(dir, { recursive: true })).filter((path) => String(path).includes(".filon-tmp-"))

const start = (out: string) =>
  Bun.spawn(["bun", "cli/main.ts", "run-profile", "--job", jobFile, "--out", out], {
    cwd: ROOT,
    stdout: "ignore",
    stderr: "ignore"
  })

const resume = async (out: string) => {
  const child = Bun.spawn(["bun", "cli/main.ts", "resume", "--out", out, "--json"], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe"
  })
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited
  ])
  return { code, stdout, stderr }
}

/** mulberry32: the kill points are the same on every run of the suite. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "filon-resume-"))
  // Slow enough (about a second and a half) for kills to land in every step, including the chunked write.
  await writeFile(
    join(base, "profile.yaml"),
    `description: kill test
steps: [test.source, test.upper, test.score, test.export]
config:
  test.source: { rows: 1500, delay_ms: 25, chunk: 100 }
  test.export: { delay_ms: 12, chunk: 40, marker: ${JSON.stringify(join(base, "MARKER"))} }
`
  )
  jobFile = join(base, "job.yaml")
  await writeFile(jobFile, `niche: kill_test\nprofile: ./profile.yaml\nplugins: [${JSON.stringify(PLUGIN)}]\n`)
  const out = join(base, "reference")
  expect(await start(out).exited).toBe(0)
  reference = await snapshot(out)
  expect([...reference.keys()].sort()).toEqual([
    "export/count.json",
    "export/data.csv",
    "state/records/test.score.jsonl",
    "state/records/test.source.jsonl",
    "state/records/test.upper.jsonl"
  ])
})

afterAll(async () => {
  await rm(base, { recursive: true, force: true })
})

describe("resume after SIGKILL", () => {
  const random = seeded(20261121)
  const delays = Array.from({ length: 6 }, () => Math.round(random() * 1500))

  for (const [index, delay] of delays.entries()) {
    it(`resumes to the same bytes after a kill at ${delay} ms (seeded point ${index + 1})`, async () => {
      const out = join(base, `killed-${index}`)
      const child = start(out)
      // The clock starts once the run exists (its state file), so a slow start on a loaded machine
      // does not turn the test into a kill before anything began.
      while (!existsSync(join(out, "state/run.json"))) await Bun.sleep(2)
      await Bun.sleep(delay)
      child.kill("SIGKILL")
      await child.exited
      const resumed = await resume(out)
      expect(resumed.code).toBe(0)
      expect(JSON.parse(resumed.stdout).status).toBe("succeeded")
      expect(await snapshot(out)).toEqual(reference)
      expect(await temporaryFiles(out)).toEqual([])
    })
  }

  it("resumes to the same bytes after a kill in the middle of writing an output", async () => {
    const out = join(base, "killed-mid-write")
    await rm(join(base, "MARKER"), { force: true })
    const child = start(out)
    while (!existsSync(join(base, "MARKER"))) await Bun.sleep(2)
    child.kill("SIGKILL")
    await child.exited
    // Killed mid-write: the output is not in place, only its temporary file.
    expect(existsSync(join(out, "export/data.csv"))).toBe(false)
    expect((await temporaryFiles(out)).length).toBeGreaterThan(0)
    const resumed = await resume(out)
    expect(resumed.code).toBe(0)
    const summary = JSON.parse(resumed.stdout) as { steps: Array<{ name: string; status: string }> }
    // Finished steps are not redone; the interrupted sink is.
    expect(Object.fromEntries(summary.steps.map((step) => [step.name, step.status]))).toEqual({
      "test.source": "skipped",
      "test.upper": "skipped",
      "test.score": "skipped",
      "test.export": "done"
    })
    expect(await snapshot(out)).toEqual(reference)
    expect(await temporaryFiles(out)).toEqual([])
  })
})
