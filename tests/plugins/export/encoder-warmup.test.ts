/**
 * The Parquet-writing steps' warm-up (`startParquetEncoder`): the encoder thread starts before the
 * first write, the write that follows is unchanged, and a process that only warmed up still exits.
 * Each case runs in its own process: the encoder is one worker per process.
 */
import { afterAll, describe, expect, it } from "bun:test"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"

const dir = await mkdtemp(join(tmpdir(), "filon-warmup-"))
afterAll(() => rm(dir, { recursive: true, force: true }))

const WRITERS = join(import.meta.dir, "../../../plugins/export/writers")

const runScript = async (name: string, code: string) => {
  const script = join(dir, name)
  await Bun.write(script, code)
  const child = Bun.spawn(["bun", script], { stdout: "pipe", stderr: "pipe" })
  // A process the warm-up kept alive would never end: the test's own timeout is the bound.
  const [exitCode, stdout, stderr] = await Promise.all([
    child.exited,
    new Response(child.stdout).text(),
    new Response(child.stderr).text()
  ])
  return { exitCode, stdout, stderr }
}

const ROWS = `Array.from({ length: 5000 }, (_, i) => ({ siret: String(10000000000000 + i), n: i, ok: i % 2 === 0 }))`
const COLUMNS = `[{ name: "siret", type: "string" }, { name: "n", type: "integer" }, { name: "ok", type: "boolean" }]`

describe("Parquet encoder warm-up", () => {
  it("writes the same file after a warm-up as without one", async () => {
    const write = (warm: boolean, file: string) => `
      import { startParquetEncoder, writeParquet } from ${JSON.stringify(join(WRITERS, "lazy-parquet.ts"))}
      ${warm ? "startParquetEncoder(); await Bun.sleep(200)" : ""}
      const written = await writeParquet(${JSON.stringify(join(dir, file))}, ${COLUMNS}, ${ROWS})
      console.log(JSON.stringify(written))
    `
    const warmed = await runScript("warmed.ts", write(true, "warmed.parquet"))
    const cold = await runScript("cold.ts", write(false, "cold.parquet"))
    expect(warmed.stderr).toBe("")
    expect(warmed.exitCode).toBe(0)
    expect(cold.exitCode).toBe(0)
    const a = JSON.parse(warmed.stdout) as { rows: number; sha256: string }
    const b = JSON.parse(cold.stdout) as { rows: number; sha256: string }
    expect(a.rows).toBe(5000)
    expect(a.sha256).toBe(b.sha256)
  }, 30_000)

  it("does not keep a process alive that writes nothing after warming up", async () => {
    const only = await runScript(
      "only-warm.ts",
      `import { startParquetEncoder } from ${JSON.stringify(join(WRITERS, "lazy-parquet.ts"))}
       startParquetEncoder()
       startParquetEncoder()
       // Long enough for the worker to be running (it loads parquet-wasm) when the script ends.
       await Bun.sleep(300)
       console.log("done")`
    )
    expect(only.exitCode).toBe(0)
    expect(only.stdout.trim()).toBe("done")
  }, 30_000)
})
