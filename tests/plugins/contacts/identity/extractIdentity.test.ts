import { describe, expect, it } from "bun:test"
import { extractIdentity, type Identity } from "../../../../plugins/contacts/identity/extractIdentity.ts"
import { parseHtml } from "../../../../plugins/parse/parseHtml.ts"

const URL = "https://www.acme.fr/mentions-legales"

const identityOf = (...pages: string[]): Identity =>
  extractIdentity({
    domain: "acme.fr",
    pages: pages.map((html, index) => parseHtml(html, { url: `${URL}/${index}`, fetchedAt: 1 }))
  })

const own = <T extends { readonly value: unknown; readonly thirdParty: unknown }>(list: ReadonlyArray<T>) =>
  list.filter((found) => found.thirdParty === null).map((found) => found.value)

const third = <T extends { readonly value: unknown; readonly thirdParty: unknown }>(list: ReadonlyArray<T>) =>
  list.filter((found) => found.thirdParty !== null).map((found) => [found.value, found.thirdParty])

// Luhn-valid: SIREN 732829320 (SIRET 73282932000074), 552100554, 123456782 (SIRET 12345678200010).
describe("extractIdentity: SIREN notations", () => {
  it("reads a labelled SIREN grouped three by three", () => {
    const identity = identityOf("<p>SIREN : 732 829 320</p>")
    expect(identity.siren).toEqual([
      {
        value: "732829320",
        asWritten: "732 829 320",
        valid: true,
        derivedFromSiret: false,
        url: `${URL}/0`,
        part: "main",
        via: "text",
        confidence: 0.95,
        thirdParty: null,
        fetchedAt: 1
      }
    ])
  })

  it("reads a SIREN written in one piece or with dots", () => {
    expect(own(identityOf("<p>N° SIREN 732829320</p>").siren)).toEqual(["732829320"])
    expect(own(identityOf("<p>Numéro SIREN : 732.829.320</p>").siren)).toEqual(["732829320"])
  })

  it("reads the label from the line before (table cells, definition lists)", () => {
    expect(own(identityOf("<dl><dt>SIREN</dt><dd>552 100 554</dd></dl>").siren)).toEqual(["552100554"])
  })

  it("reads the SIREN of a trade-register mention", () => {
    expect(own(identityOf("<p>SARL Acme, RCS Paris B 552 100 554</p>").siren)).toEqual(["552100554"])
    const sentence = "<p>Acme SAS, immatriculée au RCS de Lyon sous le numéro 552 100 554, siège à Lyon.</p>"
    expect(own(identityOf(sentence).siren)).toEqual(["552100554"])
  })

  it("reads a register named after the number", () => {
    expect(own(identityOf("<p>Acme SA 552 100 554 R.C.S. Saint-Etienne</p>").siren)).toEqual(["552100554"])
  })

  it("keeps a stated SIREN that fails the check digit, flagged invalid and less sure", () => {
    const [siren] = identityOf("<p>SIREN : 123 456 789</p>").siren
    expect(siren).toMatchObject({ value: "123456789", valid: false, thirdParty: null })
    expect(siren!.confidence).toBeLessThan(0.9)
  })
})

describe("extractIdentity: SIRET notations", () => {
  it("reads SIRETs grouped 3-3-3-5, in one piece, or 9+5", () => {
    expect(own(identityOf("<p>SIRET : 732 829 320 00074</p>").siret)).toEqual(["73282932000074"])
    expect(own(identityOf("<p>N° SIRET 73282932000074</p>").siret)).toEqual(["73282932000074"])
    expect(own(identityOf("<p>Immatriculation : 732829320 00074 - NAF (APE) : 7111Z</p>").siret)).toEqual([
      "73282932000074"
    ])
  })

  it("reads a SIRET given as the register number", () => {
    const html = "<p>inscrite au registre du commerce de Epinal sous le numéro 73282932000074</p>"
    expect(own(identityOf(html).siret)).toEqual(["73282932000074"])
  })

  it("reads the SIRET out of a run that goes on with a postcode", () => {
    expect(own(identityOf("<p>SIRET 732 829 320 00074 75008 Paris</p>").siret)).toEqual(["73282932000074"])
  })

  it("accepts La Poste SIRETs by their digit sum", () => {
    const [siret] = identityOf("<p>SIRET : 356 000 000 00010</p>").siret
    expect(siret).toMatchObject({ value: "35600000000010", valid: true })
  })

  it("takes a Luhn-valid SIRET after a legal form as labelled", () => {
    const html = "<p>Propriétaire : IP Bureautique – SARL 12345678200010 – 5 mail Louise Bourgeois 35000 Rennes</p>"
    expect(own(identityOf(html).siret)).toEqual(["12345678200010"])
  })

  it("takes an unlabelled Luhn-valid 14-digit number in the legal notice, not in the page body", () => {
    expect(own(identityOf('<div class="mentions-legales"><p>Acme – 12345678200010</p></div>').siret)).toEqual([
      "12345678200010"
    ])
    expect(own(identityOf("<p>Commande 12345678200010</p>").siret)).toEqual([])
  })
})

