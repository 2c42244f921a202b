import { describe, expect, test } from "bun:test"
import { classifyLink, extractLinks, pickPages, sitemapLocations } from "../../../plugins/web/Links.ts"
import { siteOf } from "../../../plugins/web/PageStore.ts"

const HOME = `<html><head><base href="/fr/"></head><body>
<nav><a href="contact">Nous contacter</a> <a href='/fr/qui-sommes-nous'>Qui sommes-nous&nbsp;?</a>
<a href="produits/">Nos produits</a> <a href="/blog/2019/contactez-nous-pour-un-devis">Devis gratuit</a></nav>
<footer><a href="https://www.acme.fr/mentions-legales.html"><span>Mentions l&eacute;gales</span></a>
<a href="/cgv" title="Conditions générales de vente"></a> <a href="mailto:contact@acme.fr">écrire</a>
<a href="tel:+33123456789">appeler</a> <a href="https://www.facebook.com/acme">Facebook</a>
<a href="/docs/plaquette.pdf">Plaquette (contact)</a> <a href="#top">haut</a></footer></body></html>`

describe("link discovery", () => {
  test("absolute URLs against <base>, entity-decoded text, title when the text is empty; no mailto/tel/fragments", () => {
    const links = extractLinks(HOME, "https://www.acme.fr/")
    expect(links.map((l) => l.url)).toEqual([
      "https://www.acme.fr/fr/contact",
      "https://www.acme.fr/fr/qui-sommes-nous",
      "https://www.acme.fr/fr/produits/",
      "https://www.acme.fr/blog/2019/contactez-nous-pour-un-devis",
      "https://www.acme.fr/mentions-legales.html",
      "https://www.acme.fr/cgv",
      "https://www.facebook.com/acme",
      "https://www.acme.fr/docs/plaquette.pdf"
    ])
    expect(links[1]!.text).toBe("Qui sommes-nous ?")
    expect(links[4]!.text).toBe("Mentions légales")
    expect(links[5]!.text).toBe("Conditions générales de vente")
  })

  test("kinds from text and path, French and English; documents are not pages", () => {
    expect(classifyLink({ url: "https://a.fr/legal-notice", text: "Legal notice" })?.kind).toBe("legal")
    expect(classifyLink({ url: "https://a.fr/about-us", text: "About us" })?.kind).toBe("about")
    expect(classifyLink({ url: "https://a.fr/notre-equipe", text: "" })?.kind).toBe("team")
    expect(classifyLink({ url: "https://a.fr/x", text: "Get in touch" })?.kind).toBe("contact")
    expect(classifyLink({ url: "https://a.fr/docs/plaquette.pdf", text: "contact" })).toBeUndefined()
    expect(classifyLink({ url: "https://a.fr/produits", text: "Nos produits" })).toBeUndefined()
  })

  test("one page per kind, same site only, the best-evidenced link wins", () => {
    const picked = pickPages(
      extractLinks(HOME, "https://www.acme.fr/"),
      "https://acme.fr/",
      ["contact", "legal", "about", "team", "terms"],
      new Set()
    )
    expect(Object.fromEntries(picked)).toEqual({
      contact: "https://www.acme.fr/fr/contact",
      legal: "https://www.acme.fr/mentions-legales.html",
      about: "https://www.acme.fr/fr/qui-sommes-nous",
      terms: "https://www.acme.fr/cgv"
    })
  })

  test("sitemaps and sitemap indexes", () => {
    expect(
      sitemapLocations(
        "<urlset><url><loc>https://a.fr/contact</loc></url><url><loc> https://a.fr/a&amp;b </loc></url></urlset>"
      )
    ).toEqual({ pages: ["https://a.fr/contact", "https://a.fr/a&b"], sitemaps: [] })
    expect(sitemapLocations("<sitemapindex><sitemap><loc>https://a.fr/s1.xml</loc></sitemap></sitemapindex>")).toEqual({
      pages: [],
      sitemaps: ["https://a.fr/s1.xml"]
    })
  })

  test("website values become sites; unusable ones do not", () => {
    expect(siteOf("Acme.FR")).toEqual({ key: "http://acme.fr", home: "http://acme.fr/" })
    expect(siteOf("https://www.acme.fr/fr/#x")).toEqual({ key: "https://www.acme.fr", home: "https://www.acme.fr/fr/" })
    expect(siteOf("")).toBeUndefined()
    expect(siteOf("localhost")).toBeUndefined()
    expect(siteOf("ftp://acme.fr")).toBeUndefined()
    expect(siteOf(null)).toBeUndefined()
  })
})
