import { describe, expect, it } from "bun:test"
import { extractPhones, type PhoneFound } from "../../../../plugins/contacts/phone/extractPhones.ts"
import { parseHtml } from "../../../../plugins/parse/parseHtml.ts"

const site = (...htmls: string[]) => ({
  domain: null,
  pages: htmls.map((html, index) => parseHtml(html, { url: `https://www.acme.fr/page-${index}` }))
})

const phonesOf = (...htmls: string[]): PhoneFound[] => extractPhones(site(...htmls))
/** The company's own contact phones (not faxes, not a third party's), in E.164. */
const ownPhones = (...htmls: string[]): string[] =>
  phonesOf(...htmls)
    .filter((phone) => phone.thirdParty === null && !phone.fax)
    .map((phone) => phone.value)
const onlyPhone = (html: string): PhoneFound => {
  const found = phonesOf(html)
  expect(found).toHaveLength(1)
  return found[0]!
}

describe("extractPhones: French notations", () => {
  it("reads digit pairs separated by spaces", () => {
    expect(ownPhones("<p>Tél : 01 42 68 53 00</p>")).toEqual(["+33142685300"])
  })

  it("reads pairs separated by dots", () => {
    expect(ownPhones("<p>04.73.95.00.48</p>")).toEqual(["+33473950048"])
  })

  it("reads pairs separated by dashes", () => {
    expect(ownPhones("<p>04-74-87-53-00</p>")).toEqual(["+33474875300"])
  })

  it("reads pairs separated by slashes", () => {
    expect(ownPhones("<p>01/42/68/53/00</p>")).toEqual(["+33142685300"])
  })

  it("reads pairs separated by no-break spaces", () => {
    expect(ownPhones("<p>06&nbsp;37&nbsp;38&nbsp;15&nbsp;55</p>")).toEqual(["+33637381555"])
    expect(ownPhones("<p>06\u202f37\u202f38\u202f15\u202f55</p>")).toEqual(["+33637381555"])
  })

  it("reads ten compact digits, even followed by a comma", () => {
    expect(ownPhones("<p>Appelez le 0160804602, du lundi au vendredi</p>")).toEqual(["+33160804602"])
  })

  it("reads 4-3-3 and 3-3-2-2 groupings", () => {
    expect(ownPhones("<p>0899 701 760</p>")).toEqual(["+33899701760"])
    expect(ownPhones("<p>014 268 53 00</p>")).toEqual(["+33142685300"])
    expect(ownPhones("<p>Numéro vert : 0 800 123 456</p>")).toEqual(["+33800123456"])
  })

  it("reads +33 with the digit after it alone", () => {
    expect(ownPhones("<p>+33 7 85 86 01 87</p>")).toEqual(["+33785860187"])
  })

  it("reads +33 (0)…, the trunk 0 in brackets", () => {
    expect(ownPhones("<p>+33 (0)6 98 51 39 29</p>")).toEqual(["+33698513929"])
    expect(ownPhones("<p>+33(0)698513929</p>")).toEqual(["+33698513929"])
  })

  it("reads +33 followed by nine unspaced digits", () => {
    expect(ownPhones("<p>+33 474159549</p>")).toEqual(["+33474159549"])
  })

  it("reads 0033 as +33", () => {
    expect(ownPhones("<p>0033 1 42 68 53 00</p>")).toEqual(["+33142685300"])
  })

  it("reads the calling code in brackets, (+33)", () => {
    expect(ownPhones("<p>(+33) 1 42 68 53 00</p>")).toEqual(["+33142685300"])
  })

  it("reads two numbers on one line, however they are separated", () => {
    expect(ownPhones("<p>Téléphone : 03.27.91.92.98 - 06.19.65.70.44</p>")).toEqual(["+33327919298", "+33619657044"])
    expect(ownPhones("<p>01 42 68 53 00 / 06 19 65 70 44</p>")).toEqual(["+33142685300", "+33619657044"])
    expect(ownPhones("<p>01 42 68 53 00 06 19 65 70 44</p>")).toEqual(["+33142685300", "+33619657044"])
  })

  it("reads a number run into an address by inline markup", () => {
    expect(ownPhones("<p><span>Paris 75012</span> <span>06 14 67 21 00</span></p>")).toEqual(["+33614672100"])
    expect(ownPhones("<p>12 rue de France 06000 Nice 04 93 12 34 56</p>")).toEqual(["+33493123456"])
  })

  it("keeps what was written and reads foreign numbers written with their calling code", () => {
    const found = onlyPhone("<p>Bureau de Bruxelles : +32 2 512 34 56</p>")
    expect(found).toMatchObject({ value: "+3225123456", region: "BE", asWritten: "+32 2 512 34 56" })
  })
})

