/**
 * The legal units a scan found for the kept establishments, by SIREN, until the join. Their lines
 * wait packed (see `packedLines.ts`); a unit's columns are decoded when an establishment asks for it.
 * As with a Map filled in file order, a SIREN found twice answers with its last line.
 */
import { firstRowsOf, lineStart, type PackedLines } from "./packedLines.ts"
import type { FieldsOf } from "./scan.ts"

export interface JoinedUnits {
  /** Distinct SIRENs found. */
  readonly size: number
  get(siren: string): FieldsOf | undefined
  /** The distinct SIRENs found. */
  sirens(): Iterable<string>
  /** Every unit, in the order a Map filled in file order lists them (for tests and checks). */
  entries(): Map<string, FieldsOf>
}

/** Units already decoded (a Parquet stock's). */
export const unitsOfMap = (units: ReadonlyMap<string, FieldsOf>): JoinedUnits => ({
  size: units.size,
  get: (siren) => units.get(siren),
  sirens: () => units.keys(),
  entries: () => new Map(units)
})

/** Packed legal-unit lines, decoded by `decode` on demand. */
export const unitsPacked = (packed: PackedLines, decode: (line: Uint8Array) => FieldsOf): JoinedUnits => {
  /** Row of each SIREN: the last line that has it, at the place of the first (Map order). */
  const rows = new Map<string, number>()
  packed.sirens.forEach((siren, row) => rows.set(siren, row))
  const firstRows = firstRowsOf(packed)
  const segmentOfRow = new Int32Array(packed.ends.length)
  firstRows.forEach((first, index) => segmentOfRow.fill(index, first, first + packed.segments[index]!.rows))
  const fieldsOf = (row: number): FieldsOf => {
    const segment = segmentOfRow[row]!
    const start = lineStart(packed.ends, row, firstRows[segment]!)
    return decode(new Uint8Array(packed.segments[segment]!.buffer, start, packed.ends[row]! - start))
  }
  return {
    size: rows.size,
    get: (siren) => {
      const found = rows.get(siren)
      return found === undefined ? undefined : fieldsOf(found)
    },
    sirens: () => rows.keys(),
    entries: () => new Map([...rows].map(([siren, found]) => [siren, fieldsOf(found)]))
  }
}

/** Several scans' units (files, or halves of one), later ones answering first, as a Map filled in order would. */
export const unitsUnion = (parts: ReadonlyArray<JoinedUnits>): JoinedUnits => {
  if (parts.length === 1) return parts[0]!
  const entries = () => {
    const all = new Map<string, FieldsOf>()
    for (const part of parts) for (const [siren, fields] of part.entries()) all.set(siren, fields)
    return all
  }
  let size: number | undefined
  const union: JoinedUnits = {
    get size() {
      if (size === undefined) {
        size = 0
        for (const _ of union.sirens()) size++
      }
      return size
    },
    get: (siren) => {
      for (let index = parts.length - 1; index >= 0; index--) {
        const fields = parts[index]!.get(siren)
        if (fields !== undefined) return fields
      }
      return undefined
    },
    *sirens() {
      const seen = new Set<string>()
      for (const part of parts)
        for (const siren of part.sirens()) {
          if (seen.has(siren)) continue
          seen.add(siren)
          yield siren
        }
    },
    entries
  }
  return union
}
