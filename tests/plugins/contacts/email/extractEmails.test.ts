import { describe, expect, it } from "bun:test"
import { type EmailFound, extractEmails } from "../../../../plugins/contacts/email/extractEmails.ts"
import { parseHtml } from "../../../../plugins/parse/parseHtml.ts"

const URL = "https://www.acme.fr/contact"

const emailsOf = (html: string, domain: string | null = "acme.fr"): EmailFound[] =>
  extractEmails({ domain, pages: [parseHtml(html, { url: URL, fetchedAt: 1_700_000_000_000 })] })

const ownOf = (html: string, domain: string | null = "acme.fr"): string[] =>
  emailsOf(html, domain)
    .filter((email) => email.thirdParty === null)
    .map((email) => email.value)

const only = (html: string, domain: string | null = "acme.fr"): EmailFound => {
  const found = emailsOf(html, domain)
  expect(found.map((email) => email.value)).toHaveLength(1)
  return found[0]!
}

/** Cloudflare's data-cfemail encoding: a key byte, then each byte of the address XORed with it. */
const cfEncode = (address: string, key = 0x42): string =>
  [key, ...[...address].map((char) => char.charCodeAt(0) ^ key)]
    .map((byte) => byte.toString(16).padStart(2, "0"))
    .join("")

describe("extractEmails: sources", () => {
  it("reads a mailto link, dropping ?subject= and percent-decoding", () => {
    const email = only(`<p><a href="mailto:Contact%40acme.fr?subject=Devis%20gratuit">Écrivez-nous</a></p>`)
    expect(email).toMatchObject({
      value: "contact@acme.fr",
      via: "mailto",
      thirdParty: null,
      fetchedAt: 1_700_000_000_000
    })
  })

  it("reads every recipient of a mailto link", () => {
    expect(ownOf(`<a href="mailto:contact@acme.fr,devis@acme.fr">Nous écrire</a>`)).toEqual([
      "contact@acme.fr",
      "devis@acme.fr"
    ])
  })

  it("reads a plain address in visible text, lower-cased", () => {
    expect(only(`<p>Email : Contact@ACME.fr</p>`)).toMatchObject({ value: "contact@acme.fr", via: "text" })
  })

  it("reads the email of a JSON-LD organisation, with or without a mailto: prefix", () => {
    const html = `<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
      {"@type":"LocalBusiness","name":"Acme","email":"mailto:contact@acme.fr",
       "founder":{"@type":"Person","name":"Marie Durand","email":"marie.durand@acme.fr"}}]}</script>`
    expect(ownOf(html)).toEqual(["contact@acme.fr", "marie.durand@acme.fr"])
    expect(emailsOf(html)[0]!.via).toBe("jsonld")
  })

  it("reads a microdata email property", () => {
    const html = `<div itemscope itemtype="https://schema.org/Organization"><span itemprop="email">accueil@acme.fr</span></div>`
    expect(emailsOf(html).map((email) => [email.value, email.via])).toContainEqual(["accueil@acme.fr", "microdata"])
  })

  it("reads an address protected by Cloudflare (decoded by the parser)", () => {
    const hex = cfEncode("contact@acme.fr")
    const html = `<p>Email : <a href="/cdn-cgi/l/email-protection#${hex}"><span class="__cf_email__" data-cfemail="${hex}">[email&#160;protected]</span></a></p>`
    expect(ownOf(html)).toEqual(["contact@acme.fr"])
  })

  it("keeps each address once, own ones first, with its best occurrence", () => {
    const found = emailsOf(`
      <footer><p class="credits">Site réalisé par Studio Web – hello@studioweb.fr</p></footer>
      <p>Écrivez à contact@acme.fr</p>
      <p><a href="mailto:contact@acme.fr">contact@acme.fr</a></p>`)
    expect(found.map((email) => email.value)).toEqual(["contact@acme.fr", "hello@studioweb.fr"])
    expect(found[0]!.via).toBe("mailto")
  })
})

