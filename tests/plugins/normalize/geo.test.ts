import { describe, expect, it } from "bun:test"
import {
  departmentName,
  departmentOf,
  departmentsOfRegion,
  regionCode,
  regionName,
  regionOf
} from "../../../plugins/normalize/rules/geo.ts"

describe("departmentOf", () => {
  it("takes 2 characters in mainland France and Corsica, 3 overseas", () => {
    expect(departmentOf("75056")).toBe("75")
    expect(departmentOf("75102")).toBe("75")
    expect(departmentOf("2A004")).toBe("2A")
    expect(departmentOf("2B033")).toBe("2B")
    expect(departmentOf("97105")).toBe("971")
    expect(departmentOf("97611")).toBe("976")
    expect(departmentOf("98818")).toBe("988")
  })

  it("is null for missing, foreign, malformed or unknown codes", () => {
    expect(departmentOf(null)).toBeNull()
    expect(departmentOf("")).toBeNull()
    expect(departmentOf("99131")).toBeNull()
    expect(departmentOf("7505")).toBeNull()
    expect(departmentOf("20004")).toBeNull()
  })
})

describe("regions", () => {
  it("maps départements to their région", () => {
    expect(regionOf("75")).toEqual({ code: "11", name: "Île-de-France" })
    expect(regionOf("2A")).toEqual({ code: "94", name: "Corse" })
    expect(regionOf("2B")).toEqual({ code: "94", name: "Corse" })
    expect(regionOf("971")).toEqual({ code: "01", name: "Guadeloupe" })
    expect(regionOf("976")).toEqual({ code: "06", name: "Mayotte" })
    expect(regionCode("69")).toBe("84")
    expect(regionOf("00")).toBeNull()
  })

  it("names départements and régions", () => {
    expect(departmentName("2A")).toBe("Corse-du-Sud")
    expect(departmentName("971")).toBe("Guadeloupe")
    expect(regionName("11")).toBe("Île-de-France")
    expect(regionName("99")).toBeNull()
  })

  it("lists the départements of a région", () => {
    expect(departmentsOfRegion("94")).toEqual(["2A", "2B"])
    expect(departmentsOfRegion("11")).toEqual(["75", "77", "78", "91", "92", "93", "94", "95"])
    expect(departmentsOfRegion("06")).toEqual(["976"])
    expect(departmentsOfRegion("00")).toEqual([])
  })
})
