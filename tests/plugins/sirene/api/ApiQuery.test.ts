import { describe, expect, it } from "bun:test"
import {
  API_REGIONS,
  type ApiQuery,
  describeQuery,
  nafSubClasses,
  planQuery,
  queryParams,
  splitQuery
} from "../../../../plugins/sirene/api/ApiQuery.ts"

const params = (query: ApiQuery, page = 1) => Object.fromEntries(queryParams(query, page))

describe("api.collect queries", () => {
  it("expands NAF prefixes to their rév. 2 sub-classes and keeps exact codes", () => {
    expect(nafSubClasses(["62.0"])).toEqual(["62.01Z", "62.02A", "62.02B", "62.03Z", "62.09Z"])
    expect(nafSubClasses(["62.02A", "62.02"])).toEqual(["62.02A", "62.02B"])
    expect(nafSubClasses(["62"]).every((code) => code.startsWith("62."))).toBe(true)
    // Unknown to INSEE's list: sent as given, so the API finds what the stock would (nothing).
    expect(nafSubClasses(["99.99Z"])).toEqual(["99.99Z"])
  })

  it("maps every filter the API has to its parameter, 25 results a page", () => {
    const query = planQuery(
      {
        naf_include: ["62.02A", "62.01"],
        naf_exclude: ["62.01Z"],
        departments: ["75", "2A"],
        regions: ["94"],
        headcount: ["11", "12"],
        active_only: true,
        created_after: "2015-01-01"
      },
      { headcountOnApi: true }
    )
    expect(params(query, 3)).toEqual({
      activite_principale: "62.01Z,62.02A",
      departement: "75,2A,2B",
      tranche_effectif_salarie: "11,12",
      etat_administratif: "A",
      minimal: "true",
      include: "siege,matching_etablissements",
      limite_matching_etablissements: "100",
      per_page: "25",
      page: "3"
    })
  })

  it("sends regions alone as `region`, every region without a place filter, headcount only when asked", () => {
    expect(params(planQuery({ regions: ["11", "84"] }, { headcountOnApi: true })).region).toBe("11,84")
    const national = planQuery({ headcount: ["11"] }, { headcountOnApi: false })
    expect(national.place).toEqual({ kind: "regions", codes: API_REGIONS })
    expect(API_REGIONS).toContain("11")
    expect(API_REGIONS).toContain("01")
    expect(API_REGIONS).not.toContain("975")
    expect(params(national).tranche_effectif_salarie).toBeUndefined()
    expect(params(national).activite_principale).toBeUndefined()
    expect(params(national).etat_administratif).toBeUndefined()
  })

  it("splits by region, then a region's departments, then department, NAF sub-class and headcount band", () => {
    const query = planQuery(
      { regions: ["11", "94"], naf_include: ["62.02A", "62.01Z"], headcount: ["11", "12"] },
      { headcountOnApi: true }
    )
    const byRegion = splitQuery(query)!
    expect(byRegion.map((part) => part.place)).toEqual([
      { kind: "regions", codes: ["11"] },
      { kind: "regions", codes: ["94"] }
    ])
    const corsica = splitQuery(byRegion[1]!)!
    expect(corsica.map((part) => part.place)).toEqual([
      { kind: "departments", codes: ["2A"] },
      { kind: "departments", codes: ["2B"] }
    ])
    const byNaf = splitQuery(corsica[0]!)!
    expect(byNaf.map((part) => part.naf)).toEqual([["62.01Z"], ["62.02A"]])
    const byBand = splitQuery(byNaf[0]!)!
    expect(byBand.map((part) => part.headcount)).toEqual([["11"], ["12"]])
    expect(splitQuery(byBand[0]!)).toBeNull()
    expect(describeQuery(byBand[1]!)).toBe("activite_principale=62.01Z departement=2A tranche_effectif_salarie=12")
  })

  it("splits a list of departments one by one", () => {
    const parts = splitQuery(planQuery({ departments: ["75", "92", "93"] }, { headcountOnApi: true }))!
    expect(parts.map((part) => params(part).departement)).toEqual(["75", "92", "93"])
  })
})
