/**
 * A small argv parser: each command declares its options; unknown options, missing values and
 * bad numbers are usage errors (exit 2) with a "did you mean" where one is close.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { closestMatch } from "../core/Suggest.ts"

export type OptionKind = "string" | "strings" | "integer" | "number" | "boolean"

export interface OptionSpec {
  readonly kind: OptionKind
  readonly description: string
  /** Placeholder shown in help, e.g. `FILE`. */
  readonly value?: string
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>

type ValueOf<S extends OptionSpec> = S["kind"] extends "strings"
  ? ReadonlyArray<string>
  : S["kind"] extends "boolean"
    ? boolean
    : S["kind"] extends "integer" | "number"
      ? number | undefined
      : string | undefined

export type Parsed<S extends OptionSpecs> = { readonly [K in keyof S]: ValueOf<S[K]> } & {
  readonly positionals: ReadonlyArray<string>
}

export class UsageError extends Data.TaggedError("UsageError")<{ readonly reason: string; readonly command?: string }> {
  override get message() {
    return this.reason
  }
}

/** Parses `--name value`, `--name=value`, repeatable `strings` options and boolean flags. */
export const parseArgs = <S extends OptionSpecs>(command: string, argv: ReadonlyArray<string>, specs: S): Parsed<S> => {
  const values: Record<string, unknown> = { positionals: [] as string[] }
  for (const [name, spec] of Object.entries(specs)) {
    values[name] = spec.kind === "strings" ? [] : spec.kind === "boolean" ? false : undefined
  }
  const names = Object.keys(specs)
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!
    if (!arg.startsWith("--")) {
      ;(values.positionals as string[]).push(arg)
      continue
    }
    const eq = arg.indexOf("=")
    const name = arg.slice(2, eq === -1 ? undefined : eq)
    const spec = specs[name]
    if (!spec) {
      const suggestion = closestMatch(name, names)
      throw new UsageError({
        command,
        reason: `${command}: unknown option --${name}${suggestion ? ` (did you mean --${suggestion}?)` : ""}`
      })
    }
    if (spec.kind === "boolean") {
      values[name] = eq === -1 ? true : !["false", "0", "no"].includes(arg.slice(eq + 1))
      continue
    }
    const raw = eq === -1 ? argv[++index] : arg.slice(eq + 1)
    if (raw === undefined || (eq === -1 && raw.startsWith("--"))) {
      throw new UsageError({
        command,
        reason: `${command}: option --${name} needs a value (${spec.value ?? spec.kind})`
      })
    }
    if (spec.kind === "strings") (values[name] as string[]).push(raw)
    else if (spec.kind === "string") values[name] = raw
    else {
      const number = Number(raw)
      const valid = raw.trim() !== "" && Number.isFinite(number) && (spec.kind === "number" || Number.isInteger(number))
      if (!valid || number < 0) {
        const expected = spec.kind === "integer" ? "a whole number >= 0" : "a number >= 0"
        throw new UsageError({ command, reason: `${command}: option --${name} expects ${expected}, got "${raw}"` })
      }
      values[name] = number
    }
  }
  return values as Parsed<S>
}

/** The options block of a command's help text. */
export const describeOptions = (specs: OptionSpecs): string =>
  Object.entries(specs)
    .map(([name, spec]) => {
      const flag = spec.kind === "boolean" ? `--${name}` : `--${name} ${spec.value ?? spec.kind.toUpperCase()}`
      const repeat = spec.kind === "strings" ? " (repeatable)" : ""
      return `  ${flag.padEnd(28)} ${spec.description}${repeat}`
    })
    .join("\n")

/** parseArgs as an Effect: a usage problem is a typed failure (exit 2), not a thrown exception. */
export const decodeArgs = <S extends OptionSpecs>(command: string, argv: ReadonlyArray<string>, specs: S) =>
  Effect.try({
    try: () => parseArgs(command, argv, specs),
    catch: (error) => (error instanceof UsageError ? error : new UsageError({ command, reason: String(error) }))
  })