describe("extractPhones: tel: and other links", () => {
  it("reads a well-formed tel: href", () => {
    expect(onlyPhone('<a href="tel:+33698521832">Appeler</a>')).toMatchObject({ value: "+33698521832", via: "tel" })
  })

  it("drops the trunk 0 kept after +33 (tel:+330963286273)", () => {
    expect(onlyPhone('<a href="tel:+330963286273">Appeler</a>').value).toBe("+33963286273")
  })

  it("reads tel:0033…", () => {
    expect(onlyPhone('<a href="tel:0033142685300">Appeler</a>').value).toBe("+33142685300")
  })

  it("reads a national number with dots in the href (tel:01.23…)", () => {
    expect(onlyPhone('<a href="tel:01.42.68.53.00">Appeler</a>').value).toBe("+33142685300")
  })

  it("reads tel:+33(0)…", () => {
    expect(onlyPhone('<a href="tel:+33(0)142685300">Appeler</a>').value).toBe("+33142685300")
    expect(onlyPhone('<a href="tel:+33%20(0)1%2042%2068%2053%2000">Appeler</a>').value).toBe("+33142685300")
  })

  it("reads a national href without the +33 (tel:0769571240)", () => {
    expect(onlyPhone('<a href="tel:0769571240">Appeler</a>').value).toBe("+33769571240")
  })

  it("reads a WhatsApp link", () => {
    expect(onlyPhone('<a href="https://wa.me/33614672100">WhatsApp</a>')).toMatchObject({
      value: "+33614672100",
      via: "whatsapp",
      type: "mobile"
    })
  })

  it("reports a number once, at its best occurrence", () => {
    const found = phonesOf(
      '<p>06 80 92 32 59</p><footer><a href="tel:+33680923259">06 80 92 32 59</a></footer>',
      "<p>Portable : 06.80.92.32.59</p>"
    )
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({
      value: "+33680923259",
      via: "tel",
      confidence: 0.95,
      url: "https://www.acme.fr/page-0"
    })
  })
})

describe("extractPhones: structured data", () => {
  it("reads JSON-LD telephone and faxNumber", () => {
    const found = phonesOf(
      '<script type="application/ld+json">{"@type":"LocalBusiness","telephone":"+33 1 42 68 53 00","faxNumber":"01 42 68 53 01"}</script>'
    )
    expect(found.map((phone) => [phone.value, phone.via, phone.fax])).toEqual([
      ["+33142685300", "jsonld", false],
      ["+33142685301", "jsonld", true]
    ])
  })

  it("reads microdata telephone", () => {
    const found = onlyPhone(
      '<div itemscope itemtype="https://schema.org/Organization"><span itemprop="telephone">04 90 91 45 95</span></div>'
    )
    expect(found).toMatchObject({ value: "+33490914595", via: "microdata", confidence: 0.9 })
    expect(phonesOf('<div itemscope><meta itemprop="telephone" content="04 90 91 45 95"></div>')[0]?.via).toBe(
      "microdata"
    )
  })

  it("skips the numbers of a JSON-LD author or creator (the agency)", () => {
    expect(
      phonesOf(
        '<script type="application/ld+json">{"@type":"WebSite","creator":{"@type":"Organization","telephone":"01 42 68 53 00"}}</script>'
      )
    ).toEqual([])
  })
})

