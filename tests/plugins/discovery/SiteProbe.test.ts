/** enrich.site_probe in a run on the fixture web: given websites checked, not replaced. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import { main } from "../../../cli/main.ts"
import { builtinPlugins } from "../../../plugins/index.ts"
import { type FixtureWeb, startFixtureWeb } from "../../../plugins/web/fixture/FixtureWeb.ts"
import { captureIo, tempDirs } from "../../cli/support.ts"

const dirs = tempDirs("probe")
let web: FixtureWeb
let records: Array<Record<string, unknown>>

beforeAll(async () => {
  web = await startFixtureWeb({ seed: 41, sites: 4 })
  const dir = dirs.make()
  const [a, b] = web.truth
  writeFileSync(
    join(dir, "companies.csv"),
    [
      "siret,name,website",
      `${a!.siret},"${a!.name}",${a!.domain}`,
      `${b!.siret},"${b!.name}",https://www.facebook.com/${b!.domain.split(".")[0]}`,
      `${web.truth[2]!.siret},"${web.truth[2]!.name}",`,
      ""
    ].join("\n")
  )
  writeFileSync(join(dir, "profile.yaml"), "description: probe test\nsteps: [dumps.collect, enrich.site_probe]\n")
  writeFileSync(
    join(dir, "job.yaml"),
    `niche: probe_test\nprofile: ./profile.yaml\nhttp: { proxy: "${web.proxyUrl}", per_host_rps: 20 }\n`
  )
  process.env.FILON_DATA_DIR = join(dir, "data")
  const io = { ...captureIo(dir), builtins: builtinPlugins }
  const out = join(dir, "out")
  const code = await Effect.runPromise(
    main(io, ["run-profile", "--job", "job.yaml", "--input", "companies.csv", "--out", out])
  )
  expect({ code, stderr: code === 0 || code === 4 ? "" : io.stderr.join("") }).toEqual({
    code: code === 4 ? 4 : 0,
    stderr: ""
  })
  records = readFileSync(join(out, "state/records/enrich.site_probe.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}, 60_000)

afterAll(async () => {
  await web?.stop()
  dirs.cleanup()
})

describe("enrich.site_probe", () => {
  test("the company's own site is ok with a score; a platform page is a directory; no website is left alone", () => {
    const [a, b, c] = web.truth
    const bySiret = new Map(records.map((record) => [record.siret, record]))
    expect(bySiret.get(a!.siret)).toMatchObject({ website_status: "ok", website_source: "given" })
    expect(bySiret.get(a!.siret)!.website_score as number).toBeGreaterThan(0)
    expect(bySiret.get(b!.siret)).toMatchObject({ website_status: "directory", website_score: 0 })
    expect(bySiret.get(c!.siret)!.website_status).toBeUndefined()
  })
})
