import { describe, expect, test } from "bun:test"
import { organizationOf } from "../../../plugins/parse/organization.ts"
import { decodeCfEmail, parseHtml } from "../../../plugins/parse/parseHtml.ts"

const page = (html: string) => parseHtml(html, { url: "https://www.acme.fr/a-propos" })
const texts = (html: string) => page(html).blocks.map((block) => block.text)
const partOf = (html: string, needle: string) => page(html).blocks.find((block) => block.text.includes(needle))?.part

describe("parseHtml: what a reader sees", () => {
  test("block elements and <br> split lines; inline elements join (an address split across spans reads whole)", () => {
    expect(texts("<p>Tél : 01 23<br>45 67 89</p><div>contact<span>@</span>acme<b>.fr</b></div>")).toEqual([
      "Tél : 01 23",
      "45 67 89",
      "contact@acme.fr"
    ])
  })

  test("entities are decoded and no-break spaces collapse", () => {
    expect(texts("<p>contact&#64;acme&period;fr&nbsp;&nbsp;01&#160;23</p>")).toEqual(["contact@acme.fr 01 23"])
  })

  test("scripts, styles, comments, templates and attributes are not text", () => {
    const html = `<script>var e="a@b.fr"</script><style>.x{}</style><!-- old@acme.fr --><template><p>t@acme.fr</p></template>
      <input placeholder="votre@email.fr" value="v@acme.fr"><img alt="logo@2x.png" title="x@acme.fr"><p>shown</p>`
    expect(texts(html)).toEqual(["shown"])
  })

  test("content hidden until a click (a modal, an accordion) is text a visitor can read", () => {
    expect(
      texts(`<div class="modal" style="display:none"><p>Tél : 01 43 18 10 25</p></div><p hidden>Ouvert le lundi</p>`)
    ).toEqual(["Tél : 01 43 18 10 25", "Ouvert le lundi"])
  })

  test("PHP code is not text", () => {
    expect(texts("<p>Email : <?php echo $mail; ?></p>")).toEqual(["Email :"])
  })

  test("Cloudflare email protection is decoded in place, in the text and in the link", () => {
    const hex = (email: string, key = 0x42) =>
      key.toString(16) + [...email].map((char) => (char.charCodeAt(0) ^ key).toString(16).padStart(2, "0")).join("")
    const encoded = hex("contact@acme.fr")
    expect(decodeCfEmail(encoded)).toBe("contact@acme.fr")
    const parsed = page(
      `<p>Écrivez-nous : <a href="/cdn-cgi/l/email-protection#${encoded}"><span class="__cf_email__" data-cfemail="${encoded}">[email&#160;protected]</span></a></p>`
    )
    expect(parsed.blocks.map((block) => block.text)).toEqual(["Écrivez-nous : contact@acme.fr"])
    expect(parsed.links[0]?.href).toBe("mailto:contact@acme.fr")
    expect(parsed.links[0]?.text).toBe("contact@acme.fr")
  })
})

describe("parseHtml: page parts", () => {
  test("footer, nav, header, form by tag; contact and legal by class or id", () => {
    const html = `<header><p>top</p></header><nav><p>menu</p></nav><footer><p>bottom</p></footer>
      <div class="contact-info"><p>c</p></div><section id="mentions-legales"><p>l</p></section>
      <form><label>Email</label></form><p>body</p>`
    const parsed = page(html)
    expect(Object.fromEntries(parsed.blocks.map((block) => [block.text, block.part]))).toEqual({
      top: "header",
      menu: "nav",
      bottom: "footer",
      c: "contact",
      l: "legal",
      Email: "form",
      body: "main"
    })
  })

  test("a host heading makes its section the host's, up to the next heading", () => {
    const html = `<section><div class="title"><h2>Hébergement</h2></div><p>OVH SAS</p><p>Tél : 1007</p>
      <h2>Propriété intellectuelle</h2><p>Tous droits réservés</p></section>`
    expect(partOf(html, "OVH SAS")).toBe("host")
    expect(partOf(html, "1007")).toBe("host")
    expect(partOf(html, "Tous droits")).toBe("main")
  })

  test("a label at the start of a line opens the host's or agency's part for the lines after it", () => {
    const html = `<div><p>Éditeur : ACME SARL</p><p><strong>Hébergeur :</strong> o2switch</p><p>222 Bd Gustave Flaubert</p>
      <p>Site réalisé par Pixel Agence</p><p>hello@pixel.fr</p></div><p>Merci</p>`
    expect(partOf(html, "ACME SARL")).toBe("legal")
    expect(partOf(html, "o2switch")).toBe("host")
    expect(partOf(html, "Gustave")).toBe("host")
    expect(partOf(html, "Pixel Agence")).toBe("credits")
    expect(partOf(html, "hello@pixel.fr")).toBe("credits")
    expect(partOf(html, "Merci")).toBe("main")
  })

  test("a sentence that only mentions hosting further on does not change the part", () => {
    expect(
      partOf("<p>Nous contacter pour toute question, y compris sur l'hébergement de vos données.</p>", "Nous")
    ).not.toBe("host")
  })
})

