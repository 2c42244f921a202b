import { describe, expect, it } from "bun:test"
import { epochDayOf } from "../../../core/CalendarDate.ts"
import { encodeUtf8 } from "../../../plugins/export/writers/valueEncoding.ts"

/** What the runtime's encoder makes of `text`, the reference `encodeUtf8` must match byte for byte. */
const encodedByRuntime = (text: string) => Buffer.from(text, "utf8")

const encodedHere = (text: string) => {
  const bytes = Buffer.alloc(text.length * 3 + 8)
  const written = encodeUtf8(bytes, 4, text)
  // Nothing is written before the offset it was given.
  expect([...bytes.subarray(0, 4)]).toEqual([0, 0, 0, 0])
  return bytes.subarray(4, 4 + written)
}

/** A small seeded generator (mulberry32), so a failure is reproducible. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

describe("encodeUtf8", () => {
  it.each([
    ["ASCII", "SOCIETE GENERALE 75009"],
    ["empty", ""],
    ["two-byte letters", "Île-de-France, Hérault, Crème brûlée"],
    ["three-byte characters", "Prix : 12 € — « devis »"],
    ["a surrogate pair", "café ☕ 🚀 fin"],
    ["a lone high surrogate", "a\ud800b"],
    ["a lone low surrogate", "a\udc00b"],
    ["a high surrogate at the end", "abc\ud83d"],
    ["two high surrogates then a low one", "\ud83d\ud83d\ude80"],
    [
      "a long value, handed to the runtime at the given offset",
      `${"Société anonyme à conseil d'administration ".repeat(4)}🚀\ud800`
    ]
  ])("writes %s exactly as the runtime does", (_, text) => {
    expect(encodedHere(text)).toEqual(encodedByRuntime(text))
  })

  it("matches the runtime on random text of any UTF-16 code units, surrogates included", () => {
    const random = seeded(42)
    const pools = [
      () => 0x20 + Math.floor(random() * 0x5f),
      () => 0x80 + Math.floor(random() * 0x780),
      () => 0x800 + Math.floor(random() * 0xf800),
      () => 0xd800 + Math.floor(random() * 0x800)
    ]
    for (let n = 0; n < 5_000; n++) {
      const units = Array.from({ length: Math.floor(random() * 90) }, () => pools[Math.floor(random() * 4)]!())
      const text = String.fromCharCode(...units)
      expect(encodedHere(text)).toEqual(encodedByRuntime(text))
    }
  })
})

/** The same day computed with a Date (setUTCFullYear: Date.UTC maps years 0-99 to 1900-1999). */
const epochDayByDate = (year: number, month: number, day: number) => {
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  return date.getTime() / 86_400_000
}

const text = (year: number, month: number, day: number) =>
  `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`

describe("epochDayOf", () => {
  it("gives the Date's day count for every day of the years 0000-0401, 1582-2100 and 9599-9999", () => {
    for (const [from, to] of [
      [0, 401],
      [1582, 2100],
      [9599, 9999]
    ] as const) {
      for (let year = from; year <= to; year++) {
        for (let month = 1; month <= 12; month++) {
          const days = new Date(Date.UTC(2001, month, 0)).getUTCDate() + (month === 2 && isLeap(year) ? 1 : 0)
          for (let day = 1; day <= days; day++) {
            const got = epochDayOf(text(year, month, day))
            if (got !== epochDayByDate(year, month, day)) expect(`${text(year, month, day)} -> ${got}`).toBe("")
          }
        }
      }
    }
    expect(epochDayOf("1970-01-01")).toBe(0)
    expect(epochDayOf("1969-12-31")).toBe(-1)
  })

  it.each([
    "2024-02-30",
    "2023-02-29",
    "1900-02-29",
    "2024-04-31",
    "2024-13-01",
    "2024-00-10",
    "2024-01-00",
    "2024-1-01",
    "2024-01-1",
    "24-01-01",
    "2024/01/01",
    " 2024-01-01",
    "2024-01-01 ",
    "2024-01-01T00:00:00Z",
    "+2024-01-01",
    "２０２４-01-01",
    "2024-0a-01",
    ""
  ])("refuses %p", (value) => {
    expect(epochDayOf(value)).toBeUndefined()
  })

  it("takes 29 February in leap years only", () => {
    expect(epochDayOf("2000-02-29")).toBe(epochDayByDate(2000, 2, 29))
    expect(epochDayOf("2024-02-29")).toBe(epochDayByDate(2024, 2, 29))
  })
})

const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
