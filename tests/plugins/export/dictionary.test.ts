import { describe, expect, it } from "bun:test"
import { type DictionaryInput, renderDataDictionary } from "../../../plugins/export/writers/dictionary.ts"

const input: DictionaryInput = {
  title: "Data dictionary — naf_6202A_idf",
  generatedFrom: "profile standard: the fields each step declares",
  files: [
    {
      file: "dataset.csv, dataset.parquet",
      columns: [
        {
          name: "siret",
          type: "string",
          description: "Establishment identifier (14 digits)",
          step: "normalize.standardize"
        },
        { name: "created_on", type: "date", description: "Creation date", step: "normalize.standardize" },
        {
          name: "emails",
          type: "object[]",
          description: "Emails found on the site | classified\ngeneric or nominative",
          personal: true,
          step: "enrich.email"
        }
      ]
    },
    { file: "dataset_premium.csv", columns: [] }
  ]
}

describe("renderDataDictionary", () => {
  const markdown = renderDataDictionary(input)
  const lines = markdown.split("\n")

  it("opens with the title and says it is generated from the steps' declared fields", () => {
    expect(lines[0]).toBe("# Data dictionary — naf_6202A_idf")
    expect(lines[2]).toStartWith("Generated from profile standard: the fields each step declares.")
    expect(lines[2]).toContain("cannot drift")
  })

  it("gives each file a table of column, type, writing step, personal flag and description", () => {
    const section = markdown.slice(markdown.indexOf("## `dataset.csv`, `dataset.parquet`"))
    expect(section).toContain("3 columns, 1 holding personal data.")
    expect(section).toContain(
      [
        "| column | type | written by | personal | description |",
        "| --- | --- | --- | --- | --- |",
        "| `siret` | string | `normalize.standardize` |  | Establishment identifier (14 digits) |",
        "| `created_on` | date | `normalize.standardize` |  | Creation date |",
        "| `emails` | object[] | `enrich.email` | 🔒 yes | Emails found on the site \\| classified generic or nominative |"
      ].join("\n")
    )
  })

  it("keeps every table row on one line with exactly five cells", () => {
    const rows = lines.filter((line) => line.startsWith("| `"))
    expect(rows.length).toBe(3)
    for (const row of rows) expect(row.replaceAll("\\|", "").split("|").length).toBe(7)
  })

  it("lists a file without columns and ends with a legend of types and the personal marker", () => {
    expect(markdown).toContain("## `dataset_premium.csv`\n\n0 columns, 0 holding personal data.")
    const legend = markdown.slice(markdown.indexOf("## Legend"))
    for (const type of [
      "string",
      "integer",
      "number",
      "boolean",
      "date",
      "datetime",
      "string[]",
      "object",
      "object[]"
    ]) {
      expect(legend).toContain(`  - \`${type}\`: `)
    }
    expect(legend).toContain("🔒 yes when values can identify a person")
    expect(markdown.endsWith("\n")).toBe(true)
  })

  it("renders the same declarations to the same bytes, with no date in them", () => {
    expect(renderDataDictionary(structuredClone(input))).toBe(markdown)
    expect(markdown).not.toMatch(/\d{4}-\d{2}-\d{2}/)
  })
})
