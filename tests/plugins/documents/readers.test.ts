/**
 * Reading documents: feed and PDF discovery on a site's pages, feeds (RSS, Atom, JSON Feed) as
 * pages, and the text of a real PDF (the fixture's terms of sale, Flate-compressed, WinAnsi accents).
 */
import { describe, expect, test } from "bun:test"
import { feedTargets, pdfTargets } from "../../../plugins/documents/discover.ts"
import { feedAsHtml, readFeed } from "../../../plugins/documents/feedPage.ts"
import { PdfUnreadable, pdfText } from "../../../plugins/documents/pdfText.ts"
import { parseHtml } from "../../../plugins/parse/parseHtml.ts"
import { newsFeed, termsPdf } from "../../../plugins/web/fixture/documents.ts"
import type { StoredPage } from "../../../plugins/web/PageStore.ts"

const page = (html: string, url = "http://acme.fr/"): StoredPage => ({
  url,
  finalUrl: url,
  kind: "home",
  depth: 0,
  status: 200,
  contentType: "text/html",
  charset: "utf-8",
  fetchedAt: 0,
  needsBrowser: false,
  html
})

const company = {
  domain: "acme.fr",
  name: "Acme Électronique",
  legalForm: "SARL",
  capital: 10000,
  siret: "73282932000074",
  siren: "732829320",
  address: { street: "12 rue de l’Église", postcode: "69002", city: "Lyon" },
  products: ["capteurs", "cartes électroniques"]
}

describe("discovery", () => {
  const home = page(`<html><head>
<link rel="alternate" type="application/rss+xml" title="Actualités" href="/feed.xml">
<link rel="alternate" hreflang="en" href="/en/">
<link rel="stylesheet" href="/style.css">
</head><body>
<a href="/docs/plaquette.pdf">Notre plaquette</a>
<a href="/docs/cgv-2025.pdf">Conditions générales de vente</a>
<a href="/mentions-legales.pdf">Mentions légales (PDF)</a>
<a href="https://cdn.other.com/brochure.pdf">Brochure</a>
<a href="/blog/feed/">Flux RSS</a>
<a href="/contact">Contact</a>
</body></html>`)

  test("feeds from the head's alternate links and feed paths, same site only", () => {
    expect(feedTargets([home], "http://acme.fr/", 5).map((target) => target.url)).toEqual([
      "http://acme.fr/feed.xml",
      "http://acme.fr/blog/feed/"
    ])
    expect(feedTargets([home], "http://acme.fr/", 1)).toHaveLength(1)
  })

  test("PDFs of the site, legal notice and terms first, kinds from the crawl's link rules", () => {
    const targets = pdfTargets([home], "http://acme.fr/", 5)
    expect(targets.map((target) => [target.url, target.kind])).toEqual([
      ["http://acme.fr/mentions-legales.pdf", "legal"],
      ["http://acme.fr/docs/cgv-2025.pdf", "terms"],
      ["http://acme.fr/docs/plaquette.pdf", "document"]
    ])
    expect(pdfTargets([home], "http://acme.fr/", 2)).toHaveLength(2)
  })
})

describe("feeds as pages", () => {
  test("RSS 2.0: the editor's address, items' titles and bodies become visible text", () => {
    const feed = readFeed(newsFeed(company, "redaction@acme.fr"))!
    expect(feed.title).toBe("Actualités – Acme Électronique")
    const parsed = parseHtml(feedAsHtml(feed), { url: "http://acme.fr/feed.xml", kind: "feed", fetchedAt: 1 })
    const text = parsed.blocks.map((block) => block.text).join("\n")
    expect(text).toContain("redaction@acme.fr (Rédaction Acme Électronique)")
    expect(text).toContain("Acme Électronique présente capteurs.")
  })

  test("Atom and JSON Feed", () => {
    const atom = readFeed(`<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title>
<author><name>Marie</name><email>marie@acme.fr</email></author>
<entry><title>Salon 2025</title><link href="http://acme.fr/salon"/><content type="html">&lt;p&gt;Stand B12, tél. 04 78 00 00 00&lt;/p&gt;</content></entry></feed>`)!
    expect(atom.lines).toContain("marie@acme.fr")
    expect(atom.bodies).toEqual(["<p>Stand B12, tél. 04 78 00 00 00</p>"])
    expect(atom.links).toContain("http://acme.fr/salon")
    const json = readFeed(
      JSON.stringify({
        version: "https://jsonfeed.org/version/1.1",
        title: "News",
        authors: [{ name: "Paul" }],
        items: [{ id: "1", url: "http://acme.fr/n/1", title: "Ouverture", content_text: "Écrivez à info@acme.fr" }]
      })
    )!
    expect(json.lines).toEqual(["Paul", "Ouverture"])
    expect(json.bodies).toEqual(["Écrivez à info@acme.fr"])
  })

  test("a page that is no feed is not read as one", () => {
    expect(readFeed("<!DOCTYPE html><html><body>Not found</body></html>")).toBeUndefined()
    expect(readFeed("{ broken")).toBeUndefined()
  })
})

describe("PDF text", () => {
  test("the fixture's terms of sale read back line by line, accents and all", async () => {
    const text = await pdfText(termsPdf(company, "commandes@acme.fr"), 20)
    expect(text.title).toBe("Conditions générales de vente – Acme Électronique")
    expect(text.lines).toContain("SIRET : 732 829 320 00074")
    expect(text.lines).toContain("Service commandes : commandes@acme.fr")
    expect(text.lines).toContain("Siège social : 12 rue de l’Église, 69002 Lyon")
  })

  test("bytes that are no PDF are reported as unreadable", async () => {
    await expect(pdfText(new TextEncoder().encode("<html>404</html>"), 20)).rejects.toBeInstanceOf(PdfUnreadable)
  })
})
