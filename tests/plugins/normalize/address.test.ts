import { describe, expect, it } from "bun:test"
import { addressOf, streetTypeLabel } from "../../../plugins/normalize/rules/address.ts"
import { readableCase } from "../../../plugins/normalize/rules/casing.ts"
import type { RawEstablishment } from "../../../plugins/normalize/rules/raw.ts"
import { company } from "./rows.ts"

const street = (columns: RawEstablishment) => addressOf(columns).address_line

describe("addressOf", () => {
  it("writes number, bis, expanded street type, street name, complement, postcode and city", () => {
    expect(addressOf(company)).toEqual({
      address_line: "12 bis Rue de la Paix, Bat B, 75002 Paris 2",
      postcode: "75002",
      city: "Paris 2",
      commune_code: "75102"
    })
  })

  it("spells repetition indices ter, quater and quinquies, and appends other letters", () => {
    const base = { numeroVoieEtablissement: "3", typeVoieEtablissement: "AV", libelleVoieEtablissement: "FOCH" }
    expect(street({ ...base, indiceRepetitionEtablissement: "T" })).toBe("3 ter Avenue Foch")
    expect(street({ ...base, indiceRepetitionEtablissement: "Q" })).toBe("3 quater Avenue Foch")
    expect(street({ ...base, indiceRepetitionEtablissement: "C" })).toBe("3 quinquies Avenue Foch")
    expect(street({ ...base, indiceRepetitionEtablissement: "A" })).toBe("3A Avenue Foch")
  })

  it("expands INSEE street type codes", () => {
    expect(street({ typeVoieEtablissement: "BD", libelleVoieEtablissement: "HAUSSMANN" })).toBe("Boulevard Haussmann")
    expect(street({ typeVoieEtablissement: "QUAI", libelleVoieEtablissement: "DE BERCY" })).toBe("Quai de Bercy")
    expect(street({ typeVoieEtablissement: "LD", libelleVoieEtablissement: "LES GRANDS CHAMPS" })).toBe(
      "Lieu-dit les Grands Champs"
    )
    expect(street({ typeVoieEtablissement: "ZI", libelleVoieEtablissement: "DES MARAIS" })).toBe(
      "Zone industrielle des Marais"
    )
    expect(streetTypeLabel("RPT")).toBe("Rond-point")
    expect(streetTypeLabel("CHS")).toBe("Chaussée")
  })

  it("follows INSEE's list where QUA is Quartier", () => {
    expect(streetTypeLabel("QUA")).toBe("Quartier")
  })

  it("keeps an unknown street type code in readable case", () => {
    expect(streetTypeLabel("XYZW")).toBe("Xyzw")
  })

  it("lower-cases French particles, keeps roman numerals and elisions", () => {
    expect(street({ typeVoieEtablissement: "AV", libelleVoieEtablissement: "DU GENERAL DE GAULLE" })).toBe(
      "Avenue du General de Gaulle"
    )
    expect(street({ typeVoieEtablissement: "AV", libelleVoieEtablissement: "PIE XII" })).toBe("Avenue Pie XII")
    expect(street({ typeVoieEtablissement: "RUE", libelleVoieEtablissement: "D'ALSACE LORRAINE" })).toBe(
      "Rue d'Alsace Lorraine"
    )
    expect(street({ typeVoieEtablissement: "PL", libelleVoieEtablissement: "DE L'EGLISE" })).toBe("Place de l'Eglise")
  })

  it("capitalises the street name's first word when there is no street type", () => {
    expect(street({ numeroVoieEtablissement: "5", libelleVoieEtablissement: "LA GRANDE FONTAINE" })).toBe(
      "5 La Grande Fontaine"
    )
  })

  it("keeps acronyms such as BP, RN and CEDEX in capitals", () => {
    expect(
      street({
        typeVoieEtablissement: "RTE",
        libelleVoieEtablissement: "RN 7",
        distributionSpecialeEtablissement: "BP 123",
        codePostalEtablissement: "13090",
        libelleCommuneEtablissement: "AIX-EN-PROVENCE"
      })
    ).toBe("Route RN 7, BP 123, 13090 Aix-en-Provence")
  })

  it("ends with the CEDEX code and label instead of postcode and city", () => {
    const address = addressOf({
      numeroVoieEtablissement: "88",
      typeVoieEtablissement: "AV",
      libelleVoieEtablissement: "VERDIER",
      distributionSpecialeEtablissement: "CS 70058",
      codePostalEtablissement: "92120",
      libelleCommuneEtablissement: "MONTROUGE",
      codeCommuneEtablissement: "92049",
      codeCedexEtablissement: "92541",
      libelleCedexEtablissement: "MONTROUGE CEDEX"
    })
    expect(address).toEqual({
      address_line: "88 Avenue Verdier, CS 70058, 92541 Montrouge CEDEX",
      postcode: "92120",
      city: "Montrouge",
      commune_code: "92049"
    })
  })

  it("adds CEDEX when the CEDEX label lacks it", () => {
    expect(street({ codeCedexEtablissement: "75384", libelleCedexEtablissement: "PARIS" })).toBe("75384 Paris CEDEX")
  })

  it("ends a foreign address with the foreign city and country", () => {
    const address = addressOf({
      numeroVoieEtablissement: "25",
      libelleVoieEtablissement: "AVENUE LOUISE",
      libelleCommuneEtrangerEtablissement: "1050 BRUXELLES",
      codePaysEtrangerEtablissement: "99131",
      libellePaysEtrangerEtablissement: "BELGIQUE"
    })
    expect(address).toEqual({
      address_line: "25 Avenue Louise, 1050 Bruxelles, Belgique",
      postcode: null,
      city: "1050 Bruxelles",
      commune_code: null
    })
  })

  it("leaves out missing parts", () => {
    expect(street({ codePostalEtablissement: "69003", libelleCommuneEtablissement: "LYON 3EME" })).toBe(
      "69003 Lyon 3eme"
    )
    expect(street({ libelleCommuneEtablissement: "SAINT-GERMAIN-EN-LAYE" })).toBe("Saint-Germain-en-Laye")
    expect(street({ numeroVoieEtablissement: "7", typeVoieEtablissement: "IMP" })).toBe("7 Impasse")
  })

  it("is all null when nothing is known, treating [ND] as absent", () => {
    const nothing = { address_line: null, postcode: null, city: null, commune_code: null }
    expect(addressOf({})).toEqual(nothing)
    expect(
      addressOf({ libelleVoieEtablissement: "[ND]", codePostalEtablissement: "", codeCommuneEtablissement: "[ND]" })
    ).toEqual(nothing)
  })

  it("drops a postcode that is not 5 digits and a malformed commune code", () => {
    const address = addressOf({ codePostalEtablissement: "7500", codeCommuneEtablissement: "2C004" })
    expect(address.postcode).toBeNull()
    expect(address.commune_code).toBeNull()
  })

  it("keeps Corsican commune codes", () => {
    expect(addressOf({ codeCommuneEtablissement: "2A004" }).commune_code).toBe("2A004")
  })
})

describe("readableCase", () => {
  it("capitalises communes with hyphens, particles and elisions", () => {
    expect(readableCase("L'HAY-LES-ROSES", true)).toBe("L'Hay-les-Roses")
    expect(readableCase("VILLENEUVE-D'ASCQ", true)).toBe("Villeneuve-d'Ascq")
    expect(readableCase("LE PLESSIS-ROBINSON", true)).toBe("Le Plessis-Robinson")
    expect(readableCase("ST ETIENNE", true)).toBe("St Etienne")
  })

  it("lower-cases a lone d or l that INSEE wrote without its apostrophe", () => {
    expect(readableCase("D ALSACE", false)).toBe("d Alsace")
    expect(readableCase("DE L EGLISE", false)).toBe("de l Eglise")
  })
})
