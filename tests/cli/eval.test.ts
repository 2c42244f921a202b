/**
 * `filon eval` on a small corpus folder made here: labels.json + pages/<id>/<file>, the layout of
 * ../shared/corpus/real-sites. The scores are checked by hand-counted true positives, traps
 * extracted as the site's own (false positives), misses, and neutral values.
 */
import { afterAll, describe, expect, test } from "bun:test"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import type { EvalReport } from "../../plugins/contacts/eval/evaluate.ts"
import { runCli, tempDirs } from "./support.ts"

const dirs = tempDirs("eval")
afterAll(() => dirs.cleanup())

interface SiteSpec {
  readonly id: string
  readonly files: Record<string, string>
  readonly expected: Record<string, unknown>
}

const makeCorpus = (sites: ReadonlyArray<SiteSpec>) => {
  const dir = dirs.make("corpus")
  for (const site of sites) {
    mkdirSync(join(dir, "pages", site.id), { recursive: true })
    for (const [name, html] of Object.entries(site.files)) writeFileSync(join(dir, "pages", site.id, name), html)
  }
  writeFileSync(
    join(dir, "labels.json"),
    JSON.stringify(sites.map((site) => ({ id: site.id, pages: Object.keys(site.files), expected: site.expected })))
  )
  return dir
}

const BAKERY: SiteSpec = {
  id: "owner__bakery",
  files: {
    "mentions-legales.html": `<html><body><main><h1>Mentions légales</h1>
      <p>Éditeur : Boulangerie Martin SARL, 3 rue du Four, 69001 Lyon</p>
      <p>SIRET : 732 829 320 00074</p>
      <p>Email : <a href="mailto:contact@boulangerie-martin.fr">contact@boulangerie-martin.fr</a></p>
      <p>Tél. : <a href="tel:+33478000001">04 78 00 00 01</a></p>
      <h2>Hébergeur</h2><p>OVH SAS, 2 rue Kellermann, 59100 Roubaix. Tél : 09 72 10 10 07</p>
      </main><footer><a href="https://www.facebook.com/boulangeriemartin">Facebook</a>
      <a href="https://www.facebook.com/sharer/sharer.php?u=x">Partager</a></footer></body></html>`
  },
  expected: {
    emails: [{ value: "contact@boulangerie-martin.fr" }],
    phones: [{ value: "+33478000001" }],
    siren: [{ value: "732829320", derived_from_siret: true }],
    siret: [{ value: "73282932000074" }],
    social: [{ platform: "facebook", url: "https://www.facebook.com/boulangeriemartin" }],
    // The host's number on the legal notice: a trap.
    must_not_extract: [{ value: "+33972101007", reason: "host phone" }]
  }
}

const PLUMBER: SiteSpec = {
  id: "owner__plumber",
  files: {
    "contact.html": `<html><body><main><h1>Contact</h1>
      <p>Écrivez-nous : dupont.plomberie [at] gmail [dot] com</p>
      <form><input type="email" placeholder="votre@email.fr"></form>
      <p>Fax : 01 45 00 00 02</p></main></body></html>`
  },
  expected: {
    emails: [{ value: "dupont.plomberie@gmail.com" }, { value: "devis@plomberie-dupont.fr" }],
    phones: [],
    siren: [],
    siret: [],
    social: [],
    fax: [{ value: "+33145000002" }]
  }
}

describe("filon eval --corpus", () => {
  test("scores each field over all sites, with traps as false positives and labelled values as misses", async () => {
    const corpus = makeCorpus([BAKERY, PLUMBER])
    const run = await runCli(["eval", "--corpus", corpus, "--json"])
    const output = JSON.parse(run.stdout) as { met: boolean; reports: EvalReport[] }
    expect(output.reports).toHaveLength(1)
    const [report] = output.reports
    expect(report!.sites).toBe(2)
    expect(report!.pages).toBe(2)
    // emails: 2 found of 3 labelled (devis@ is not on the page), the placeholder not taken.
    expect(report!.fields.emails).toMatchObject({ tp: 2, fp: 0, fn: 1, precision: 1, recall: 0.6667 })
    expect(report!.fields.emails.misses).toEqual([{ site: "owner__plumber", value: "devis@plomberie-dupont.fr" }])
    // phones: the bakery's own; the host's number and the fax are not the sites' own phones.
    expect(report!.fields.phones).toMatchObject({ tp: 1, fp: 0, fn: 0 })
    expect(report!.fields.siret).toMatchObject({ tp: 1, fp: 0, fn: 0 })
    expect(report!.fields.siren).toMatchObject({ tp: 1, fp: 0, fn: 0 })
    // social: the page, not the share link.
    expect(report!.fields.social).toMatchObject({ tp: 1, fp: 0, fn: 0 })
    expect(report!.fields.emails.met).toBe(false)
    expect(output.met).toBe(false)
    expect(run.code).toBe(4)
  })

  test("text output shows one line per field with its target", async () => {
    const corpus = makeCorpus([BAKERY])
    const run = await runCli(["eval", "--corpus", corpus])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/emails\s+1\.000\s+1\.000\s+1\s+0\s+0\s+P>=0\.97 R>=0\.95 met/)
    expect(run.stdout).toMatch(/1 sites, 1 pages/)
  })

  test("a corpus with a missing page or a bad label names the file and field (exit 2)", async () => {
    const corpus = makeCorpus([BAKERY])
    writeFileSync(
      join(corpus, "labels.json"),
      JSON.stringify([{ id: BAKERY.id, pages: ["absent.html"], expected: { emails: [] } }])
    )
    const missing = await runCli(["eval", "--corpus", corpus])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("absent.html")
    writeFileSync(
      join(corpus, "labels.json"),
      JSON.stringify([{ id: BAKERY.id, pages: ["mentions-legales.html"], expected: { emails: [{ value: 3 }] } }])
    )
    const bad = await runCli(["eval", "--corpus", corpus])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("emails[0].value")
  })

  test("--fixture crawls the fixture web through the real steps and scores it against the reachable ground truth", async () => {
    const corpus = makeCorpus([BAKERY])
    const run = await runCli(["eval", "--corpus", corpus, "--fixture", "--fixture-sites", "25", "--json"])
    const output = JSON.parse(run.stdout) as { met: boolean; reports: EvalReport[] }
    const fixture = output.reports[1]!
    expect(fixture.source).toStartWith("fixture web (25 sites")
    expect(fixture.sites).toBe(25)
    // Every fixture site shows a phone: 25 sites give at least 25 own phones to find.
    expect(fixture.fields.phones.tp + fixture.fields.phones.fn).toBeGreaterThanOrEqual(25)
    expect(fixture.fields.emails.target).toEqual({ precision: 0.98, recall: 0.98 })
    expect(fixture.fields.emails.met).toBe(true)
    expect(fixture.fields.phones.met).toBe(true)
    expect(run.code).toBe(0)
  }, 120_000)
})
