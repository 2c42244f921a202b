import { describe, expect, it } from "bun:test"
import { confidenceOf } from "../../../../plugins/contacts/phone/confidence.ts"
import { amountAfter, faxAfter, labelBefore } from "../../../../plugins/contacts/phone/labels.ts"
import { toPhone } from "../../../../plugins/contacts/phone/normalize.ts"
import { findWrittenNumbers } from "../../../../plugins/contacts/phone/notation.ts"
import { overseasE164 } from "../../../../plugins/contacts/phone/overseas.ts"
import { dialableOf } from "../../../../plugins/contacts/phone/phonesInMarkup.ts"
import { isPlaceholder } from "../../../../plugins/contacts/phone/placeholders.ts"
import { ownerOf } from "../../../../plugins/contacts/phone/thirdParty.ts"

const dialables = (text: string) => findWrittenNumbers(text).map((number) => number.dialable)

describe("findWrittenNumbers", () => {
  it("gives where each number is written and what it dials", () => {
    expect(findWrittenNumbers("Tél : +33 (0)6 98 51 39 29.")).toEqual([
      { start: 6, end: 26, asWritten: "+33 (0)6 98 51 39 29", dialable: "+33698513929" }
    ])
  })

  it("splits a run at a wide separator or a second +", () => {
    expect(dialables("01 42 68 53 00 - 06 19 65 70 44")).toEqual(["0142685300", "0619657044"])
    expect(dialables("+33 1 42 68 53 00 +33 6 19 65 70 44")).toEqual(["+33142685300", "+33619657044"])
  })

  it("refuses a run whose glued groups do not cut into numbers", () => {
    expect(dialables("01.01.2020.31.12")).toEqual([])
    expect(dialables("0612-3456-7890")).toEqual([])
  })

  it("skips groups standing alone that start no number", () => {
    expect(dialables("75012 06 14 67 21 00 01 84 80 91 86")).toEqual(["0614672100", "0184809186"])
  })

  it("finds nothing in a SIRET, even one with a zero-led group", () => {
    expect(dialables("812 345 678 00012")).toEqual([])
    expect(dialables("812 345 678 0001 2")).toEqual([])
  })

  it("refuses a run glued to a country prefix (IBAN, VAT)", () => {
    expect(dialables("FR76 0612 3456 78")).toEqual([])
    expect(dialables("FR 06 12 34 56 78")).toEqual([])
    expect(dialables("FR 12 345678901 - 06 19 65 70 44")).toEqual(["0619657044"])
  })
})

describe("overseasE164", () => {
  it("maps each territory's national prefixes to its calling code", () => {
    expect(overseasE164("590123456")).toBe("+590590123456")
    expect(overseasE164("696123456")).toBe("+596696123456")
    expect(overseasE164("694123456")).toBe("+594694123456")
    expect(overseasE164("262123456")).toBe("+262262123456")
    expect(overseasE164("639123456")).toBe("+262639123456")
    expect(overseasE164("508412345")).toBe("+508412345")
  })

  it("leaves metropolitan numbers alone", () => {
    expect(overseasE164("555928050")).toBeUndefined()
    expect(overseasE164("976123456")).toBeUndefined()
  })
})

describe("toPhone", () => {
  it("gives the region and the line type", () => {
    expect(toPhone("0692123456")).toMatchObject({ e164: "+262692123456", region: "RE", type: "mobile", valid: true })
    expect(toPhone("0899701761")).toMatchObject({ e164: "+33899701761", type: "premium" })
  })

  it("refuses digits that cannot be a number", () => {
    expect(toPhone("1007")).toBeUndefined()
    expect(toPhone("+331007")).toBeUndefined()
  })
})

describe("dialableOf (tel: hrefs, structured values)", () => {
  it("forgives hand-written hrefs", () => {
    expect(dialableOf("tel:+330963286273")).toBe("+33963286273")
    expect(dialableOf("tel:0033142685300")).toBe("+33142685300")
    expect(dialableOf("tel:01.42.68.53.00")).toBe("0142685300")
    expect(dialableOf("tel:+33(0)1 42 68 53 00")).toBe("+33142685300")
    expect(dialableOf("tel://0142685300")).toBe("0142685300")
    expect(dialableOf("tel:142685300")).toBe("0142685300")
    expect(dialableOf("33614672100")).toBe("+33614672100")
    expect(dialableOf("tel:+33142685300;ext=12")).toBe("+33142685300")
  })

  it("gives up on what dials nothing", () => {
    expect(dialableOf("tel:")).toBeUndefined()
    expect(dialableOf("tel:1007")).toBeUndefined()
  })
})