describe("extractIdentity: SIREN derived from a SIRET", () => {
  it("adds the SIREN a printed SIRET implies", () => {
    const identity = identityOf("<p>SIRET : 732 829 320 00074</p>")
    expect(identity.siren).toHaveLength(1)
    expect(identity.siren[0]).toMatchObject({
      value: "732829320",
      derivedFromSiret: true,
      valid: true,
      asWritten: "732 829 320",
      via: "siret",
      thirdParty: null
    })
  })

  it("does not add it again when the SIREN is printed too", () => {
    const identity = identityOf("<p>SIREN : 732 829 320 — SIRET : 732 829 320 00074</p>")
    expect(identity.siren.map((siren) => [siren.value, siren.derivedFromSiret])).toEqual([["732829320", false]])
  })
})

describe("extractIdentity: VAT numbers", () => {
  it("reads spaced and compact VAT numbers and checks their key against the SIREN", () => {
    const identity = identityOf("<p>TVA intracommunautaire : FR 44 732829320</p><p>N° TVA FR96552100554</p>")
    expect(identity.vat.map((vat) => [vat.value, vat.keyConsistent, vat.asWritten])).toEqual([
      ["FR44732829320", true, "FR 44 732829320"],
      ["FR96552100554", true, "FR96552100554"]
    ])
  })

  it("flags a key that does not match, and cannot check a letter key", () => {
    const identity = identityOf("<p>TVA : FR11 732 829 320</p><p>TVA : FRX1 552 100 554</p>")
    expect(identity.vat.map((vat) => [vat.value, vat.keyConsistent])).toEqual([
      ["FR11732829320", false],
      ["FRX1552100554", null]
    ])
  })

  it("does not read an IBAN or a domain name as a VAT number, nor the SIREN inside a VAT number", () => {
    const identity = identityOf("<p>IBAN FR76 3000 4000 0312 3456 7890 143</p><p>Site acme.fr 12 345 678 901</p>")
    expect(identity.vat).toEqual([])
    expect(identityOf("<p>N° TVA : FR 44 732 829 320</p>").siren).toEqual([])
  })
})

describe("extractIdentity: look-alikes are not SIRENs", () => {
  it("rejects ADELI numbers of health professionals, even Luhn-valid", () => {
    expect(identityOf("<p>N° ADELI : 690 004 734</p>").siren).toEqual([])
    expect(identityOf("<p>Siret : 73282932000074</p><p>Adeli : 690-004-734</p>").siren.map((s) => s.value)).toEqual([
      "732829320"
    ])
    expect(identityOf("<p>SIRET : 732 829 320 00074 — N° ADELI : 22 93 0383 9</p>").siren).toHaveLength(1)
  })

  it("rejects RPPS numbers (11 digits)", () => {
    expect(identityOf("<p>N° RPPS : 10112709844</p>").siren).toEqual([])
    expect(identityOf("<p>enregistrée au RPPS sous le numéro 690 004 734</p>").siren).toEqual([])
  })

  it("rejects RNA numbers of associations, even after a SIREN label", () => {
    expect(identityOf("<p>déclarée sous le n°:W381003611</p>").siren).toEqual([])
    expect(identityOf("<p>Numéro d'identification : W381003611</p>").siren).toEqual([])
  })

  it("rejects services-à-la-personne, ORIAS and architects' order numbers", () => {
    expect(identityOf("<p>déclarée sous le numéro SAP/732829320</p>").siren).toEqual([])
    expect(identityOf("<p>Immatriculé à l'ORIAS sous le n° 732 829 320</p>").siren).toEqual([])
    expect(identityOf("<p>Inscrit à l'Ordre des architectes sous le n° 732 829 320</p>").siren).toEqual([])
  })

  it("rejects phone digits, even next to a registration label", () => {
    expect(identityOf("<p>Tél : +33 (0) 971 00 71 00</p>").siren).toEqual([])
    expect(identityOf("<p>SIREN 552 100 554 — Tél. 690 004 734</p>").siren.map((s) => s.value)).toEqual(["552100554"])
    expect(identityOf("<p>RCS Paris — Téléphone : +33 690004734</p>").siren).toEqual([])
  })

  it("rejects a mobile number written without its leading 0 after the country code", () => {
    expect(identityOf("<p>Immatriculation en cours — contact (+33) 690 004 734</p>").siren).toEqual([])
  })

  it("rejects amounts of share capital", () => {
    expect(identityOf("<p>SAS au capital de 690 004 734 € — RCS Paris</p>").siren).toEqual([])
  })

  it("rejects an unlabelled 9-digit number, even Luhn-valid in the legal notice", () => {
    expect(identityOf('<div class="mentions-legales"><p>Référence 690 004 734</p></div>').siren).toEqual([])
  })
})

