import { afterAll, describe, expect, it } from "bun:test"
import { createHash } from "node:crypto"
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { renderSha256Txt, sha256File } from "../../../plugins/export/writers/checksums.ts"

const dir = await mkdtemp(join(tmpdir(), "filon-sha256-"))
afterAll(() => rm(dir, { recursive: true, force: true }))

const hex = (content: string | Uint8Array) => createHash("sha256").update(content).digest("hex")

/** Runs `sha256sum -c sha256.txt` in `cwd`, as a user would in the run folder. */
const sha256sumCheck = (cwd: string) => {
  const result = Bun.spawnSync(["sha256sum", "--check", "--strict", "sha256.txt"], { cwd })
  return { ok: result.exitCode === 0, output: `${result.stdout.toString()}${result.stderr.toString()}` }
}

describe("sha256File", () => {
  it("hashes a file larger than one read chunk like a one-shot hash does", async () => {
    const content = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31) % 251)
    const path = join(dir, "big.bin")
    await writeFile(path, content)
    expect(await sha256File(path)).toBe(hex(content))
  })

  it("hashes an empty file", async () => {
    const path = join(dir, "empty.bin")
    await writeFile(path, "")
    expect(await sha256File(path)).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
  })
})

describe("renderSha256Txt", () => {
  it("writes sha256sum lines sorted by path", () => {
    const a = hex("a")
    const b = hex("b")
    expect(
      renderSha256Txt([
        { path: "manifest.json", sha256: b },
        { path: "dataset.csv", sha256: a.toUpperCase() },
        { path: "contacts/no_contact.csv", sha256: b }
      ])
    ).toBe(`${b}  contacts/no_contact.csv\n${a}  dataset.csv\n${b}  manifest.json\n`)
  })

  it("refuses an absolute path, a malformed digest and one path with two digests", () => {
    expect(() => renderSha256Txt([{ path: "/etc/passwd", sha256: hex("x") }])).toThrow("relative to the run folder")
    expect(() => renderSha256Txt([{ path: "a.csv", sha256: "abc" }])).toThrow("is not a sha256")
    expect(() =>
      renderSha256Txt([
        { path: "a.csv", sha256: hex("1") },
        { path: "a.csv", sha256: hex("2") }
      ])
    ).toThrow("listed twice")
    expect(
      renderSha256Txt([
        { path: "a.csv", sha256: hex("1") },
        { path: "a.csv", sha256: hex("1") }
      ])
    ).toBe(`${hex("1")}  a.csv\n`)
  })

  it("is verified by `sha256sum -c` in the run folder, and fails it once a file changes", async () => {
    const run = join(dir, "run")
    const files: Record<string, string> = {
      "dataset.csv": "siret,name\n1,Acme\n",
      "normalized/normalized.parquet": "PAR1...PAR1",
      "reports/quality summary.json": "{}\n",
      "contacts/odd\\name.csv": "x\n",
      "contacts/line\nbreak.csv": "y\n"
    }
    const entries = []
    for (const [path, content] of Object.entries(files)) {
      const target = join(run, path)
      await mkdir(join(target, ".."), { recursive: true })
      await writeFile(target, content)
      entries.push({ path, sha256: await sha256File(target) })
    }
    await writeFile(join(run, "sha256.txt"), renderSha256Txt(entries))
    const passed = sha256sumCheck(run)
    expect(passed.output).not.toContain("FAILED")
    expect(passed.ok).toBe(true)

    await writeFile(join(run, "dataset.csv"), "siret,name\n1,Acme SARL\n")
    const failed = sha256sumCheck(run)
    expect(failed.ok).toBe(false)
    expect(failed.output).toContain("dataset.csv: FAILED")
  })
})
