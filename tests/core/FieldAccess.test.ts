import { describe, expect, it } from "bun:test"
import { fieldProjector, fieldReader } from "../../core/records/FieldAccess.ts"

/** Names a step could declare, and some no generated code should trip on. */
const awkward = [
  "siret",
  'a"b',
  "back\\slash",
  "new\nline",
  "sep\u2028arator",
  "$" + "{x}",
  "`tick`",
  "constructor",
  "0"
]

describe("fieldReader", () => {
  it("copies the named fields in order, absent ones as undefined", () => {
    const read = fieldReader([...awkward, "missing"])
    const row = Object.fromEntries(awkward.map((name, i) => [name, i % 2 === 0 ? `v${i}` : i]))
    const values: unknown[] = []
    read(row, values)
    expect(values).toEqual([...awkward.map((_, i) => (i % 2 === 0 ? `v${i}` : i)), undefined])
  })

  it("writes only the named positions and overwrites the previous row's values", () => {
    const read = fieldReader(["b", "a"])
    const values: unknown[] = []
    read({ a: 1, b: 2, c: 3 }, values)
    expect(values).toEqual([2, 1])
    read({ a: null }, values)
    expect(values).toEqual([undefined, null])
  })
})

describe("fieldProjector", () => {
  it("makes an object of exactly the names, in order, with absent and undefined values as null", () => {
    const project = fieldProjector([...awkward, "missing", "undefined_value"])
    const record = {
      ...Object.fromEntries(awkward.map((name) => [name, name.length])),
      undefined_value: undefined,
      extra: 1
    }
    const row = project(record)
    // Integer-like keys come first in any object; the others keep the declared order.
    expect(Object.keys(row)).toEqual(
      Object.keys({ ...Object.fromEntries([...awkward, "missing", "undefined_value"].map((n) => [n, 0])) })
    )
    expect(row).toEqual({
      ...Object.fromEntries(awkward.map((name) => [name, name.length])),
      missing: null,
      undefined_value: null
    })
    expect(row).not.toHaveProperty("extra")
  })

  it("keeps falsy values other than null and undefined", () => {
    expect(fieldProjector(["zero", "empty", "no"])({ zero: 0, empty: "", no: false })).toEqual({
      zero: 0,
      empty: "",
      no: false
    })
  })

  it("gives a field named __proto__ as an own field and leaves the prototype alone", () => {
    const record = JSON.parse('{"__proto__": "value", "x": 1}')
    const row = fieldProjector(["__proto__", "x"])(record)
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype)
    expect(Object.keys(row)).toEqual(["__proto__", "x"])
    expect(Object.getOwnPropertyDescriptor(row, "__proto__")?.value).toBe("value")
  })
})