describe("isPlaceholder", () => {
  it("knows the numbers typed as placeholders", () => {
    expect(isPlaceholder("123456789")).toBe(true) // 01 23 45 67 89
    expect(isPlaceholder("612345678")).toBe(true) // 06 12 34 56 78
    expect(isPlaceholder("600000000")).toBe(true) // 06 00 00 00 00
    expect(isPlaceholder("102030405")).toBe(true) // 01 02 03 04 05
    expect(isPlaceholder("611223344")).toBe(true) // 06 11 22 33 44
  })

  it("lets real and memorable numbers through", () => {
    expect(isPlaceholder("444446040")).toBe(false)
    expect(isPlaceholder("140506070")).toBe(false)
    expect(isPlaceholder("698521832")).toBe(false)
  })
})

describe("labelBefore", () => {
  it("reads phone, fax and both", () => {
    expect(labelBefore("Tél. : ")).toBe("phone")
    expect(labelBefore("Téléphone Secrétariat : ")).toBe("phone")
    expect(labelBefore(" - Fax : ")).toBe("fax")
    expect(labelBefore("Télécopie ")).toBe("fax")
    expect(labelBefore("Tél/Fax : ")).toBe("phone_and_fax")
    expect(labelBefore("Le cabinet, ")).toBe("none")
  })

  it("reads business-card letters, upper case only", () => {
    expect(labelBefore("T. ")).toBe("phone")
    expect(labelBefore("— F : ")).toBe("fax")
    expect(labelBefore("of ")).toBe("none")
  })

  it("lets the nearest label win against an identifier", () => {
    expect(labelBefore("RCS Paris ")).toBe("identifier")
    expect(labelBefore("SIRET : ")).toBe("identifier")
    expect(labelBefore("loi n° ")).toBe("identifier")
    expect(labelBefore("RCS Paris, Tél. ")).toBe("phone")
    expect(labelBefore("conformément à la loi Informatique et Libertés, appelez le ")).toBe("phone")
    expect(labelBefore("la loi Informatique et Libertés vous donne un droit d’accès : ")).toBe("none")
  })

  it("reads fax and amounts written after", () => {
    expect(faxAfter(" (fax)")).toBe(true)
    expect(faxAfter(" - Fax : 01 42 68 53 01")).toBe(false)
    expect(amountAfter(",00 €")).toBe(true)
    expect(amountAfter(" euros")).toBe(true)
  })
})

describe("ownerOf", () => {
  it("gives host and credits parts to the host and the agency", () => {
    expect(ownerOf("+33320123450", "host", "")).toBe("host")
    expect(ownerOf("+33320123450", "credits", "")).toBe("agency")
    expect(ownerOf("+33320123450", "footer", "")).toBeNull()
  })

  it("stops looking for a host above at the publisher's lines", () => {
    expect(ownerOf("+33320123450", "legal", "Tél : ", ["Hébergeur : Gandi SAS", "Adresse : Paris"])).toBe("host")
    expect(ownerOf("+33320123450", "legal", "Tél : ", ["Hébergeur : Gandi SAS", "Éditeur : Acme SARL"])).toBeNull()
    expect(ownerOf("+33320123450", "main", "Réservations : ", ["Nos hébergements : gîtes et chalets"])).toBeNull()
    expect(ownerOf("+33320123450", "legal", "Tél : ", ["Ce site est herbergé chez Exemple :", "Paris"])).toBe("host")
  })
})

describe("confidenceOf", () => {
  it("follows the documented table", () => {
    expect(confidenceOf("tel_visible", "main", true)).toBe(0.95)
    expect(confidenceOf("labelled", "main", true)).toBe(0.9)
    expect(confidenceOf("bare", "footer", true)).toBe(0.8)
    expect(confidenceOf("bare", "main", true)).toBe(0.7)
    expect(confidenceOf("labelled", "main", false)).toBe(0.7)
  })
})