describe("parseHtml: links and structured data", () => {
  test("links keep the href as written, resolved URL, text (or image alt) and part", () => {
    const parsed = page(
      `<footer><a href="tel:+33123456789">01 23 45 67 89</a><a href="/contact">Contact</a><a href="https://linkedin.com/company/acme"><img alt="LinkedIn"></a><a href="{{ site.url }}">x</a></footer>`
    )
    expect(parsed.links.map((link) => [link.href, link.url, link.text, link.part])).toEqual([
      ["tel:+33123456789", "tel:+33123456789", "01 23 45 67 89", "footer"],
      ["/contact", "https://www.acme.fr/contact", "Contact", "footer"],
      ["https://linkedin.com/company/acme", "https://linkedin.com/company/acme", "LinkedIn", "footer"],
      ["{{ site.url }}", null, "x", "footer"]
    ])
  })

  test("JSON-LD: @graph flattened, trailing commas tolerated, broken blocks skipped", () => {
    const parsed =
      page(`<script type="application/ld+json">{"@graph":[{"@type":"WebSite"},{"@type":"LocalBusiness","name":"Acme","telephone":"+33 1 23 45 67 89",}]}</script>
      <script type="application/ld+json">{ broken</script>`)
    expect(parsed.jsonLd.map((node) => node["@type"])).toEqual(["WebSite", "LocalBusiness"])
    const organization = organizationOf([parsed])
    expect(organization?.name).toBe("Acme")
    expect(organization?.telephones).toEqual(["+33 1 23 45 67 89"])
    expect(organization?.via).toBe("jsonld")
  })

  test("microdata: item type and properties from content, href or text", () => {
    const parsed = page(`<div itemscope itemtype="https://schema.org/Organization"><span itemprop="name">Acme</span>
      <a itemprop="email" href="mailto:contact@acme.fr">écrire</a><meta itemprop="telephone" content="0123456789"></div>`)
    expect(parsed.microdata).toHaveLength(1)
    expect(parsed.microdata[0]?.props).toEqual({
      name: ["Acme"],
      email: ["mailto:contact@acme.fr"],
      telephone: ["0123456789"]
    })
    const organization = organizationOf([parsed])
    expect(organization).toMatchObject({
      type: "Organization",
      name: "Acme",
      emails: ["contact@acme.fr"],
      via: "microdata"
    })
  })

  test("title, lang and canonical", () => {
    const parsed = page(
      `<html lang="FR"><head><title> Acme – Contact </title><link rel="canonical" href="/contact"></head><body></body></html>`
    )
    expect([parsed.title, parsed.lang, parsed.canonical]).toEqual([
      "Acme – Contact",
      "fr",
      "https://www.acme.fr/contact"
    ])
  })
})

describe("parseHtml: parts in the shapes real legal notices take", () => {
  test("a field label such as 'Raison sociale' inside the host's lines stays the host's", () => {
    const html = `<body><h2>Hébergement</h2><p>Ce site est hébergé par la société PlanetHoster :<br>Raison sociale : PlanetHoster<br>Téléphone : +33 (0)1 76 60 41 43</p></body>`
    expect(partOf(html, "Raison sociale")).toBe("host")
    expect(partOf(html, "Téléphone")).toBe("host")
  })

  test("a heading in a file without <body> (a PHP include) speaks for the rest of the file", () => {
    const html = `<h3>Hébergeur</h3><p>Exemple SAS</p><p>Tél : 03 20 12 34 50</p>`
    expect(partOf(html, "Exemple SAS")).toBe("host")
    expect(partOf(html, "03 20")).toBe("host")
  })

  test("a long credit line ('Site réalisé par …') is the agency's", () => {
    expect(partOf(`<footer><p>Site réalisé par Agence Pixel – 04 78 12 34 50</p></footer>`, "Pixel")).toBe("credits")
  })
})