describe("extractEmails: obfuscations", () => {
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ["[at]", "contact[at]acme.fr", "[at]"],
    ["(at)", "contact (at) acme.fr", "(at)"],
    ["{at} with inner spaces", "contact { at } acme.fr", "{at}"],
    ["[@]", "contact[@]acme.fr", "[@]"],
    ["[arobase]", "contact [arobase] acme.fr", "[arobase]"],
    ["arobase spelled out", "contact arobase acme.fr", " arobase "],
    ["[at] and [dot]", "contact [at] acme [dot] fr", "[at]+[dot]"],
    ["(at) and (point)", "contact(at)acme(point)fr", "(at)+(point)"],
    ["arobase and point spelled out", "contact arobase acme point fr", " arobase + point "],
    ["an address split over inline elements", "<span>contact</span> <span>@</span> <span>acme.fr</span>", "split"]
  ]
  for (const [name, written, form] of cases) {
    it(`decodes ${name}`, () => {
      expect(only(`<p>Email : ${written}</p>`)).toMatchObject({ value: "contact@acme.fr", obfuscation: form })
    })
  }

  it("decodes HTML entities (the parser decodes them; the text reads as a plain address)", () => {
    expect(only(`<p>&#99;ontact&#64;acme&#46;fr</p>`)).toMatchObject({ value: "contact@acme.fr", obfuscation: null })
  })

  it("joins an address inline elements glue together without spaces", () => {
    expect(only(`<p><span>contact</span><b>@</b><i>acme.fr</i></p>`).value).toBe("contact@acme.fr")
  })

  it("joins an address cut by a line break after its @", () => {
    expect(only(`<h2>contact@ <br> acme.fr</h2>`)).toMatchObject({ value: "contact@acme.fr", obfuscation: "split" })
  })

  it('reads " at " only where the line announces an address', () => {
    expect(only(`<p>E-mail : contact at acme.fr</p>`)).toMatchObject({ value: "contact@acme.fr", obfuscation: " at " })
    expect(emailsOf(`<p>Our team is based at acme.fr and available at www.acme.fr</p>`)).toEqual([])
    expect(emailsOf(`<p>Contact us at acme.fr</p>`)).toEqual([])
  })

  it("does not read a social handle after a space as an address", () => {
    expect(emailsOf(`<p>Suivez-nous sur Instagram @acme.paris</p>`)).toEqual([])
  })
})

describe("extractEmails: traps", () => {
  it("ignores form placeholders and values (attributes the reader never sees as text)", () => {
    const html = `<form><label>Votre email</label><input type="email" placeholder="jean.martin@gmail.com" value="a@b.fr"></form>`
    expect(emailsOf(html)).toEqual([])
  })

  it("rejects example and placeholder addresses", () => {
    const examples = [
      "email@exemple.com",
      "nom@domaine.fr",
      "votre-email@gmail.com",
      "your@email.com",
      "your.name@acme.fr",
      "prenom.nom@acme.fr",
      "john.doe@gmail.com",
      "contact@example.org",
      "info@votre-site.fr",
      "xxx@xxx.fr",
      "xx.xx@gmail.com",
      "p.nom@acme.fr",
      "contact@nomdusite.fr"
    ]
    expect(emailsOf(`<p>${examples.join(" ; ")}</p>`)).toEqual([])
  })

  it("rejects an address introduced as an example", () => {
    expect(emailsOf(`<form><label>Email (ex : jean.martin@gmail.com)</label></form>`)).toEqual([])
  })

  it("keeps real mailboxes that merely look generic", () => {
    expect(ownOf(`<p>email@acme.fr – test.lab@acme.fr</p>`)).toEqual(["email@acme.fr", "test.lab@acme.fr"])
  })

  it("rejects asset names whose 'TLD' is a file extension", () => {
    expect(emailsOf(`<p>logo@2x.png image@3x.jpg hero@2x.webp icons@sprite.svg</p>`)).toEqual([])
  })

  it("rejects template leftovers", () => {
    const html = `<p>Email : {{ site.email }}</p><p>{{ 'contact@acme.fr' | obfuscate }}</p><p>Mail : <?php echo $email; ?></p><p>\${user}@acme.fr</p>`
    expect(emailsOf(html)).toEqual([])
  })

  it("rejects package version strings", () => {
    expect(emailsOf(`<p>Built with jquery@3.6.0 and bootstrap@5.3.2/dist/bootstrap.min.css</p>`)).toEqual([])
  })

  it("rejects URLs holding an @", () => {
    expect(emailsOf(`<p>https://medium.com/@acme et https://user:secret@acme.fr/admin</p>`)).toEqual([])
  })

  it("rejects tracker IDs (hex local parts, Sentry/Wix domains)", () => {
    const html = `<p>3f1a9c0b2d4e5f60718293a4b5c6d7e8@o123456.ingest.sentry.io</p><p>ab12@sentry-next.wixpress.com</p><p>605a7baede844d278b89dc95ae0a9123@acme.fr</p>`
    expect(emailsOf(html)).toEqual([])
  })

  it("ignores a mailto href behind a link that shows another address", () => {
    expect(ownOf(`<a href="mailto:contact@agence-web.fr">contact.acme@gmail.com</a>`, null)).toEqual([
      "contact.acme@gmail.com"
    ])
  })

  it("takes off a label, phone number or word that markup glued to the address", () => {
    expect(ownOf(`<p><b>Email</b><a href="mailto:contact@acme.fr">contact@acme.fr</a></p>`)).toEqual([
      "contact@acme.fr"
    ])
    expect(ownOf(`<p><span>06 12 34 56 78</span><span>contact@acme.fr</span></p>`)).toEqual(["contact@acme.fr"])
    expect(ownOf(`<p>Par email <a href="mailto:contact@acme.fr">contact@acme.fr</a>ou par téléphone</p>`)).toEqual([
      "contact@acme.fr"
    ])
  })
})

