import { describe, expect, it } from "bun:test"
import { type DatasetFigures, evaluateKpis, kpiThresholds } from "../../core/Kpi.ts"

const figures = (overrides: Partial<DatasetFigures> = {}): DatasetFigures => ({
  rows: 10,
  fill_rates: { website: 0.4, name: 1 },
  duplicate_rate: 0.02,
  mean_quality_score: 72.5,
  ...overrides
})

const TARGETS = {
  min_quality_score: 70,
  min_lines_per_s: 50,
  max_duplicate_rate: 0.01,
  min_fill_rates: { website: 0.5, name: 0.9 }
}

describe("kpiThresholds", () => {
  it("lists the job's targets in report order, min_* as floors and max_* as ceilings", () => {
    expect(kpiThresholds(TARGETS)).toEqual([
      { name: "min_quality_score", target: 70, bound: "at_least" },
      { name: "min_lines_per_s", target: 50, bound: "at_least" },
      { name: "max_duplicate_rate", target: 0.01, bound: "at_most" },
      { name: "min_fill_rates.website", target: 0.5, bound: "at_least" },
      { name: "min_fill_rates.name", target: 0.9, bound: "at_least" }
    ])
  })

  it("lists nothing for a job without targets", () => {
    expect(kpiThresholds({})).toEqual([])
  })
})

describe("evaluateKpis", () => {
  it("checks each threshold against its figure, in the direction of its bound", () => {
    expect(evaluateKpis(TARGETS, figures(), { lines_per_s: 80 })).toEqual([
      { name: "min_quality_score", target: 70, value: 72.5, met: true },
      { name: "min_lines_per_s", target: 50, value: 80, met: true },
      { name: "max_duplicate_rate", target: 0.01, value: 0.02, met: false },
      { name: "min_fill_rates.website", target: 0.5, value: 0.4, met: false },
      { name: "min_fill_rates.name", target: 0.9, value: 1, met: true }
    ])
  })

  it("says why a target could not be measured", () => {
    const noRows = evaluateKpis(TARGETS, figures({ rows: 0 }), {})
    expect(noRows.map((result) => [result.name, result.met, result.detail])).toEqual([
      ["min_quality_score", false, "not measured: no rows"],
      ["min_lines_per_s", false, "not measured: no step reported lines_per_s"],
      ["max_duplicate_rate", false, "not measured: no rows"],
      ["min_fill_rates.website", false, "not measured: no rows"],
      ["min_fill_rates.name", false, "not measured: no rows"]
    ])
    expect(evaluateKpis({ min_quality_score: 1 }, figures({ mean_quality_score: null }), {})[0]?.detail).toBe(
      "not measured: no step of this profile writes quality_score"
    )
  })

  it("counts a field no record has as a fill rate of 0", () => {
    expect(evaluateKpis({ min_fill_rates: { email: 0.1 } }, figures(), {})).toEqual([
      { name: "min_fill_rates.email", target: 0.1, value: 0, met: false }
    ])
  })
})
