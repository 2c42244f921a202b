import { afterAll, describe, expect, it } from "bun:test"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import { writeAtomic } from "../../../core/AtomicFile.ts"
import { type CsvColumn, csvChunks, csvEscape, formatNumber } from "../../../plugins/export/writers/csv.ts"
import { duckdb, sqlPath } from "./duckdb.ts"

const dir = await mkdtemp(join(tmpdir(), "filon-csv-"))
afterAll(() => rm(dir, { recursive: true, force: true }))

const collect = async (chunks: AsyncIterable<string>) => {
  let text = ""
  for await (const chunk of chunks) text += chunk
  return text
}

const csv = (columns: ReadonlyArray<CsvColumn>, rows: ReadonlyArray<Record<string, unknown>>) =>
  collect(csvChunks(columns, rows))

const one = (type: CsvColumn["type"], value: unknown) =>
  csv([{ name: "v", type }], [{ v: value }]).then((text) => text.slice("v\n".length, -1))

describe("csvEscape", () => {
  it("leaves plain text, accents and spaces unquoted", () => {
    expect(csvEscape("Société Générale")).toBe("Société Générale")
    expect(csvEscape("  padded ")).toBe("  padded ")
  })

  it("quotes a field holding a comma, a quote, LF or CR, doubling the quotes", () => {
    expect(csvEscape("Dupont, Durand")).toBe('"Dupont, Durand"')
    expect(csvEscape('Le "Bon" Coin')).toBe('"Le ""Bon"" Coin"')
    expect(csvEscape("ligne 1\nligne 2")).toBe('"ligne 1\nligne 2"')
    expect(csvEscape("a\rb")).toBe('"a\rb"')
    expect(csvEscape('"')).toBe('""""')
  })
})

