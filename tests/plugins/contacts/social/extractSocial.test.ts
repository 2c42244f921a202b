import { describe, expect, it } from "bun:test"
import { extractSocial, type SocialFound } from "../../../../plugins/contacts/social/extractSocial.ts"
import { parseHtml } from "../../../../plugins/parse/parseHtml.ts"

const URL = "https://www.acme.fr/mentions-legales"

const socialOf = (...pages: string[]): SocialFound[] =>
  extractSocial({ domain: "acme.fr", pages: pages.map((html) => parseHtml(html, { url: URL, fetchedAt: 7 })) })

const own = (found: ReadonlyArray<SocialFound>) =>
  found.filter((link) => link.thirdParty === null).map((link) => link.value)
const third = (found: ReadonlyArray<SocialFound>) =>
  found.filter((link) => link.thirdParty !== null).map((link) => [link.value, link.thirdParty])

const footer = (...hrefs: string[]) => `<footer>${hrefs.map((href) => `<a href="${href}">icon</a>`).join(" ")}</footer>`

describe("extractSocial: profiles", () => {
  it("finds profile links with their platform, as written in the href", () => {
    const found = socialOf(footer(" https://www.facebook.com/AcmeFR/ ", "https://instagram.com/acme.fr"))
    expect(found).toEqual([
      {
        value: "https://www.facebook.com/AcmeFR/",
        platform: "facebook",
        companyPage: false,
        url: URL,
        part: "footer",
        via: "href",
        confidence: 0.9,
        thirdParty: null,
        fetchedAt: 7
      },
      expect.objectContaining({ value: "https://instagram.com/acme.fr", platform: "instagram" })
    ])
  })

  it("tells a LinkedIn company page from a person's profile, both kept, the company page first", () => {
    const found = socialOf(footer("https://fr.linkedin.com/in/jean-dupont", "https://www.linkedin.com/company/acme/"))
    expect(found.map((link) => [link.value, link.companyPage])).toEqual([
      ["https://www.linkedin.com/company/acme/", true],
      ["https://fr.linkedin.com/in/jean-dupont", false]
    ])
  })

  it("recognises the mainstream platforms and a documented list of niche ones", () => {
    const found = socialOf(
      footer(
        "https://x.com/acme",
        "https://www.youtube.com/@acme",
        "https://www.tiktok.com/@acme",
        "https://www.pinterest.fr/acme/",
        "https://www.snapchat.com/add/acme",
        "https://github.com/acme",
        "http://www.wattpad.com/user/LesColombes",
        "https://discord.gg/2kMRBxZ",
        "https://www.scribay.com/author/1036677939/la-plume",
        "https://soundcloud.com/acme"
      )
    )
    expect(found.map((link) => link.platform)).toEqual([
      "twitter",
      "youtube",
      "tiktok",
      "pinterest",
      "snapchat",
      "github",
      "discord",
      "scribay",
      "soundcloud",
      "wattpad"
    ])
  })

  it("takes the platform from the link's host, not its text", () => {
    const found = socialOf('<p><a href="https://www.youtube.com/watch?v=rB-owgXag4I">Instagram</a></p>')
    expect(found.map((link) => link.platform)).toEqual(["youtube"])
  })

  it("reads the page of an old hashbang link", () => {
    expect(own(socialOf(footer("https://www.facebook.com/#!/acme")))).toEqual(["https://www.facebook.com/#!/acme"])
    expect(socialOf(footer("https://www.facebook.com/#contact"))).toEqual([])
  })

  it("reads links written without a scheme", () => {
    expect(own(socialOf(footer("//www.facebook.com/acme", "instagram.com/acme")))).toEqual([
      "//www.facebook.com/acme",
      "instagram.com/acme"
    ])
  })

  it("gives each profile once, in a stable order", () => {
    const found = socialOf(
      `<header><a href="https://twitter.com/acme">t</a></header>`,
      footer("https://www.facebook.com/acme/?ref=footer", "http://facebook.com/acme", "https://twitter.com/acme")
    )
    expect(own(found)).toEqual(["https://www.facebook.com/acme/?ref=footer", "https://twitter.com/acme"])
  })

  it("reads sameAs of JSON-LD and microdata, not of the theme's author", () => {
    const html = `<script type="application/ld+json">{"@type":"LocalBusiness","sameAs":["https://www.facebook.com/acme"],
      "author":{"@type":"Person","sameAs":"https://twitter.com/themeauthor"}}</script>
      <div itemscope itemtype="https://schema.org/Organization"><link itemprop="sameAs" href="https://www.linkedin.com/company/acme"></div>`
    const found = socialOf(html)
    expect(found.map((link) => [link.value, link.via])).toEqual([
      ["https://www.linkedin.com/company/acme", "microdata"],
      ["https://www.facebook.com/acme", "jsonld"]
    ])
  })
})