describe("extractPhones: overseas departments and collectivities", () => {
  const region = (html: string) => {
    const { value, region, type } = onlyPhone(html)
    return { value, region, type }
  }

  it("gives 0590 and 0690 numbers Guadeloupe's +590", () => {
    expect(region("<p>0590 82 34 56</p>")).toEqual({ value: "+590590823456", region: "GP", type: "landline" })
    expect(region("<p>0690 12 34 56</p>")).toEqual({ value: "+590690123456", region: "GP", type: "mobile" })
  })

  it("gives 0596 and 0696 numbers Martinique's +596", () => {
    expect(region("<p>05 96 61 23 45</p>")).toEqual({ value: "+596596612345", region: "MQ", type: "landline" })
    expect(region("<p>06 96 12 34 56</p>")).toEqual({ value: "+596696123456", region: "MQ", type: "mobile" })
  })

  it("gives 0594 and 0694 numbers Guyane's +594", () => {
    expect(region("<p>0594 29 12 34</p>")).toEqual({ value: "+594594291234", region: "GF", type: "landline" })
    expect(region("<p>0694 20 12 34</p>")).toEqual({ value: "+594694201234", region: "GF", type: "mobile" })
  })

  it("gives 0262, 0692 and 0693 numbers La Réunion's +262", () => {
    expect(region("<p>02 62 21 12 34</p>")).toEqual({ value: "+262262211234", region: "RE", type: "landline" })
    expect(region("<p>06 92 12 34 56</p>")).toEqual({ value: "+262692123456", region: "RE", type: "mobile" })
    expect(region("<p>06 93 12 34 56</p>")).toEqual({ value: "+262693123456", region: "RE", type: "mobile" })
  })

  it("gives 0269 and 0639 numbers Mayotte's +262", () => {
    expect(region("<p>02 69 61 12 34</p>")).toEqual({ value: "+262269611234", region: "YT", type: "landline" })
    expect(region("<p>06 39 10 12 34</p>")).toEqual({ value: "+262639101234", region: "YT", type: "mobile" })
  })

  it("gives 0508 numbers Saint-Pierre-et-Miquelon's +508 and six digits", () => {
    expect(region("<p>05 08 41 23 45</p>")).toEqual({ value: "+508412345", region: "PM", type: "landline" })
  })

  it("maps an overseas number written after +33 or in a tel: href too", () => {
    expect(onlyPhone("<p>+33 5 90 82 34 56</p>").value).toBe("+590590823456")
    expect(onlyPhone('<a href="tel:0692123456">Appeler</a>').value).toBe("+262692123456")
  })

  it("reads numbers already written with the territory's calling code", () => {
    expect(region("<p>+262 262 21 12 34</p>")).toEqual({ value: "+262262211234", region: "RE", type: "landline" })
    expect(region("<p>+687 26 12 34</p>")).toEqual({ value: "+687261234", region: "NC", type: "landline" })
    expect(region("<p>+689 40 41 23 45</p>")).toEqual({ value: "+68940412345", region: "PF", type: "landline" })
  })

  it("keeps metropolitan numbers with the same first digits as +33", () => {
    expect(region("<p>05 55 92 80 50</p>")).toEqual({ value: "+33555928050", region: "FR", type: "landline" })
    expect(region("<p>02 40 42 74 59</p>")).toEqual({ value: "+33240427459", region: "FR", type: "landline" })
  })
})

describe("extractPhones: digits that are no phone", () => {
  it("ignores SIREN, SIRET, RCS and VAT numbers", () => {
    expect(
      phonesOf(
        "<p>SIREN : 938 126 956</p><p>SIRET : 812 345 678 00012</p><p>RCS Paris 812 345 678</p>" +
          "<p>N° TVA intracommunautaire : FR 06 812345678</p><p>TVA : FR02927761767</p><p>SIRET 81234567800012</p>"
      )
    ).toEqual([])
  })

  it("ignores a number labelled as an identifier even when it has a phone's shape", () => {
    expect(phonesOf("<p>N° de déclaration : 01 23 77 44 90</p><p>Agrément 0612778899</p>")).toEqual([])
  })

  it("ignores share capitals and prices", () => {
    expect(
      phonesOf("<p>au capital de 10 000 €</p><p>Capital : 3 687 776,00 €</p><p>Prix : 0 612 778 899 €</p>")
    ).toEqual([])
  })

  it("ignores dates, years, postcodes and street numbers", () => {
    expect(
      phonesOf(
        "<p>Mis à jour le 01/07/2024</p><p>2017-05-18 23:14:39</p><p>01.01.2020 - 31.12.2020</p>" +
          "<p>12 rue Anchin 59194 Râches</p><p>BP 70109 57200 Sarreguemines</p><p>Ouvert 2019 2020 2021</p>"
      )
    ).toEqual([])
  })

  it("ignores IBAN, BIC and ISBN", () => {
    expect(
      phonesOf(
        "<p>IBAN FR76 3000 6000 0112 3456 7890 189</p><p>RIB : 30006 00001 12345678901 89</p>" +
          "<p>BIC AGRIFRPP882</p><p>ISBN 978-2-07-036822-8</p>"
      )
    ).toEqual([])
  })

  it("ignores coordinates, order numbers and analytics ids", () => {
    expect(
      phonesOf("<p>43.2965, 5.3698</p><p>Commande n° 0612778899</p><p>AW-16531109338</p><p>G-S529M76JC9</p>")
    ).toEqual([])
  })

  it("ignores law numbers", () => {
    expect(phonesOf("<p>loi n° 2004-575 du 21 juin 2004, loi n°78-17 du 6 janvier 1978</p>")).toEqual([])
  })

  it("ignores short numbers and health-professional ids", () => {
    expect(phonesOf("<p>Support : 1007</p><p>Urgences : 15 / 112 / 3114</p><p>N° RPPS : 10112709844</p>")).toEqual([])
  })

  it("ignores placeholder numbers", () => {
    expect(
      phonesOf(
        "<p>Tél : 01 23 45 67 89</p><p>Téléphone Direction : 06 00 00 00 00</p><p>0X XX XX XX XX</p>" +
          '<p>+33 1 00 00 00 00</p><p>01 02 03 04 05</p><p>06 11 22 33 44</p><a href="tel:0123456789">Appeler</a>'
      )
    ).toEqual([])
  })

  it("ignores what is typed in a form", () => {
    expect(phonesOf("<form><label>Téléphone</label><p>06 61 48 68 42</p></form>")).toEqual([])
  })
})

