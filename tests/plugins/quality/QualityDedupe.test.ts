/**
 * quality.dedupe in a run on the fixture web: two unrelated companies given the same website are
 * flagged (shared domain, and the phone the site shows), a company with its own site is not, and a
 * SIRET listed twice is a duplicate of its first row.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import { main } from "../../../cli/main.ts"
import { builtinPlugins } from "../../../plugins/index.ts"
import { DedupeIndex, domainOf } from "../../../plugins/quality/QualityDedupe.ts"
import { type FixtureWeb, startFixtureWeb } from "../../../plugins/web/fixture/FixtureWeb.ts"
import { captureIo, tempDirs } from "../../cli/support.ts"
import { parseCsv } from "../quick/support.ts"

const dirs = tempDirs("dedupe")
let web: FixtureWeb
let rows: Array<Record<string, string | null>>

beforeAll(async () => {
  web = await startFixtureWeb({ seed: 31, sites: 3 })
  const [a, b, c] = web.truth
  const dir = dirs.make()
  writeFileSync(
    join(dir, "companies.csv"),
    [
      "siret,name,website",
      `${a!.siret},"${a!.name}",${a!.domain}`,
      `${b!.siret},"${b!.name}",${a!.domain}`,
      `${c!.siret},"${c!.name}",${c!.domain}`,
      `${c!.siret},"${c!.name}",${c!.domain}`,
      ""
    ].join("\n")
  )
  const steps = ["dumps.collect", "crawl.site", "enrich.phone", "quality.dedupe", "package.export"]
  writeFileSync(join(dir, "profile.yaml"), `description: dedupe test\nsteps: [${steps.join(", ")}]\n`)
  writeFileSync(
    join(dir, "job.yaml"),
    `niche: dedupe_test\nprofile: ./profile.yaml\nhttp: { proxy: "${web.proxyUrl}", per_host_rps: 20 }\n`
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
  const [header, ...body] = parseCsv(readFileSync(join(out, "dataset_enriched.csv"), "utf8"))
  rows = body.map((row) => Object.fromEntries(header!.map((name, index) => [name, row[index] ?? null])))
}, 120_000)

afterAll(async () => {
  await web?.stop()
  dirs.cleanup()
})

describe("quality.dedupe", () => {
  test("unrelated companies sharing a website are flagged on both; a company's own site is not", () => {
    const [a, b, c] = web.truth
    const flagsOf = (siret: string) => rows.filter((row) => row.siret === siret).map((row) => row.dedupe_flags)
    expect(flagsOf(a!.siret)).toEqual(["shared_domain:1;shared_phone:1"])
    expect(flagsOf(b!.siret)).toEqual(["shared_domain:1;shared_phone:1"])
    expect(flagsOf(c!.siret).every((flags) => flags === null)).toBe(true)
  })

  test("a company list keeps the first row of a SIRET listed twice", () => {
    expect(rows.filter((row) => row.siret === web.truth[2]!.siret)).toHaveLength(1)
  })

  test("a SIRET seen again is a duplicate of its first row; the same SIREN is not 'unrelated'", () => {
    const index = new DedupeIndex()
    const records = [
      { siret: "11111111100011", siren: "111111111", website: "a.fr", phones: ["+33100000001"] },
      { siret: "11111111100011", siren: "111111111", website: "a.fr", phones: ["+33100000001"] },
      { siret: "11111111100029", siren: "111111111", website: "www.a.fr" },
      { siret: "22222222200012", siren: "222222222", website: "b.fr", phones: ["+33100000001"] },
      { siret: "33333333300013", siren: "333333333", website: "a.fr", match_status: "rejected" }
    ]
    for (const record of records) index.count(record)
    expect(records.map((record) => index.flags(record))).toEqual([
      { duplicateOf: null, flags: ["shared_phone:1"] },
      { duplicateOf: "11111111100011", flags: ["shared_phone:1"] },
      { duplicateOf: null, flags: [] },
      { duplicateOf: null, flags: ["shared_phone:1"] },
      // A rejected site is not the company's: its domain is not counted as shared.
      { duplicateOf: null, flags: [] }
    ])
  })

  test("a website value's domain: scheme optional, www. dropped, unusable values null", () => {
    expect(domainOf("https://www.Acme.fr/contact")).toBe("acme.fr")
    expect(domainOf("acme.fr")).toBe("acme.fr")
    expect(domainOf("not a site")).toBeNull()
    expect(domainOf(null)).toBeNull()
  })
})
