/**
 * feeds.collect, pdf.collect and parse.pdf in a run, through the real CLI, crawl and fixture web:
 * the documents each site links to are fetched (robots.txt obeyed, size capped), kept, read, and
 * what only they hold (an order-desk address, the feed editor's address, the SIRET in the terms of
 * sale) reaches the dataset, checked against the fixture's ground truth and request log.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { type FixtureWeb, startFixtureWeb } from "../../../plugins/web/fixture/FixtureWeb.ts"
import { runBuiltinCli, tempDirs } from "../../cli/support.ts"
import { parseCsv } from "../quick/support.ts"

const dirs = tempDirs("documents")
let web: FixtureWeb

const STEPS = [
  "dumps.collect",
  "crawl.site",
  "feeds.collect",
  "pdf.collect",
  "parse.pdf",
  "parse.html",
  "enrich.email",
  "package.export"
]

const run = async (extra: ReadonlyArray<string> = []) => {
  const dir = await dirs.make()
  const lines = ["siret,name,website", ...web.truth.map((site) => `${site.siret},"${site.name}",${site.domain}`)]
  writeFileSync(join(dir, "companies.csv"), `${lines.join("\n")}\n`)
  writeFileSync(join(dir, "profile.yaml"), `description: documents test\nsteps: [${STEPS.join(", ")}]\n`)
  writeFileSync(
    join(dir, "job.yaml"),
    `niche: documents_test\nprofile: ./profile.yaml\nhttp: { proxy: "${web.proxyUrl}", per_host_rps: 20, concurrency: 32 }\n`
  )
  const out = join(dir, "out")
  web.clearLog()
  const result = await runBuiltinCli(
    [
      "run-profile",
      "--job",
      "job.yaml",
      "--input",
      "companies.csv",
      "--out",
      out,
      "--set",
      "enrich.email.check_mx=false",
      ...extra
    ],
    dir
  )
  expect({ code: result.code, stderr: result.code === 0 || result.code === 4 ? "" : result.stderr }).toEqual({
    code: result.code === 4 ? 4 : 0,
    stderr: ""
  })
  const [header, ...body] = parseCsv(readFileSync(join(out, "dataset_enriched.csv"), "utf8"))
  const rows = body.map((row) => Object.fromEntries(header!.map((name, index) => [name, row[index] ?? null])))
  return { out, bySiret: new Map(rows.map((row) => [row.siret!, row])), requests: web.requestLog() }
}

const list = (cell: string | null | undefined) => (cell ? cell.split(";") : [])

beforeAll(async () => {
  web = await startFixtureWeb({ seed: 11, sites: 60 })
}, 60_000)

afterAll(async () => {
  await web?.stop()
  await dirs.cleanup()
})

describe("document collectors", () => {
  test("each site's feed and PDF are fetched once, robots.txt obeyed, and what they hold reaches the dataset", async () => {
    const { out, bySiret, requests } = await run()
    const withPdf = web.truth.filter((truth) => truth.documents.pdf !== null)
    const withFeed = web.truth.filter((truth) => truth.documents.feed !== null)
    expect(withPdf.length).toBeGreaterThanOrEqual(5)
    expect(withFeed.length).toBeGreaterThanOrEqual(5)
    const allowed = (truth: (typeof web.truth)[number], path: string) =>
      !truth.robotsDisallow.some((rule) => rule !== "" && path.startsWith(rule))
    for (const truth of web.truth) {
      const row = bySiret.get(truth.siret)!
      const pdf = truth.documents.pdf
      const feed = truth.documents.feed
      const pdfRequests = requests.filter((entry) => entry.host === truth.domain && entry.path === pdf)
      const feedRequests = requests.filter((entry) => entry.host === truth.domain && entry.path === feed)
      expect({ domain: truth.domain, pdfRequests: pdfRequests.length, feedRequests: feedRequests.length }).toEqual({
        domain: truth.domain,
        pdfRequests: pdf !== null && allowed(truth, pdf) ? 1 : 0,
        feedRequests: feed !== null && allowed(truth, feed) ? 1 : 0
      })
      expect({ domain: truth.domain, pdfs: row.documents_found, parsed: row.documents_parsed }).toEqual({
        domain: truth.domain,
        pdfs: pdf !== null && allowed(truth, pdf) ? "1" : "0",
        parsed: pdf !== null && allowed(truth, pdf) ? "1" : "0"
      })
      expect(row.feeds_found).toBe(feed !== null && allowed(truth, feed) ? "1" : "0")
      for (const email of truth.documentEmails) expect(list(row.emails)).toContain(email)
      // The terms of sale state the SIRET: parse.html reads it from the PDF's text like a legal notice's.
      if (pdf !== null && allowed(truth, pdf)) expect(list(row.site_siret)).toContain(truth.siret)
    }
    const summary = JSON.parse(readFileSync(join(out, "reports", "pdf_parse_summary.json"), "utf8"))
    expect(summary.unreadable).toEqual([])
    // Provenance: the address from the PDF points at the PDF.
    const truth = withPdf.find((site) => site.documentEmails.some((email) => email.startsWith("commandes@")))!
    const details = JSON.parse(bySiret.get(truth.siret)!.email_details!) as Array<{ value: string; url: string }>
    expect(details.find((detail) => detail.value === `commandes@${truth.domain}`)?.url).toBe(
      `http://${truth.domain}${truth.documents.pdf}`
    )
  }, 120_000)

  test("a document over the size cap is refused before it is kept, and counted", async () => {
    const { out, bySiret } = await run(["--set", "pdf.collect.max_bytes=1024"])
    for (const row of bySiret.values()) expect(row.documents_found).toBe("0")
    const summary = JSON.parse(readFileSync(join(out, "reports", "pdf_summary.json"), "utf8"))
    expect(summary.documents).toBe(0)
    expect(summary.failures.too_large).toBeGreaterThanOrEqual(5)
  }, 120_000)
})
