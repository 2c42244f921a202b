/**
 * A `quick` run on a generated stock killed with SIGKILL at seeded points (and in the middle of
 * writing an output) resumes to the same bytes as an uninterrupted run: real `bun cli/main.ts`
 * processes, real kills, as in tests/core/Resume.test.ts but with the real SIRENE steps.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import { existsSync } from "node:fs"
import { readdir, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { generateStock } from "../../../bench/sirene/generate.ts"
import { cli, ROOT, sha256Of, tempDir } from "./support.ts"

/** The files a resumed run must reproduce byte for byte. */
const COMPARED = [
  "dataset.csv",
  "dataset.parquet",
  "dataset_premium.csv",
  "dataset_premium.parquet",
  "normalized/normalized.parquet",
  "normalized/rejects.csv"
]
const TEMP_MARKER = ".filon-tmp-"

let base: string
let inputs: string[]
let reference: Record<string, string>

const snapshot = async (dir: string) =>
  Object.fromEntries(await Promise.all(COMPARED.map(async (file) => [file, await sha256Of(join(dir, file))] as const)))

const temporaryFiles = async (dir: string) =>
  (await readdir(dir, { recursive: true })).filter((path) => String(path).includes(TEMP_MARKER))

const start = (out: string) =>
  Bun.spawn(
    [
      process.execPath,
      "cli/main.ts",
      "run-profile",
      "--job",
      join(base, "job.yaml"),
      ...inputs.flatMap((input) => ["--input", input]),
      "--out",
      out
    ],
    { cwd: ROOT, stdout: "ignore", stderr: "ignore" }
  )

const resume = async (out: string) => {
  const result = await cli(["resume", "--out", out, "--json"])
  return { ...result, status: result.code === 0 ? (JSON.parse(result.stdout) as { status: string }).status : null }
}

/** Waits until `found()` holds, polling every 2 ms; false if the process ended first. */
const waitFor = async (child: ReturnType<typeof start>, found: () => boolean | Promise<boolean>) => {
  let ended = false
  child.exited.then(() => {
    ended = true
  })
  while (!ended) {
    if (await found()) return true
    await Bun.sleep(2)
  }
  return false
}

/** mulberry32: the kill points are the same on every run of the suite. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

let referenceMs = 0

beforeAll(async () => {
  base = await tempDir("resume")
  const generated = await generateStock({ establishments: 200_000, seed: 20251123, dir: join(base, "in") })
  inputs = [generated.etabFile, generated.ulFile]
  // About 8,000 rows kept: every step of the profile has work to be killed in.
  await writeFile(
    join(base, "job.yaml"),
    `niche: quick_resume\nprofile: quick\nfilters:\n  naf_include: ["62", "47.11D"]\npremium: { min_quality_score: 60 }\n`
  )
  const out = join(base, "reference")
  const started = performance.now()
  expect(await start(out).exited).toBe(0)
  referenceMs = performance.now() - started
  reference = await snapshot(out)
}, 60_000)

afterAll(async () => {
  await rm(base, { recursive: true, force: true })
})

describe("a quick run killed with SIGKILL", () => {
  it("takes long enough for the kill points to land inside the run", () => {
    expect(referenceMs).toBeGreaterThan(1000)
  })

  const random = seeded(20251123)
  // After the run state exists (about 0.5 s after the start): one seeded point in each quarter of 2.5 s.
  const delays = Array.from({ length: 4 }, (_, quarter) => Math.round((quarter + random()) * 625))

  for (const [index, delay] of delays.entries()) {
    it(`resumes to the same bytes after a kill ${delay} ms into the run (seeded point ${index + 1})`, async () => {
      const out = join(base, `killed-${index}`)
      const child = start(out)
      expect(await waitFor(child, () => existsSync(join(out, "state", "run.json")))).toBe(true)
      await Bun.sleep(delay)
      child.kill("SIGKILL")
      await child.exited
      const resumed = await resume(out)
      expect({ code: resumed.code, status: resumed.status, stderr: resumed.code === 0 ? "" : resumed.stderr }).toEqual({
        code: 0,
        status: "succeeded",
        stderr: ""
      })
      expect(await snapshot(out)).toEqual(reference)
      expect(await temporaryFiles(out)).toEqual([])
    }, 30_000)
  }

  for (const target of ["normalized/normalized.parquet", "dataset.csv"]) {
    it(`resumes to the same bytes after a kill in the middle of writing ${target}`, async () => {
      const out = join(base, `killed-writing-${target.replace(/\W/g, "_")}`)
      const [folder, name] = target.includes("/") ? target.split("/") : ["", target]
      const child = start(out)
      const writing = await waitFor(child, async () => {
        const names = await readdir(join(out, folder!)).catch(() => [] as string[])
        return names.some((entry) => entry.startsWith(`${name}${TEMP_MARKER}`))
      })
      child.kill("SIGKILL")
      await child.exited
      expect(writing).toBe(true)
      const resumed = await resume(out)
      expect({ code: resumed.code, status: resumed.status }).toEqual({ code: 0, status: "succeeded" })
      expect(await snapshot(out)).toEqual(reference)
      expect(await temporaryFiles(out)).toEqual([])
    }, 30_000)
  }
})