describe("parseHtml: how far a label reaches", () => {
  test("a numbered section line ends the host's lines", () => {
    const html = `<div><p>Hébergeur : Jaguar Network</p><p>Article 2 - Accès au site</p><p>Pour exercer vos droits : contact@acme.fr</p></div>`
    expect(partOf(html, "Jaguar")).toBe("host")
    expect(partOf(html, "contact@acme.fr")).toBe("main")
  })

  test("a business calling itself an 'agence web' is not the credits", () => {
    expect(partOf("<p>Agence web à Lyon – hello@pixel-lyon.fr</p>", "hello@")).toBe("main")
  })

  test("numbered and prefixed labels still open a part", () => {
    expect(partOf("<div><p>2. Hébergement :</p><p>OVH SAS</p></div>", "OVH")).toBe("host")
    expect(partOf("<div><p>Conception et réalisation</p><p>Studio Nord</p></div>", "Studio")).toBe("credits")
    expect(partOf("<p>Le site est hébergé par OVH, Roubaix</p>", "OVH")).toBe("host")
  })
})

describe("parseHtml: host headings", () => {
  test("a lodging heading ('Nos hébergements') is not the web host", () => {
    expect(partOf("<section><h2>Nos hébergements</h2><p>Gîte La Source</p></section>", "Gîte")).toBe("main")
  })

  test("the common misspelling 'herbergé' still names the host", () => {
    expect(partOf("<p>Ce site est herbergé chez Scaleway :<br>SIREN : 433 115 904</p>", "Scaleway")).toBe("host")
  })
})

describe("parseHtml: malformed markup stays linear", () => {
  test("an unclosed <a> in every list item ends at the next link, as in a browser", () => {
    const items = Array.from({ length: 8000 }, (_, index) => `<li><a href="/p/${index}">Produit ${index}`).join("")
    const started = performance.now()
    const parsed = page(`<ul>${items}</ul><p>Fin</p>`)
    const seconds = (performance.now() - started) / 1000
    expect(parsed.links).toHaveLength(8000)
    expect(parsed.links[0]?.text).toBe("Produit 0")
    expect(parsed.links[7998]?.text).toBe("Produit 7998")
    // Generous bound: the quadratic version took about 15 s here.
    expect(seconds).toBeLessThan(3)
  })
})

describe("organizationOf: whose organisation", () => {
  test("a WebSite's author (the agency that built it) is not the site's organisation; a Service is not one", () => {
    const parsed = page(
      `<script type="application/ld+json">[{"@type":"WebSite","author":{"@type":"Organization","name":"Agence X"}},{"@type":"Service","name":"Plomberie"}]</script>`
    )
    expect(organizationOf([parsed])).toBeNull()
    const published = page(
      `<script type="application/ld+json">{"@type":"WebSite","publisher":{"@type":"Organization","name":"Acme"}}</script>`
    )
    expect(organizationOf([published])?.name).toBe("Acme")
  })
})

describe("parseHtml: a legal notice's own text", () => {
  test("on a page titled or headed 'Mentions légales', a sub-heading naming nothing keeps the legal part", () => {
    const html = `<html><head><title>Mentions légales – Aleris</title></head><body><main><h2>Éditeur</h2><p>SAS Aleris</p>
      <h4>Aleris</h4><p>RCS Versailles B 504 815 721</p></main></body></html>`
    const parsed = parseHtml(html, { url: "https://www.aleris.fr/mentions" })
    expect(parsed.blocks.find((block) => block.text.includes("RCS"))?.part).toBe("legal")
  })

  test("the crawl's page kind says it too; other pages keep 'main'", () => {
    const html = `<main><h4>Aleris</h4><p>Texte</p></main>`
    expect(parseHtml(html, { url: "https://a.fr/m", kind: "legal" }).blocks.at(-1)?.part).toBe("legal")
    expect(parseHtml(html, { url: "https://a.fr/", kind: "home" }).blocks.at(-1)?.part).toBe("main")
  })
})