describe("extractIdentity: the host's and the agency's numbers are theirs", () => {
  it("keeps numbers of the host section apart", () => {
    const html = `<h2>Éditeur</h2><p>SIRET 73282932000074</p>
      <h2>Hébergement</h2><p>SAS au capital de 10 069 020 €</p><p>RCS Lille Métropole 552 100 554 00013</p>
      <p>N° TVA : FR 96 552 100 554</p><p>Code APE 2620Z</p>`
    const identity = identityOf(html)
    expect(own(identity.siret)).toEqual(["73282932000074"])
    expect(third(identity.siret)).toEqual([["55210055400013", "host"]])
    expect(third(identity.vat)).toEqual([["FR96552100554", "host"]])
    expect(third(identity.naf)).toEqual([["26.20Z", "host"]])
  })

  it("keeps the host's numbers apart under its heading even after a publisher-like label", () => {
    const html = `<section><h2>Hébergement</h2><div><p>Siège social : 2 rue Kellermann - 59100 Roubaix</p>
      <p>OVH SAS est une filiale de la société OVH Groupe SA, société immatriculée au RCS de Lille sous le numéro <br>552 100 554 sise 2, rue Kellermann.</p></div></section>`
    expect(third(identityOf(html).siren)).toEqual([["552100554", "host"]])
  })

  it("keeps apart the lines a host line introduces", () => {
    const html =
      "<p>Nom de l'association : Les Colombes<br>Ce site est hébergé chez Scaleway :<br>SIREN : 552 100 554 RCS Paris<br>Adresse : 8 rue de la Ville l'Evêque, 75008 Paris</p>"
    expect(third(identityOf(html).siren)).toEqual([["552100554", "host"]])
  })

  it("keeps apart a number named after a host or an agency in its own sentence", () => {
    const html = "<p>Acme SARL, SIREN 732 829 320. Le site est hébergé par Gandi SAS, RCS Paris 552 100 554.</p>"
    const identity = identityOf(html)
    expect(own(identity.siren)).toEqual(["732829320"])
    expect(third(identity.siren)).toEqual([["552100554", "host"]])
  })

  it("keeps apart the numbers under a heading crediting the site's maker", () => {
    const html = "<h2>Conception du site</h2><p>Agence Pixel — SIRET 552 100 554 00013</p>"
    expect(third(identityOf(html).siret)).toEqual([["55210055400013", "agency"]])
  })

  it("gives a copyright line to the publisher, even after the host's heading", () => {
    const html = "<h2>Hébergement</h2><p>OVH SAS, 2 rue Kellermann</p><p>© 2024 Acme – SIRET 732 829 320 00074</p>"
    expect(own(identityOf(html).siret)).toEqual(["73282932000074"])
  })

  it("knows the SIRENs of the usual French hosts wherever they stand", () => {
    expect(third(identityOf("<p>SIREN : 424 761 419</p>").siren)).toEqual([["424761419", "host"]])
  })

  it("keeps apart the numbers of a company credited as the site's maker", () => {
    const html = `<p>Propriétaire et éditeur du site :</p>
      <p>FITTINGBOX, SA au capital de 264 469 euros, immatriculée au RCS de Toulouse sous le numéro B 552 100 554.</p>
      <p><a href="https://www.fittingbox.fr">&gt; Réalisation FittingBox</a></p>`
    const identity = identityOf(html)
    expect(third(identity.siren)).toEqual([["552100554", "agency"]])
    expect(identity.publisher).toBeNull()
  })

  it("keeps the credits part's numbers apart", () => {
    const html = '<div class="credits"><p>Site réalisé par WebAgence, SIRET 552 100 554 00013</p></div>'
    expect(third(identityOf(html).siret)).toEqual([["55210055400013", "agency"]])
  })

  it("keeps a number apart everywhere once it is seen as the host's", () => {
    const html = "<h2>Hébergeur</h2><p>RCS Roubaix 552 100 554</p><h2>Divers</h2><p>SIREN 552 100 554</p>"
    expect(own(identityOf(html).siren)).toEqual([])
  })
})

