/**
 * Kept establishments and joined legal units held packed until the join: each row comes out once,
 * in scan order, with its own line and bytes, across segments; units answer with their last line.
 */
import { describe, expect, it } from "bun:test"
import { unitsOfMap, unitsPacked, unitsUnion } from "../../../plugins/sirene/joinedUnits.ts"
import { keptArray, keptConcat, keptPacked } from "../../../plugins/sirene/keptRows.ts"
import { linePacker } from "../../../plugins/sirene/packedLines.ts"
import type { FieldsOf, KeptRow } from "../../../plugins/sirene/scan.ts"

const text = new TextDecoder()
/** A stand-in decoder: the line's text as its only column. */
const decode =
  (line: Uint8Array): FieldsOf =>
  (into = {}) =>
    Object.assign(into, { line: text.decode(line) })

/** Lines "<siren>:<filler>" packed as a scan keeps them, between the bytes of lines it drops. */
const packed = (lines: ReadonlyArray<{ readonly siren: string; readonly size: number }>, largestSegment?: number) => {
  const packer = linePacker(largestSegment)
  lines.forEach(({ siren, size }, index) => {
    const line = `${siren}:${"x".repeat(size - siren.length - 1)}`
    const block = new TextEncoder().encode(`dropped line\n${line}\nanother\n`)
    const start = "dropped line\n".length
    packer.add(block, start, start + line.length, index * 3 + 2, siren)
  })
  return packer.pack().packed
}

const describeRow = (row: KeptRow) => {
  const fields = row.fields()
  return {
    file: row.file,
    line: row.line,
    siren: row.siren,
    head: String(fields.line).slice(0, 10),
    size: String(fields.line).length
  }
}

describe("kept rows", () => {
  // 700 KB lines: the first segment (1 MiB) holds one, each later one doubles up to 4 MiB.
  const big = Array.from({ length: 12 }, (_, index) => ({ siren: String(100000000 + index), size: 700_000 }))

  it("gives each packed line once, in order, with its line number and only its bytes, across segments", () => {
    const lines = packed(big, 4 * 1024 * 1024)
    expect(lines.segments.length).toBeGreaterThan(3)
    const rows = keptPacked(lines, "StockEtablissement_utf8.csv", decode, 1000)
    expect(rows.length).toBe(12)
    expect([...rows.sirens()]).toEqual(big.map((line) => line.siren))
    const described = [...rows].map(describeRow)
    expect(described).toEqual(
      big.map((line, index) => ({
        file: "StockEtablissement_utf8.csv",
        line: index * 3 + 2 + 1000,
        siren: line.siren,
        head: `${line.siren}:`,
        size: line.size
      }))
    )
    // Handed out once: the segments are let go.
    expect([...rows]).toEqual([])
  })

  it("lets a segment go once its rows were handed out and dropped", () => {
    // Built in a function of its own, so that nothing here holds the packed lines.
    const start = () => {
      const lines = packed(big, 4 * 1024 * 1024)
      return {
        rows: keptPacked(lines, "f.csv", decode),
        first: new WeakRef(lines.segments[0]!.buffer),
        size: lines.segments[0]!.rows
      }
    }
    const { rows, first, size } = start()
    Bun.gc(true)
    expect(first.deref()).toBeDefined()
    const iterator = rows[Symbol.iterator]()
    // Past the first segment: its rows were taken and dropped.
    for (let taken = 0; taken <= size; taken++) iterator.next()
    Bun.gc(true)
    expect(first.deref()).toBeUndefined()
  })

  it("goes on after the rows already handed out when a pass stops early", () => {
    const rows = keptPacked(packed(big, 4 * 1024 * 1024), "f.csv", decode)
    const first: string[] = []
    for (const row of rows) {
      first.push(row.siren)
      if (first.length === 5) break
    }
    expect([...rows].map((row) => row.siren)).toEqual(big.slice(5).map((line) => line.siren))
  })

  it("concatenates scans in order, each row handed out once", () => {
    const one = keptPacked(packed([{ siren: "111111111", size: 50 }]), "a.csv", decode)
    const built: KeptRow = { file: "b.parquet", line: 2, siren: "222222222", fields: () => ({ line: "222222222:" }) }
    const two = keptArray([built])
    const all = keptConcat([one, two])
    expect(all.length).toBe(2)
    expect([...all.sirens()]).toEqual(["111111111", "222222222"])
    expect([...all].map((row) => [row.file, row.siren])).toEqual([
      ["a.csv", "111111111"],
      ["b.parquet", "222222222"]
    ])
    expect([...all]).toEqual([])
  })
})

describe("joined legal units", () => {
  it("answers with a SIREN's last line, listed at its first line's place, as a Map filled in order", () => {
    const units = unitsPacked(
      packed([
        { siren: "111111111", size: 20 },
        { siren: "222222222", size: 30 },
        { siren: "111111111", size: 40 }
      ]),
      decode
    )
    expect(units.size).toBe(2)
    expect(String(units.get("111111111")?.().line).length).toBe(40)
    expect(String(units.get("222222222")?.().line).length).toBe(30)
    expect(units.get("333333333")).toBeUndefined()
    expect([...units.entries()].map(([siren, fields]) => [siren, String(fields().line).length])).toEqual([
      ["111111111", 40],
      ["222222222", 30]
    ])
  })

  it("decodes a unit into the establishment's record when given one", () => {
    const units = unitsPacked(packed([{ siren: "111111111", size: 20 }]), decode)
    const record: Record<string, string | null> = { siret: "11111111100011" }
    expect(units.get("111111111")?.(record)).toBe(record)
    expect(record).toEqual({ siret: "11111111100011", line: `111111111:${"x".repeat(10)}` })
  })

  it("lets a later file or half answer first, and counts each SIREN once", () => {
    const first = unitsPacked(
      packed([
        { siren: "111111111", size: 20 },
        { siren: "222222222", size: 20 }
      ]),
      decode
    )
    const second = unitsOfMap(new Map([["222222222", () => ({ line: "from the second" })]]))
    const union = unitsUnion([first, second])
    expect(union.size).toBe(2)
    expect(union.get("222222222")?.().line).toBe("from the second")
    expect(String(union.get("111111111")?.().line).length).toBe(20)
    expect([...union.entries().keys()]).toEqual(["111111111", "222222222"])
  })
})