describe("extractEmails: whose address", () => {
  it("marks addresses in the host section as the host's", () => {
    const html = `<section><h2>Hébergeur</h2><p>Jaguar Network SAS, 71 avenue André Roussin, 13016 Marseille – contact@jaguar-network.com</p></section>`
    expect(only(html, null)).toMatchObject({ value: "contact@jaguar-network.com", thirdParty: "host" })
  })

  it("keeps a host's role address the host's even where boilerplate repeats it", () => {
    const html = `<section><h2>Hébergement</h2><p>Jaguar Network – support@jaguar-network.com</p></section>
      <p>Pour toute question technique, écrivez à support@jaguar-network.com</p>`
    expect(only(html, null).thirdParty).toBe("host")
  })

  it("marks a host line's address as the host's", () => {
    expect(only(`<p>Hébergé par LWS – 10 rue Penthièvre, Paris – support@lws-hosting.fr</p>`, null).thirdParty).toBe(
      "host"
    )
  })

  it("marks known host and platform domains whatever the context", () => {
    const found = emailsOf(`<p>Écrivez à support@ovh.com ou à aide@wix.com</p>`, null)
    expect(found.map((email) => [email.value, email.thirdParty])).toEqual([
      ["support@ovh.com", "host"],
      ["aide@wix.com", "platform"]
    ])
  })

  it("marks the agency's address in credits as the agency's", () => {
    const html = `<footer><p>Conception et réalisation : Pixel & Co – bonjour@pixelco.fr</p></footer>`
    expect(only(html, null)).toMatchObject({ thirdParty: "agency", confidence: 0.05 })
  })

  it("marks a template author's address as the template's", () => {
    expect(only(`<footer><p>Template by Colorlib – contact@colorlib.com</p></footer>`, null).thirdParty).toBe(
      "template"
    )
  })

  it("marks an agency address on a free-mail provider by its label", () => {
    expect(only(`<p>Webmaster : Jean Web, jean.web.creations@gmail.com</p>`, null).thirdParty).toBe("agency")
  })

  it("marks addresses on a domain the credits link to, even on a publisher's line", () => {
    const html = `<p>Créateur : <a href="www.simc-web.fr">SIMC</a><br>
      Responsable publication : Rémi T. – r.teulade@simc-web.fr</p>`
    expect(only(html, null).thirdParty).toBe("agency")
  })

  it("marks the CNIL's and the consumer mediator's addresses as someone else's", () => {
    const html = `<p>Vous pouvez saisir la CNIL : plaintes@cnil.fr</p>
      <p>Médiateur de la consommation : CM2C – cm2c@cm2c.net</p>`
    expect(emailsOf(html, null).map((email) => email.thirdParty)).toEqual(["other", "other"])
  })

  it("keeps a company's free-mail address as its own", () => {
    expect(
      only(`<section><h2>Éditeur du site</h2><p>Boulangerie Martin – boulangerie.martin@orange.fr</p></section>`, null)
    ).toMatchObject({
      thirdParty: null,
      onSiteDomain: null
    })
  })

  it("keeps the site's own domain as its own even in the host section (self-hosted)", () => {
    expect(only(`<section><h2>Hébergement</h2><p>Société Acme – admin@acme.fr</p></section>`).thirdParty).toBeNull()
  })

  it("keeps an address own when it also appears in the site's own context", () => {
    const html = `<p class="credits">Site fait maison – Acme, contact@acme-boulangerie.fr</p><p>Contact : contact@acme-boulangerie.fr</p>`
    expect(only(html, null).thirdParty).toBeNull()
  })

  it("keeps the publisher's address under a heading shared by the host and the publisher", () => {
    const html = `<section><h2>L'hébergeur et l'éditeur</h2><p>Le site est hébergé et édité par Lya Martin, lya.martin@gmail.com</p></section>`
    expect(only(html, null).thirdParty).toBeNull()
  })

  it("lets the publisher's label nearest the address win within its sentence", () => {
    const html = `<p>Hébergeur : GitHub Pages. L'édition et la direction de la publication sont assurées par Lya Martin, lya.martin@gmail.com</p>`
    expect(only(html, null).thirdParty).toBeNull()
  })

  it("does not take trades and public bodies named before an address for third parties", () => {
    const html = `<p>Marie Durand, médiatrice familiale – marie.durand.mediation@gmail.com</p>
      <p>Maître Paul Martin, avocat au barreau de Lyon – cabinet@martin-avocat.fr</p>
      <p>Boulangerie Martin, création de gâteaux sur mesure – boulangerie.martin@orange.fr</p>
      <p>Vous pouvez saisir la CNIL ou nous écrire à rgpd@acme-conseil.fr</p>`
    expect(emailsOf(html, null).map((email) => email.thirdParty)).toEqual([null, null, null, null])
  })

  it("marks photo credits as someone else's", () => {
    expect(only(`<p>Crédits photos : Jean Image – jean.image.photo@gmail.com</p>`, null).thirdParty).toBe("agency")
  })

  it("lets a host label cover its few lines, not the rest of a notice written as loose text", () => {
    const html = `<p>Le site est hébergé par la société Jaguar Network, situé à Marseille. ${"Le propriétaire du site décline toute responsabilité. ".repeat(12)}
      Vous pouvez exercer vos droits par courriel adressé à contact@acme-pavage.fr</p>`
    expect(only(html, null).thirdParty).toBeNull()
  })
})