describe("extractIdentity: register, APE code, publisher", () => {
  it("reads the register's city and number", () => {
    const identity = identityOf(
      "<p>RCS Lyon : 552 100 554</p><p>Greffe : RCS Dijon</p><p>immatriculée au Registre du Commerce et des Sociétés de Saint-Nazaire sous le numéro 732829320</p>"
    )
    expect(identity.rcs.map((rcs) => rcs.value)).toEqual([
      { city: "Lyon", number: "552100554" },
      { city: "Dijon", number: null },
      { city: "Saint-Nazaire", number: "732829320" }
    ])
  })

  it("reads a register named after its number", () => {
    const identity = identityOf("<p>RCS de 552 100 554 R.C.S. SAINT-ETIENNE Société anonyme</p>")
    expect(identity.rcs.map((rcs) => rcs.value)).toContainEqual({ city: "SAINT-ETIENNE", number: "552100554" })
  })

  it("normalises APE/NAF codes", () => {
    const identity = identityOf("<p>Code NAF 8121Z</p><p>APE : 70.22 z</p>")
    expect(identity.naf.map((naf) => naf.value)).toEqual(["81.21Z", "70.22Z"])
  })

  it("reads the publisher after its label, on the same line or the next", () => {
    expect(identityOf("<p>Raison sociale : SARL A PLUS C, au capital de 1 000 €</p>").publisher?.value).toBe(
      "SARL A PLUS C"
    )
    expect(identityOf("<p>Raison sociale de l'entreprise</p><p>TFLM</p>").publisher?.value).toBe("TFLM")
    expect(
      identityOf("<p>Le site acme.fr est édité par Acme Conseil, SAS au capital de 5 000 €.</p>").publisher?.value
    ).toBe("Acme Conseil")
    expect(identityOf("<p>Éditeur : [À COMPLÉTER]</p>").publisher).toBeNull()
  })

  it("reads the publisher on the first line under a publisher heading", () => {
    const html = "<h2>Édition du site</h2><p>EI Dany Provence Herbes, immatriculée au RCS de Tarascon</p>"
    expect(identityOf(html).publisher?.value).toBe("EI Dany Provence Herbes")
    expect(
      identityOf("<h2>Éditeur du site</h2><p>Le présent site, accessible à l'adresse acme.fr</p>").publisher
    ).toBeNull()
  })

  it("reads schema.org identifiers of JSON-LD", () => {
    const html = `<script type="application/ld+json">{"@type":"Organization","legalName":"Acme SAS","vatID":"FR44732829320","taxID":"73282932000074"}</script>`
    const identity = identityOf(html)
    expect(own(identity.vat)).toEqual(["FR44732829320"])
    expect(own(identity.siret)).toEqual(["73282932000074"])
    expect(identity.publisher?.value).toBe("Acme SAS")
  })
})

describe("a SIRET right after its own SIREN", () => {
  it("counts as the SIRET when the label stops at the SIREN", () => {
    const page = parseHtml(
      "<main><p>Immatriculée au Registre du Commerce et des Sociétés de Versailles B 504 815 721 sous le numéro 50481572100049</p></main>",
      { url: "https://www.aleris.fr/mentions" }
    )
    const identity = extractIdentity({ domain: null, pages: [page] })
    expect(identity.siret.map((siret) => siret.value)).toEqual(["50481572100049"])
  })
})
