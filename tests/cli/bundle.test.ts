/**
 * The prebuilt CLI (decision 020): `bun run build` bundles the command line into dist/filon.js, and the
 * `filon` launcher runs it only while it matches the sources. What users rely on: the bundle gives
 * the same files as the sources, third-party plugins load into it, and a stale bundle is never run.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import { cpSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { buildBundle } from "../../cli/build.ts"
import { BUNDLE_FILE, BYTECODE_FILE, bundleIsFresh, sourceStamp } from "../../cli/bundle.ts"
import {
  answerByLastDigit,
  type SireneStub,
  startSireneStub
} from "../../examples/filon-plugin-registry-api/tests/stub.ts"
import { runRegistryJob, SAMPLE } from "../examples/registryJob.ts"
import { repoRoot, spawnCli, tempDirs } from "./support.ts"

const dirs = tempDirs("bundle")

beforeAll(async () => {
  await buildBundle()
}, 60_000)

afterAll(() => dirs.cleanup())

/** Files of a quick run whose bytes depend only on the data (no clock, no run id). */
const DATASET_FILES = [
  "dataset.csv",
  "dataset.parquet",
  "dataset_premium.csv",
  "dataset_premium.parquet",
  "normalized/normalized.parquet",
  "normalized/rejects.csv",
  "data_dictionary.md"
]

describe("the bundled command line", () => {
  it("is fresh once built, and runs the quick profile to the same files as the sources", async () => {
    expect(bundleIsFresh()).toBe(true)
    const runWith = async (entry: "cli/main.ts" | "dist/filon.js") => {
      const out = dirs.make(entry.replace(/\W/g, "-"))
      const run = await spawnCli(
        ["run-profile", "--job", join(SAMPLE, "demo.job.yaml"), "--input", SAMPLE, "--out", out, "--json"],
        { entry, env: { FILON_DATA_DIR: join(out, "data") } }
      )
      expect({ entry, code: run.code, stderr: run.code === 0 ? "" : run.stderr.slice(-2000) }).toEqual({
        entry,
        code: 0,
        stderr: ""
      })
      return { out, summary: JSON.parse(run.stdout) as { outputs: Array<{ path: string; sha256: string }> } }
    }
    const bundled = await runWith("dist/filon.js")
    const sources = await runWith("cli/main.ts")
    for (const file of DATASET_FILES) {
      expect({ file, bytes: readFileSync(join(bundled.out, file)) }).toEqual({
        file,
        bytes: readFileSync(join(sources.out, file))
      })
    }
    const digests = (summary: typeof bundled.summary) =>
      summary.outputs.filter((output) => DATASET_FILES.includes(output.path)).map((output) => output.sha256)
    expect(digests(bundled.summary)).toEqual(digests(sources.summary))
    expect(digests(bundled.summary).length).toBeGreaterThan(4)
  }, 120_000)

  it("loads a third-party plugin, whose SDK comes from the sources, and runs its step", async () => {
    expect(bundleIsFresh()).toBe(true)
    const key = "insee-stub-key-bundle"
    const stub: SireneStub = startSireneStub(key, answerByLastDigit)
    try {
      const out = dirs.make("plugin")
      const run = await runRegistryJob(out, stub, key, "dist/filon.js")
      expect({ code: run.code, stderr: run.code === 0 ? "" : run.stderr.slice(-2000) }).toEqual({ code: 0, stderr: "" })
      const summary = JSON.parse(run.stdout)
      const step = summary.steps.find((candidate: { name: string }) => candidate.name === "enrich.registry")
      expect(step).toMatchObject({ status: "done", rows_in: 29, rows_out: 29 })
      expect(summary.measures.registry_lookups).toBe(29)
    } finally {
      await stub.stop()
    }
  }, 120_000)

  it("carries its bytecode, and still runs without it or with bytecode of another build", async () => {
    // The runtime loads filon.js.jsc instead of parsing the bundle only when the bundle says so.
    expect(readFileSync(BUNDLE_FILE, "utf8").slice(0, 100)).toContain("@bytecode")
    expect(readFileSync(BYTECODE_FILE).byteLength).toBeGreaterThan(100_000)
    const bare = dirs.make("bare-bundle")
    cpSync(BUNDLE_FILE, join(bare, "filon.js"))
    // This build's bytecode beside a bundle that differs by one comment, and plain junk.
    const foreign = dirs.make("foreign-bytecode")
    writeFileSync(join(foreign, "filon.js"), `${readFileSync(BUNDLE_FILE, "utf8")}\n// another build\n`)
    cpSync(BYTECODE_FILE, join(foreign, "filon.js.jsc"))
    const junk = dirs.make("junk-bytecode")
    cpSync(BUNDLE_FILE, join(junk, "filon.js"))
    writeFileSync(join(junk, "filon.js.jsc"), "not bytecode")
    for (const dir of [bare, foreign, junk]) {
      const child = Bun.spawn(["bun", join(dir, "filon.js"), "--help"], { stdout: "pipe", stderr: "pipe" })
      const [usage, code] = await Promise.all([new Response(child.stdout).text(), child.exited])
      expect({ dir, code, usage: usage.includes("run-profile") }).toEqual({ dir, code: 0, usage: true })
    }
  })

  it("the `filon` launcher answers the same commands", async () => {
    const help = await spawnCli(["--help"], { entry: "cli/filon.ts" })
    expect(help.code).toBe(0)
    expect(help.stdout).toContain("run-profile")
  })
})

describe("the bundle's stamp", () => {
  /** A copy of the folders the stamp covers, to edit without touching the checkout. */
  const copyOfSources = () => {
    const root = dirs.make("stamp")
    for (const dir of ["core", "plugins", "cli", "server"])
      cpSync(join(repoRoot, dir), join(root, dir), { recursive: true })
    for (const file of ["package.json", "bun.lock"]) cpSync(join(repoRoot, file), join(root, file))
    return root
  }

  it("changes when a source file is edited, touched or added, and only then", () => {
    const root = copyOfSources()
    const first = sourceStamp(root)
    expect(sourceStamp(root)).toBe(first)
    const file = join(root, "core", "Record.ts")
    writeFileSync(file, `${readFileSync(file, "utf8")}\n`)
    const edited = sourceStamp(root)
    expect(edited).not.toBe(first)
    utimesSync(file, new Date(), new Date(Date.now() + 5_000))
    const touched = sourceStamp(root)
    expect(touched).not.toBe(edited)
    writeFileSync(join(root, "plugins", "NewStep.ts"), "export {}\n")
    expect(sourceStamp(root)).not.toBe(touched)
  })

  it("makes the launcher's bundle stale when it no longer matches the sources", () => {
    const root = copyOfSources()
    mkdirSync(join(root, "dist"))
    expect(bundleIsFresh(root)).toBe(false) // no stamp: never built
    writeFileSync(join(root, "dist", "filon.stamp"), `${sourceStamp(root)}\n`)
    expect(bundleIsFresh(root)).toBe(true)
    writeFileSync(join(root, "cli", "main.ts"), `${readFileSync(join(root, "cli", "main.ts"), "utf8")}// edited\n`)
    expect(bundleIsFresh(root)).toBe(false)
  })

  it("is written beside the bundle by the build", () => {
    expect(readFileSync(BUNDLE_FILE).byteLength).toBeGreaterThan(100_000)
    expect(readFileSync(join(repoRoot, "dist", "filon.stamp"), "utf8").trim()).toBe(sourceStamp())
  })
})