describe("extractPhones: faxes", () => {
  it("tells a fax labelled on its line from the phone before it", () => {
    const found = phonesOf("<p>Tél : 01 49 32 00 63 - Fax : 01 49 31 04 04</p>")
    expect(found.map((phone) => [phone.value, phone.fax])).toEqual([
      ["+33149320063", false],
      ["+33149310404", true]
    ])
  })

  it("reads Télécopie, Téléc. and a one-letter F. label as fax", () => {
    expect(onlyPhone("<p>Télécopie : 01 49 31 04 04</p>").fax).toBe(true)
    expect(onlyPhone("<p>Téléc. 01 49 31 04 04</p>").fax).toBe(true)
    expect(phonesOf("<p>T. 01 49 32 00 63 F. 01 49 31 04 04</p>").map((phone) => phone.fax)).toEqual([false, true])
  })

  it("reads a fax label on the line above", () => {
    expect(onlyPhone("<dl><dt>Fax</dt><dd>01 49 31 04 04</dd></dl>").fax).toBe(true)
    expect(onlyPhone("<p>Fax :<br>01 49 31 04 04</p>").fax).toBe(true)
  })

  it("reads no label from a sentence ending the line above", () => {
    const found = onlyPhone(
      "<p>Vos données sont protégées conformément à la loi Informatique et Libertés</p><p>06 61 48 68 42</p>"
    )
    expect(found).toMatchObject({ value: "+33661486842", confidence: 0.7 })
  })

  it("reads a fax label written after the number", () => {
    expect(onlyPhone("<p>01 49 31 04 04 (fax)</p>").fax).toBe(true)
  })

  it("gives a fax label to every number it heads", () => {
    expect(phonesOf("<p>Fax : 01 49 31 04 04 / 01 49 31 04 05</p>").map((phone) => phone.fax)).toEqual([true, true])
  })

  it("keeps a number labelled Tél/Fax as a phone", () => {
    expect(onlyPhone("<p>Tél/Fax : 01 49 32 00 63</p>").fax).toBe(false)
    expect(onlyPhone("<p>Tél. et fax : 01 49 32 00 63</p>").fax).toBe(false)
  })

  it("keeps a number that is a phone elsewhere on the site as a phone", () => {
    expect(phonesOf("<p>Fax : 01 49 32 00 63</p>", "<p>Téléphone : 01 49 32 00 63</p>")[0]?.fax).toBe(false)
  })

  it("lists own phones before own faxes", () => {
    expect(phonesOf("<p>Fax : 01 49 31 04 04</p><p>Tél : 01 49 32 00 63</p>").map((phone) => phone.value)).toEqual([
      "+33149320063",
      "+33149310404"
    ])
  })
})

