import { describe, expect, it } from "bun:test"
import { HEADCOUNT_LABELS, headcountLabel, headcountOf } from "../../../plugins/normalize/rules/headcount.ts"
import { company, withColumns } from "./rows.ts"

describe("headcount", () => {
  it("labels every INSEE band", () => {
    expect([...HEADCOUNT_LABELS.keys()]).toEqual([
      "NN",
      "00",
      "01",
      "02",
      "03",
      "11",
      "12",
      "21",
      "22",
      "31",
      "32",
      "41",
      "42",
      "51",
      "52",
      "53"
    ])
    expect(headcountLabel("01")).toBe("1-2 employees")
    expect(headcountLabel("53")).toBe("10,000 or more employees")
    expect(headcountLabel("NN")).toBe("Non-employer (no employee during the year)")
  })

  it("reads the establishment's band, not the legal unit's", () => {
    const row = withColumns(company, { trancheEffectifsEtablissement: "03", trancheEffectifsUniteLegale: "21" })
    expect(headcountOf(row)).toEqual({ headcount_band: "03", headcount_label: "6-9 employees" })
  })

  it("is null when the band is empty or unknown", () => {
    const empty = { headcount_band: null, headcount_label: null }
    expect(headcountOf(withColumns(company, { trancheEffectifsEtablissement: "" }))).toEqual(empty)
    expect(headcountOf(withColumns(company, { trancheEffectifsEtablissement: "99" }))).toEqual(empty)
  })
})