describe("csvChunks", () => {
  it("writes a header of the column names and one \\n-terminated line per row", async () => {
    const text = await csv(
      [
        { name: "siret", type: "string" },
        { name: "name", type: "string" }
      ],
      [
        { siret: "12345678900011", name: "Acme" },
        { siret: "98765432100022", name: "Béta, SARL", extra: "not a column" }
      ]
    )
    expect(text).toBe('siret,name\n12345678900011,Acme\n98765432100022,"Béta, SARL"\n')
  })

  it('tells null and undefined (empty field) from an empty string ("")', async () => {
    const text = await csv(
      [
        { name: "a", type: "string" },
        { name: "b", type: "string" },
        { name: "c", type: "string" }
      ],
      [{ a: null, b: "", c: undefined }]
    )
    expect(text).toBe('a,b,c\n,"",\n')
  })

  it("writes booleans as true and false", async () => {
    expect(await one("boolean", true)).toBe("true")
    expect(await one("boolean", false)).toBe("false")
  })

  it("writes numbers in their shortest exact form and integers never in exponent notation", async () => {
    expect(await one("number", 0.1)).toBe("0.1")
    expect(await one("number", -2.5e-7)).toBe("-2.5e-7")
    expect(await one("integer", 42)).toBe("42")
    expect(await one("integer", 1e21)).toBe("1000000000000000000000")
    expect(await one("integer", -1.5e22)).toBe("-15000000000000000000000")
    expect(await one("integer", 12345678901234567890n)).toBe("12345678901234567890")
    expect(await one("number", Number.NaN)).toBe("")
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe("")
    expect(formatNumber(-0)).toBe("0")
  })

  it('joins string[] with ";", keeps entries holding ";" as they are, and quotes what needs it', async () => {
    expect(await one("string[]", ["a@x.fr", "b@x.fr"])).toBe("a@x.fr;b@x.fr")
    expect(await one("string[]", ["a;b", "c"])).toBe("a;b;c")
    expect(await one("string[]", ["Paris, 75", "Lyon"])).toBe('"Paris, 75;Lyon"')
    expect(await one("string[]", [])).toBe('""')
    expect(await one("string[]", null)).toBe("")
  })

  it("writes objects as compact JSON, quoted", async () => {
    expect(await one("object", { score: 80, why: "site" })).toBe('"{""score"":80,""why"":""site""}"')
    expect(await one("object[]", [{ v: "a" }])).toBe('"[{""v"":""a""}]"')
  })

  it("writes dates and date-times as given", async () => {
    expect(await one("date", "2024-02-29")).toBe("2024-02-29")
    expect(await one("date", new Date("2024-02-29T00:00:00Z"))).toBe("2024-02-29")
    expect(await one("datetime", "2024-02-29T10:00:00.000Z")).toBe("2024-02-29T10:00:00.000Z")
  })

  it("encodes accents as UTF-8 without a byte-order mark", async () => {
    const bytes = new TextEncoder().encode(await one("string", "Île-de-France"))
    expect([...bytes.slice(0, 2)]).toEqual([0xc3, 0x8e])
  })

  it("gives the same text from a synchronous and an asynchronous source", async () => {
    const columns: ReadonlyArray<CsvColumn> = [{ name: "n", type: "integer" }]
    const rows = Array.from({ length: 1000 }, (_, n) => ({ n }))
    async function* later() {
      yield* rows
    }
    expect(await collect(csvChunks(columns, later()))).toBe(await csv(columns, rows))
  })

  it("yields chunks of about 256 KB that join into whole lines", async () => {
    const rows = Array.from({ length: 20_000 }, (_, n) => ({ name: `Entreprise numéro ${n}, Lyon` }))
    const chunks: Array<string> = []
    for await (const chunk of csvChunks([{ name: "name", type: "string" }], rows)) chunks.push(chunk)
    expect(chunks.length).toBeGreaterThan(1)
    for (const chunk of chunks.slice(0, -1)) {
      expect(chunk.length).toBeGreaterThanOrEqual(256 * 1024)
      expect(chunk.length).toBeLessThan(257 * 1024)
      expect(chunk.endsWith("\n")).toBe(true)
    }
    expect(chunks.join("").split("\n").length).toBe(20_000 + 2)
  })

  const tricky: ReadonlyArray<CsvColumn> = [
    { name: "siret", type: "string" },
    { name: "name", type: "string" },
    { name: "employees", type: "integer" },
    { name: "active", type: "boolean" },
    { name: "emails", type: "string[]" }
  ]
  const trickyRows = [
    { siret: "1", name: 'Dupont "et fils", Lyon', employees: 12, active: true, emails: ["a@x.fr", "b@x.fr"] },
    { siret: "2", name: "Ligne 1\nLigne 2\r\nLigne 3", employees: null, active: false, emails: [] },
    { siret: "3", name: "", employees: 9007199254740993n, active: null, emails: null }
  ]

  it("writes byte-identical files for the same rows", async () => {
    const write = (name: string) => Effect.runPromise(writeAtomic(join(dir, name), csvChunks(tricky, trickyRows)))
    const [first, second] = [await write("one.csv"), await write("two.csv")]
    expect(second).toEqual(first)
    expect(await Bun.file(join(dir, "two.csv")).bytes()).toEqual(await Bun.file(join(dir, "one.csv")).bytes())
  })

  it("is read back by DuckDB field for field, embedded newlines and quotes included", async () => {
    const path = join(dir, "duck.csv")
    await Effect.runPromise(writeAtomic(path, csvChunks(tricky, trickyRows)))
    const rows = await duckdb(
      `SELECT * FROM read_csv(${sqlPath(path)}, header = true, all_varchar = true, allow_quoted_nulls = false) ORDER BY siret`
    )
    expect(rows).toEqual([
      { siret: "1", name: 'Dupont "et fils", Lyon', employees: "12", active: "true", emails: "a@x.fr;b@x.fr" },
      { siret: "2", name: "Ligne 1\nLigne 2\r\nLigne 3", employees: null, active: "false", emails: "" },
      { siret: "3", name: "", employees: "9007199254740993", active: null, emails: null }
    ])
  })
})
