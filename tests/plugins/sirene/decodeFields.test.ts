import { describe, expect, it } from "bun:test"
import { InvalidUtf8 } from "../../../plugins/sirene/csv/fields.ts"
import type { Header } from "../../../plugins/sirene/input/roles.ts"
import { decoderOf } from "../../../plugins/sirene/scan.ts"

const names = ["siret", "denominationUniteLegale", "enseigne1Etablissement", "libelleVoieEtablissement", "other"]
const header: Header = {
  role: "establishments",
  columns: new Map(names.map((name, i) => [name, i])),
  count: names.length
}
/** `other` is not asked for: what it holds must not matter. */
const decode = (line: string | Uint8Array, wanted = names.slice(0, 4)) =>
  decoderOf(header, wanted)(typeof line === "string" ? new TextEncoder().encode(line) : line)()

describe("decoding a kept line's columns", () => {
  // Every case is read on an ASCII line (decoded whole) and again with a non-ASCII character in the
  // column nobody reads (decoded field by field): both must give the same fields.
  it.each([
    [
      "plain fields",
      "12345678900011,ACME,SHOP,RUE DE PARIS",
      {
        siret: "12345678900011",
        denominationUniteLegale: "ACME",
        enseigne1Etablissement: "SHOP",
        libelleVoieEtablissement: "RUE DE PARIS"
      }
    ],
    [
      "empty and [ND] fields left out",
      "12345678900011,,[ND],RUE",
      { siret: "12345678900011", libelleVoieEtablissement: "RUE" }
    ],
    [
      "quoted fields, doubled quotes undone",
      '12345678900011,"ACME, ""LA"" SA","""X""",""',
      { siret: "12345678900011", denominationUniteLegale: 'ACME, "LA" SA', enseigne1Etablissement: '"X"' }
    ],
    [
      "values trimmed, blank ones left out",
      "12345678900011,  ACME  ,   ,\tRUE ",
      { siret: "12345678900011", denominationUniteLegale: "ACME", libelleVoieEtablissement: "RUE" }
    ],
    [
      "a CRLF line ending",
      "12345678900011,ACME,SHOP,RUE\r",
      {
        siret: "12345678900011",
        denominationUniteLegale: "ACME",
        enseigne1Etablissement: "SHOP",
        libelleVoieEtablissement: "RUE"
      }
    ]
  ])("%s", (_, line, expected) => {
    const [body, cr] = line.endsWith("\r") ? [line.slice(0, -1), "\r"] : [line, ""]
    expect(decode(`${body},x${cr}`)).toEqual(expected)
    expect(decode(`${body},é${cr}`)).toEqual(expected)
  })

  it("reads a line that is a view into a larger buffer (as a scan worker hands them over)", () => {
    const encoded = new TextEncoder().encode('xx\n12345678900011,"A ""B""",SHOP,RUE,x\nyy')
    const line = encoded.subarray(3, encoded.length - 3)
    expect(line.byteOffset).toBe(3)
    expect(decode(line)).toEqual({
      siret: "12345678900011",
      denominationUniteLegale: 'A "B"',
      enseigne1Etablissement: "SHOP",
      libelleVoieEtablissement: "RUE"
    })
  })

  it("decodes into a given object, keeping what it holds (a legal unit into its establishment's record)", () => {
    const record = { siret: "12345678900011", kept: "yes" }
    const decoded = decoderOf(header, ["denominationUniteLegale", "enseigne1Etablissement"])(
      new TextEncoder().encode("x,ACME,,RUE,x")
    )(record)
    expect(decoded).toBe(record)
    expect(decoded).toEqual({ siret: "12345678900011", kept: "yes", denominationUniteLegale: "ACME" })
  })

  it("does not carry a previous line's columns into a line with fewer of them", () => {
    const decodeLine = decoderOf(header, names.slice(0, 4))
    const full = decodeLine(new TextEncoder().encode("12345678900011,ACME,SHOP,RUE,x"))
    const short = decodeLine(new TextEncoder().encode("12345678900029,BETA INDUSTRIES ET SERVICES REUNIS"))
    expect(full()).toEqual({
      siret: "12345678900011",
      denominationUniteLegale: "ACME",
      enseigne1Etablissement: "SHOP",
      libelleVoieEtablissement: "RUE"
    })
    expect(short()).toEqual({
      siret: "12345678900029",
      denominationUniteLegale: "BETA INDUSTRIES ET SERVICES REUNIS"
    })
    expect(full().libelleVoieEtablissement).toBe("RUE")
  })

  it("decodes non-ASCII values as UTF-8", () => {
    expect(decode("12345678900011,SOCIÉTÉ CRÈME,CAFÉ ☕,RUE DE L'ÉGLISE,x")).toEqual({
      siret: "12345678900011",
      denominationUniteLegale: "SOCIÉTÉ CRÈME",
      enseigne1Etablissement: "CAFÉ ☕",
      libelleVoieEtablissement: "RUE DE L'ÉGLISE"
    })
  })

  it("reads ASCII columns that come after multi-byte characters at their own place", () => {
    expect(decode("12345678900011,CRÈME ☕ 🚀,SHOP,RUE,x")).toEqual({
      siret: "12345678900011",
      denominationUniteLegale: "CRÈME ☕ 🚀",
      enseigne1Etablissement: "SHOP",
      libelleVoieEtablissement: "RUE"
    })
  })

  it("reads the columns after an unread column of bytes that are not UTF-8", () => {
    const line = new Uint8Array([
      ...new TextEncoder().encode("12345678900011,"),
      0x81,
      0xff,
      0x9d,
      ...new TextEncoder().encode(",SHOP,RUE,x")
    ])
    expect(decode(line, ["siret", "enseigne1Etablissement", "libelleVoieEtablissement"])).toEqual({
      siret: "12345678900011",
      enseigne1Etablissement: "SHOP",
      libelleVoieEtablissement: "RUE"
    })
  })

  it("reports invalid UTF-8 in a column it reads, and only there", () => {
    const bytes = (invalidAt: number) => {
      const fields = ["12345678900011", "ACME", "SHOP", "RUE", "x"].map((field) => new TextEncoder().encode(field))
      fields[invalidAt] = new Uint8Array([0x41, 0xff, 0x42])
      return new Uint8Array(fields.flatMap((field, i) => [...(i > 0 ? [0x2c] : []), ...field]))
    }
    expect(() => decode(bytes(1))).toThrow(InvalidUtf8)
    expect(decode(bytes(4))).toEqual({
      siret: "12345678900011",
      denominationUniteLegale: "ACME",
      enseigne1Etablissement: "SHOP",
      libelleVoieEtablissement: "RUE"
    })
  })
})