describe("extractSocial: exclusions", () => {
  it("leaves out share and intent links", () => {
    const found = socialOf(
      footer(
        "https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Facme.fr",
        "https://twitter.com/intent/tweet?text=hello",
        "https://www.linkedin.com/shareArticle?mini=true&url=https://acme.fr",
        "https://www.linkedin.com/sharing/share-offsite/?url=https://acme.fr",
        "https://pinterest.com/pin/create/button/?url=https://acme.fr",
        "https://www.facebook.com/share?u=acme"
      )
    )
    expect(found).toEqual([])
  })

  it("leaves out click-to-chat links (a phone number, not a profile)", () => {
    expect(socialOf(footer("https://wa.me/+33614672100", "https://api.whatsapp.com/send?phone=33614672100"))).toEqual(
      []
    )
  })

  it("leaves out bare platform addresses", () => {
    const found = socialOf(
      footer(
        "https://www.linkedin.com/",
        "facebook.com",
        "https://www.linkedin.com/company/",
        "https://www.instagram.com"
      )
    )
    expect(found).toEqual([])
  })

  it("leaves out template placeholders", () => {
    const found = socialOf(
      footer(
        "https://www.linkedin.com/in/VOTRE_PROFIL",
        "https://www.instagram.com/VOTRE_COMPTE",
        "https://twitter.com/your-profile",
        "https://www.facebook.com/username",
        "#",
        "https://www.facebook.com/{{ site.facebook }}",
        "https://www.facebook.com/page",
        "https://www.youtube.com/example",
        "https://www.linkedin.com/in/john-doe/",
        "https://www.facebook.com/profile.php?id=VOTRE_ID"
      )
    )
    expect(found).toEqual([])
  })

  it("leaves out the platforms' own pages", () => {
    const found = socialOf(
      footer(
        "https://www.facebook.com/policies/cookies/",
        "https://www.facebook.com/help/",
        "https://www.linkedin.com/legal/privacy-policy",
        "https://developers.facebook.com/docs/plugins/",
        "https://help.instagram.com/",
        "https://twitter.com/search?q=acme"
      )
    )
    expect(found).toEqual([])
  })

  it("leaves out embeds, plugins and tracking pixels", () => {
    const found = socialOf(
      footer(
        "https://www.facebook.com/plugins/page.php?href=https%3A%2F%2Fwww.facebook.com%2Facme",
        "https://www.youtube.com/embed/rB-owgXag4I",
        "https://www.facebook.com/tr?id=123&ev=PageView",
        "https://px.ads.linkedin.com/collect/?pid=1",
        "https://player.vimeo.com/video/123"
      )
    )
    expect(found).toEqual([])
  })
})

describe("extractSocial: third parties", () => {
  it("keeps the agency's profile in the credits apart", () => {
    const found = socialOf(
      footer("https://www.facebook.com/acme"),
      '<div class="credits"><a href="https://www.instagram.com/webagence/">WebAgence</a></div>'
    )
    expect(own(found)).toEqual(["https://www.facebook.com/acme"])
    expect(third(found)).toEqual([["https://www.instagram.com/webagence/", "agency"]])
  })

  it("keeps apart a profile a credit phrase introduces: 'Réalisé par', 'theme by'", () => {
    const found = socialOf(
      '<footer><p>© Acme — Site réalisé par <a href="https://www.linkedin.com/in/jean-dev">Jean Dev</a></p>' +
        '<p>Theme by <a href="https://github.com/themeauthor">ThemeAuthor</a></p></footer>'
    )
    expect(third(found)).toEqual([
      ["https://www.linkedin.com/in/jean-dev", "agency"],
      ["https://github.com/themeauthor", "template"]
    ])
  })

  it("keeps apart a profile named after the agency the credits link to", () => {
    const found = socialOf(
      '<footer><a href="https://www.instagram.com/morslator/">ig</a><p>Conception : <a href="https://morslator.fr">Morslator</a></p></footer>'
    )
    expect(third(found)).toEqual([["https://www.instagram.com/morslator/", "agency"]])
  })

  it("keeps the host's profiles apart", () => {
    const found = socialOf(
      '<h2>Hébergeur</h2><p>OVH SAS — <a href="https://twitter.com/ovhcloud_fr">@ovhcloud_fr</a></p>'
    )
    expect(third(found)).toEqual([["https://twitter.com/ovhcloud_fr", "host"]])
  })

  it("does not credit an icon link to the agency named on the next line", () => {
    const html =
      '<footer><div class="social"><a href="https://www.facebook.com/acme"><i class="fa fa-facebook"></i></a></div><p>Site réalisé par Pixel</p></footer>'
    expect(own(socialOf(html))).toEqual(["https://www.facebook.com/acme"])
  })

  it("keeps a profile as the site's own when a credits bar only repeats it", () => {
    const found = socialOf(
      `<header><a href="https://www.facebook.com/acme">f</a></header><div class="credits"><a href="https://www.facebook.com/acme">f</a></div>`
    )
    expect(own(found)).toEqual(["https://www.facebook.com/acme"])
  })
})