describe("extractEmails: kind, domain, disposable", () => {
  it("tells generic mailboxes from a person's", () => {
    const html = `<p>contact@acme.fr accueil@acme.fr dipeppo@gmail.com marie.dupont@acme.fr p.durand@acme.fr yvesmartin@gmail.com</p>`
    expect(Object.fromEntries(emailsOf(html).map((email) => [email.value, email.kind]))).toEqual({
      "contact@acme.fr": "generic",
      "accueil@acme.fr": "generic",
      "dipeppo@gmail.com": "generic",
      "marie.dupont@acme.fr": "nominative",
      "p.durand@acme.fr": "nominative",
      "yvesmartin@gmail.com": "nominative"
    })
  })

  it("checks the address's domain against the site's, subdomains included", () => {
    const html = `<p>contact@acme.fr – devis@mail.acme.fr – acme.sarl@gmail.com – contact@acme.fr.evil.net</p>`
    expect(emailsOf(html).map((email) => [email.value, email.onSiteDomain])).toEqual([
      ["contact@acme.fr", true],
      ["devis@mail.acme.fr", true],
      ["acme.sarl@gmail.com", false],
      ["contact@acme.fr.evil.net", false]
    ])
    expect(emailsOf(`<p>contact@acme.fr</p>`, null)[0]!.onSiteDomain).toBeNull()
  })

  it("flags disposable-mailbox domains", () => {
    const found = emailsOf(`<p>acme@yopmail.com – acme@gmail.com</p>`)
    expect(found.map((email) => [email.value, email.disposable])).toEqual([
      ["acme@yopmail.com", true],
      ["acme@gmail.com", false]
    ])
  })
})

describe("extractEmails: confidence", () => {
  it("ranks a mailto shown as text on the site's domain above spelled-out text elsewhere", () => {
    const found = emailsOf(
      `<p><a href="mailto:contact@acme.fr">contact@acme.fr</a></p><p>acme.devis [at] gmail.com</p>`
    )
    expect(found.map((email) => email.value)).toEqual(["contact@acme.fr", "acme.devis@gmail.com"])
    expect(found[0]!.confidence).toBeGreaterThanOrEqual(0.95)
    expect(found[1]!.confidence).toBeLessThan(found[0]!.confidence)
  })

  it("halves the confidence of an address only found inside a form", () => {
    const inForm = only(`<form><p>Ou écrivez à acme.devis@gmail.com</p></form>`, null)
    const outside = only(`<p>Ou écrivez à acme.devis@gmail.com</p>`, null)
    expect(inForm.confidence).toBeCloseTo(outside.confidence / 2, 1)
  })
})
