import { describe, expect, it } from "bun:test"
import { isoDate } from "../../../plugins/normalize/rules/dates.ts"

describe("isoDate", () => {
  it("keeps real calendar dates", () => {
    expect(isoDate("2015-06-01")).toBe("2015-06-01")
    expect(isoDate("2024-02-29")).toBe("2024-02-29")
    expect(isoDate("2000-02-29")).toBe("2000-02-29")
    expect(isoDate("1973-12-31")).toBe("1973-12-31")
  })

  it("rejects impossible days and months", () => {
    expect(isoDate("2023-02-30")).toBeNull()
    expect(isoDate("2023-02-29")).toBeNull()
    expect(isoDate("1900-02-29")).toBeNull()
    expect(isoDate("2023-04-31")).toBeNull()
    expect(isoDate("2023-13-01")).toBeNull()
    expect(isoDate("2023-00-10")).toBeNull()
    expect(isoDate("2023-01-00")).toBeNull()
  })

  it("rejects other formats and missing values", () => {
    expect(isoDate("2023-2-3")).toBeNull()
    expect(isoDate("01/02/2023")).toBeNull()
    expect(isoDate("2024-03-01T10:00:00")).toBeNull()
    expect(isoDate("")).toBeNull()
    expect(isoDate(null)).toBeNull()
    expect(isoDate(undefined)).toBeNull()
  })
})