describe("extractPhones: third parties", () => {
  it("gives the host's phone in the host section to the host", () => {
    const found = phonesOf(
      "<body><h2>Éditeur</h2><p>Tél : 06 61 48 68 42</p>" +
        "<h2>Hébergeur</h2><p>Société Exemple</p><p>2 rue de la Gare 59100 Roubaix</p><p>Tél : 03 20 12 34 50</p></body>"
    )
    expect(found.map((phone) => [phone.value, phone.thirdParty])).toEqual([
      ["+33661486842", null],
      ["+33320123450", "host"]
    ])
  })

  it("gives the agency's phone in the credits section to the agency", () => {
    const found = phonesOf(
      "<body><p>Tél : 06 61 48 68 42</p><h3>Conception et réalisation</h3><p>Agence Pixel, 04 78 12 34 50</p></body>"
    )
    expect(found.find((phone) => phone.value === "+33478123450")?.thirdParty).toBe("agency")
  })

  it("gives a number on a line that opens with credits to the agency", () => {
    const found = phonesOf(
      "<footer><p>© 2024 Martin – 06 61 48 68 42</p><p>Site réalisé par Agence Pixel – 04 78 12 34 50</p>" +
        "<p>Travaux réalisés par nos artisans : 06 61 48 68 43</p></footer>"
    )
    expect(found.map((phone) => [phone.value, phone.thirdParty])).toEqual([
      ["+33661486842", null],
      ["+33661486843", null],
      ["+33478123450", "agency"]
    ])
  })

  it("gives a number to the host named just above it when no heading says so", () => {
    const found = phonesOf(
      "<h2>Mentions légales</h2><p>Téléphone : 06 61 48 68 42</p><p>Ce site est herbergé chez Scaleway :</p>" +
        "<p>Adresse : 8 rue de la Ville l’Evêque, 75008 Paris</p><p>Téléphone : +33 (0)1 84 13 00 01</p>"
    )
    expect(found.map((phone) => [phone.value, phone.thirdParty])).toEqual([
      ["+33661486842", null],
      ["+33184130001", "host"]
    ])
  })

  it("gives a number to the host named before it on its line", () => {
    expect(
      onlyPhone("<p>Site hébergé par o2switch, Chemin des Pardiaux 63000 Clermont-Ferrand, 04 44 44 60 41</p>")
        .thirdParty
    ).toBe("host")
  })

  it("knows the phones of the common hosts wherever they stand", () => {
    expect(onlyPhone("<p>Tél. : 0899 701 761</p>").thirdParty).toBe("host")
    expect(onlyPhone('<a href="tel:0970808911">0970 808 911</a>').thirdParty).toBe("host")
  })

  it("keeps the publisher's phone after the host section as the publisher's", () => {
    const found = phonesOf(
      "<p>Hébergeur : OVH SAS, 2 rue Kellermann 59100 Roubaix</p><h2>Éditeur</h2><p>Tél : 06 61 48 68 42</p>"
    )
    expect(found.map((phone) => [phone.value, phone.thirdParty])).toEqual([["+33661486842", null]])
  })
})

describe("extractPhones: confidence and types", () => {
  it("trusts a shown tel: link most, then a label, then a bare number in the footer, then elsewhere", () => {
    expect(onlyPhone('<a href="tel:+33698521832">06 98 52 18 32</a>').confidence).toBe(0.95)
    expect(onlyPhone('<a href="tel:+33698521832">Appelez-nous</a>').confidence).toBe(0.85)
    expect(onlyPhone("<p>Téléphone : 06 98 52 18 32</p>").confidence).toBe(0.9)
    expect(onlyPhone("<footer><p>06 98 52 18 32</p></footer>").confidence).toBe(0.8)
    expect(onlyPhone("<p>06 98 52 18 32</p>").confidence).toBe(0.7)
  })

  it("gives the line type", () => {
    const types = phonesOf(
      "<p>01 42 68 53 00</p><p>06 98 52 18 32</p><p>0899 701 760</p><p>0 800 123 456</p><p>0 810 123 456</p><p>09 54 93 49 90</p>"
    ).map((phone) => phone.type)
    expect(types).toEqual(["landline", "mobile", "premium", "toll_free", "shared_cost", "voip"])
  })

  it("fills the Found fields from the page", () => {
    const [found] = extractPhones({
      domain: null,
      pages: [parseHtml("<footer>Tél : 06 98 52 18 32</footer>", { url: "https://www.acme.fr/", fetchedAt: 42 })]
    })
    expect(found).toEqual({
      value: "+33698521832",
      url: "https://www.acme.fr/",
      part: "footer",
      via: "text",
      confidence: 0.9,
      thirdParty: null,
      fetchedAt: 42,
      type: "mobile",
      region: "FR",
      fax: false,
      asWritten: "06 98 52 18 32"
    })
  })
})
