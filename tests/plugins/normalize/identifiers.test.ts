import { describe, expect, it } from "bun:test"
import { isValidSiren, isValidSiret } from "../../../plugins/normalize/rules/identifiers.ts"

describe("isValidSiren", () => {
  it("accepts SIRENs whose Luhn sum is a multiple of 10", () => {
    expect(isValidSiren("552100554")).toBe(true)
    expect(isValidSiren("732829320")).toBe(true)
    expect(isValidSiren("356000000")).toBe(true)
  })

  it("rejects a wrong check digit", () => {
    expect(isValidSiren("552100555")).toBe(false)
    expect(isValidSiren("732829321")).toBe(false)
  })

  it("rejects anything but exactly 9 digits", () => {
    expect(isValidSiren("55210055")).toBe(false)
    expect(isValidSiren("5521005540")).toBe(false)
    expect(isValidSiren("55210055A")).toBe(false)
    expect(isValidSiren("552 100 554")).toBe(false)
    expect(isValidSiren("")).toBe(false)
  })
})

describe("isValidSiret", () => {
  it("accepts a SIRET whose Luhn sum is a multiple of 10", () => {
    expect(isValidSiret("73282932000017")).toBe(true)
    expect(isValidSiret("55210055400013")).toBe(true)
  })

  it("rejects a SIRET with a wrong check digit", () => {
    expect(isValidSiret("73282932000018")).toBe(false)
    expect(isValidSiret("55210055400014")).toBe(false)
  })

  it("rejects anything but exactly 14 digits", () => {
    expect(isValidSiret("7328293200001")).toBe(false)
    expect(isValidSiret("732829320000170")).toBe(false)
    expect(isValidSiret("7328293200001X")).toBe(false)
  })

  it("accepts La Poste SIRETs that pass Luhn", () => {
    expect(isValidSiret("35600000000048")).toBe(true)
  })

  it("accepts La Poste SIRETs that fail Luhn when their digit sum is a multiple of 5", () => {
    // 3+5+6+4+8+4 = 30; the Luhn sum is not a multiple of 10.
    expect(isValidSiret("35600000048004")).toBe(true)
  })

  it("rejects La Poste SIRETs that fail Luhn and whose digit sum is not a multiple of 5", () => {
    expect(isValidSiret("35600000048000")).toBe(false)
  })

  it("does not extend the La Poste exception to other SIRENs", () => {
    // Digit sum 5+5+2+1+5+5+4+1+2 = 30 is a multiple of 5, but Luhn fails and this is not La Poste.
    expect(isValidSiret("55210055400012")).toBe(false)
  })
})
