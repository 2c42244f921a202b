/**
 * Field access by names known before the rows: functions generated once per column list, with the
 * names as constant keys. A lookup by a variable name (`row[column.name]`) is a generic keyed access on
 * every value; a constant key is an inline-cached property load, and an object literal of constant keys
 * is built with one shape. Measured on 44k registry rows of 24 columns: the Arrow row builder went from
 * 54 to 43 ms with `fieldReader`.
 */

type Row = Readonly<Record<string, unknown>>

/** A JavaScript string literal for `name` (JSON's string syntax is a subset of JavaScript's). */
const literal = (name: string) => JSON.stringify(name)

/** A function copying `names`' values of a row into `values`, in order (absent fields as undefined). */
export const fieldReader = (names: ReadonlyArray<string>): ((row: Row, values: Array<unknown>) => void) =>
  new Function("row", "values", names.map((name, i) => `values[${i}] = row[${literal(name)}];`).join("\n")) as never

/** Absent or undefined values as null: the projection's default. */
const orNull = (value: unknown) => value ?? null

/**
 * A function making a new object of exactly `names` from a record, in that order, each value passed
 * through `convert` (by default absent or undefined values become null). `__proto__` is a computed key,
 * which defines an own field instead of setting the prototype.
 */
export const fieldProjector = <V = unknown>(
  names: ReadonlyArray<string>,
  convert: (value: unknown) => V = orNull as (value: unknown) => V
): ((record: Row) => Record<string, V>) => {
  const entries = names.map((name) => {
    const key = name === "__proto__" ? `[${literal(name)}]` : literal(name)
    return `${key}: convert(record[${literal(name)}])`
  })
  return new Function("convert", `return (record) => ({\n${entries.join(",\n")}\n})`)(convert) as never
}
