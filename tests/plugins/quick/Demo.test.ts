/**
 * The demo job on the bundled sample (plugins/sirene/sample) runs end to end through the CLI, as
 * `bun run demo` does, but into a temporary folder. Skipped while the sample is not there yet.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import { existsSync } from "node:fs"
import { readFile, rm } from "node:fs/promises"
import { join } from "node:path"
import { type CliResult, cli, parseCsv, ROOT, tempDir } from "./support.ts"

const SAMPLE = join(ROOT, "plugins/sirene/sample")
const JOB = join(SAMPLE, "demo.job.yaml")
const hasSample = existsSync(JOB)

let out: string
let run: CliResult

beforeAll(async () => {
  if (!hasSample) return
  out = await tempDir("demo")
  run = await cli(["run-profile", "--job", JOB, "--input", SAMPLE, "--out", out])
}, 120_000)

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true })
})

describe("bun run demo", () => {
  it.skipIf(!hasSample)(
    "runs quick, then standard offline on the fixture web: sites crawled, contacts extracted into dataset_enriched and contacts/",
    async () => {
      const folder = await tempDir("demo-script")
      try {
        const child = Bun.spawn(["bun", join(ROOT, "cli/demo.ts")], {
          cwd: ROOT,
          env: { ...process.env, FILON_DEMO_OUT: folder, FILON_DATA_DIR: join(folder, "data") },
          stdout: "pipe",
          stderr: "pipe"
        })
        const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited])
        expect({
          code: [0, 4].includes(code) ? 0 : code,
          tail: [0, 4].includes(code) ? "" : stderr.slice(-2000)
        }).toEqual({
          code: 0,
          tail: ""
        })
        expect(stderr).toMatch(/Crawl: 40 sites, \d+ pages kept/)
        const manifest = JSON.parse(await readFile(join(folder, "web", "manifest.json"), "utf8"))
        expect(manifest.profile).toBe("standard")
        expect(manifest.files.map((file: { path: string }) => file.path)).toContain("contacts/contacts.parquet")
        const [registryHeader] = parseCsv(await readFile(join(folder, "web", "dataset.csv"), "utf8"))
        expect(registryHeader).not.toContain("crawl_status")
        const [header, ...rows] = parseCsv(await readFile(join(folder, "web", "dataset_enriched.csv"), "utf8"))
        const column = (name: string) => header!.indexOf(name)
        expect(column("crawl_status")).toBeGreaterThan(0)
        expect(rows.filter((row) => row[column("crawl_status")] === "ok").length).toBeGreaterThan(30)
        // Every site of the fixture web shows a phone and most an email: extraction fills the columns,
        // and an own email is on the company's domain.
        expect(rows.filter((row) => row[column("phone")]?.startsWith("+")).length).toBeGreaterThan(25)
        const withEmail = rows.filter((row) => (row[column("email")] ?? "") !== "")
        expect(withEmail.length).toBeGreaterThan(15)
        for (const row of withEmail) {
          expect(row[column("email")]!.split("@")[1]).toBe(row[column("website")]!.replace(/^www\./, ""))
        }
      } finally {
        await rm(folder, { recursive: true, force: true })
      }
    },
    120_000
  )
})

describe("the demo job on the bundled sample", () => {
  it.skipIf(!hasSample)("succeeds, with its KPIs met or not (exit 0 or 4)", () => {
    expect({ code: run.code, stderr: [0, 4].includes(run.code) ? "" : run.stderr }).toEqual({
      code: run.code === 4 ? 4 : 0,
      stderr: ""
    })
  })

  it.skipIf(!hasSample)("writes a non-empty dataset.csv", async () => {
    const [header, ...rows] = parseCsv(await readFile(join(out, "dataset.csv"), "utf8"))
    expect(header?.slice(0, 2)).toEqual(["siret", "siren"])
    expect(rows.length).toBeGreaterThan(0)
  })

  it.skipIf(!hasSample)("ends its output with the KPI line", () => {
    expect(run.stdout.trimEnd().split("\n").at(-1)).toStartWith("KPIs")
  })
})
