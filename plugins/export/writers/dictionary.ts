/**
 * `data_dictionary.md`: the dataset files' columns with their type, the step that writes each one and
 * whether it holds personal data, rendered from the fields the steps declare in code.
 */
import type { FieldType } from "../../../core/Step.ts"

export interface DictionaryColumn {
  readonly name: string
  readonly type: FieldType
  readonly description: string
  /** True when values can identify a person (GDPR). */
  readonly personal?: boolean
  /** Id of the step that declares the field. */
  readonly step: string
}

export interface DictionaryFile {
  /** The file (or files sharing these columns, comma-separated) as named in the run folder. */
  readonly file: string
  readonly columns: ReadonlyArray<DictionaryColumn>
}

export interface DictionaryInput {
  readonly title: string
  /** What the declarations were taken from, e.g. "profile standard: the fields each step declares". */
  readonly generatedFrom: string
  readonly files: ReadonlyArray<DictionaryFile>
}

const PERSONAL = "🔒 yes"

const GENERATED =
  "Each row below is a field a step declares in code, and the page is rebuilt on every export, " +
  "so it cannot drift from what the steps write."

/** How each FieldType reads in the CSV and Parquet files; also the legend's order. */
const TYPES: ReadonlyArray<readonly [FieldType, string]> = [
  ["string", "text (Parquet: string)"],
  ["integer", "whole number (Parquet: int64)"],
  ["number", "decimal number, shortest exact form (Parquet: double)"],
  ["boolean", "`true` or `false`"],
  ["date", "`YYYY-MM-DD` (Parquet: date)"],
  ["datetime", "ISO 8601 date and time in UTC (Parquet: timestamp in milliseconds, UTC)"],
  ["string[]", 'list of text; in CSV the entries are joined with ";" (Parquet: list of strings)'],
  ["object", "a JSON object, as compact JSON text in both files"],
  ["object[]", "a list of JSON objects, as compact JSON text in both files"]
]

/** Text for one table cell: one line, with the column separator escaped. */
const cell = (text: string) => text.replace(/\s+/g, " ").trim().replaceAll("|", "\\|")

const code = (text: string) => (text.includes("`") ? cell(text) : `\`${cell(text)}\``)

const fileSection = ({ file, columns }: DictionaryFile): string => {
  const names = file
    .split(",")
    .map((name) => code(name.trim()))
    .join(", ")
  const personal = columns.filter((column) => column.personal === true).length
  const summary = `${columns.length} column${columns.length === 1 ? "" : "s"}, ${personal} holding personal data.`
  const rows = columns.map((column) => {
    const cells = [
      code(column.name),
      cell(column.type),
      code(column.step),
      column.personal === true ? PERSONAL : "",
      cell(column.description)
    ]
    return `| ${cells.join(" | ")} |`
  })
  return [
    `## ${names}`,
    "",
    summary,
    "",
    "| column | type | written by | personal | description |",
    "| --- | --- | --- | --- | --- |",
    ...rows
  ].join("\n")
}

const legend = (): string =>
  [
    "## Legend",
    "",
    "- **column**: the name in the CSV header and in the Parquet schema.",
    "- **type**:",
    ...TYPES.map(([type, meaning]) => `  - \`${type}\`: ${meaning}`),
    "- Every column may be empty: an empty CSV field (or a Parquet null) means no value;",
    '  an empty text is written `""` in CSV.',
    "- **written by**: the step that declares the field and fills it.",
    `- **personal**: ${PERSONAL} when values can identify a person (GDPR personal data): keep them only for the`,
    "  purpose the job states, and honour objections (the job's `suppression_list`)."
  ].join("\n")

/**
 * The Markdown data dictionary. Deterministic: the same declarations give the same bytes (no date, no
 * run id), columns in the order given.
 */
export const renderDataDictionary = (input: DictionaryInput): string => {
  const parts = [
    `# ${cell(input.title)}`,
    `Generated from ${cell(input.generatedFrom)}. ${GENERATED}`,
    ...input.files.map(fileSection),
    legend()
  ]
  return `${parts.join("\n\n")}\n`
}
