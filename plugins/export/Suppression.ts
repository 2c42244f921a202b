/**
 * The job's `suppression_list`: emails, domains and SIRENs that objected (GDPR). A suppressed
 * SIREN's rows are left out of every export file; a suppressed email, or any address or website on
 * a suppressed domain, is removed from every exported cell. See docs/contacts.md.
 */
import { readFile } from "node:fs/promises"
import { dirname, isAbsolute, resolve } from "node:path"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type { Rec } from "../../core/Record.ts"
import { readState } from "../../core/RunState.ts"
import type { StepContext } from "../../core/Step.ts"

/** The suppression list cannot be used: the run stops before any export (exit 2, like a bad job). */
export class SuppressionListInvalid extends Data.TaggedError("SuppressionListInvalid")<{
  readonly file: string
  readonly reason: string
  /** The line of the list at fault (not `line`: Bun sets that on every Error). */
  readonly lineNumber?: number
}> {
  /** The run's settings are unusable: exit 2. */
  readonly usage = true
  override get message() {
    return `suppression list ${this.file}${this.lineNumber === undefined ? "" : `, line ${this.lineNumber}`}: ${this.reason}`
  }
}

export interface Suppression {
  readonly empty: boolean
  readonly sirens: ReadonlySet<string>
  readonly emails: ReadonlySet<string>
  readonly domains: ReadonlySet<string>
  /** True when the record's SIREN (or the SIREN of its SIRET) objected. */
  readonly suppressesCompany: (record: Rec) => boolean
  /** True when a text holds a suppressed email, or an address or host on a suppressed domain. */
  readonly matchesText: (text: string) => boolean
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** A suppression built from already classified values. */
export const makeSuppression = (values: {
  readonly sirens?: Iterable<string>
  readonly emails?: Iterable<string>
  readonly domains?: Iterable<string>
}): Suppression => {
  const sirens = new Set(values.sirens ?? [])
  const emails = new Set([...(values.emails ?? [])].map((email) => email.toLowerCase()))
  const domains = new Set([...(values.domains ?? [])].map((domain) => domain.toLowerCase()))
  // An email as a whole token; a domain as a host or an address's domain (sub-domains included).
  const patterns = [
    ...[...emails].map((email) => `(?<![a-z0-9._%+-])${escapeRegExp(email)}(?![a-z0-9-])`),
    ...[...domains].map((domain) => `(?<![a-z0-9-])${escapeRegExp(domain)}(?![a-z0-9-])`)
  ]
  const pattern = patterns.length === 0 ? null : new RegExp(patterns.join("|"), "i")
  const sirenOf = (record: Rec) =>
    typeof record.siren === "string" && record.siren !== "" ? record.siren : String(record.siret ?? "").slice(0, 9)
  return {
    empty: sirens.size === 0 && pattern === null,
    sirens,
    emails,
    domains,
    suppressesCompany: (record) => sirens.size > 0 && sirens.has(sirenOf(record)),
    matchesText: (text) => pattern?.test(text) === true
  }
}

export const noSuppression: Suppression = makeSuppression({})

type Classified = { readonly kind: "siren" | "email" | "domain"; readonly value: string } | undefined

/** "123 456 789" -> siren; a SIRET stands for its SIREN; "x@y.fr" -> email; "y.fr", "@y.fr", "https://www.y.fr/" -> domain. */
export const classifyValue = (raw: string): Classified => {
  const text = raw.trim().replace(/^"|"$/g, "").trim()
  const digits = text.replace(/[\s.]/g, "")
  if (/^\d{9}$/.test(digits)) return { kind: "siren", value: digits }
  if (/^\d{14}$/.test(digits)) return { kind: "siren", value: digits.slice(0, 9) }
  const lower = text.toLowerCase()
  if (/^[^\s@]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(lower)) return { kind: "email", value: lower }
  const host = lower
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, "")
    .replace(/^@/, "")
    .replace(/[/?#].*$/, "")
    .replace(/^www\./, "")
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host) && /[a-z]/.test(host)) return { kind: "domain", value: host }
  return undefined
}

/**
 * Parses the list: one value per line, or a CSV whose header has a `value` column (other columns
 * ignored). Blank lines and lines starting with `#` are skipped; a value that is neither a SIREN,
 * a SIRET, an email nor a domain is an error (a typo must not let an objection through).
 */
export const parseSuppressionList = (text: string, file: string): Effect.Effect<Suppression, SuppressionListInvalid> =>
  Effect.gen(function* () {
    const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/)
    const header = (lines.find((line) => line.trim() !== "" && !line.trim().startsWith("#")) ?? "")
      .split(",")
      .map((name) => name.trim().replace(/^"|"$/g, "").toLowerCase())
    const column = header.indexOf("value")
    let headerSkipped = column < 0
    const found = { sirens: [] as string[], emails: [] as string[], domains: [] as string[] }
    for (const [index, line] of lines.entries()) {
      if (line.trim() === "" || line.trim().startsWith("#")) continue
      if (!headerSkipped) {
        headerSkipped = true
        continue
      }
      const cell = column < 0 ? line : (line.split(",")[column] ?? "")
      if (cell.trim() === "") continue
      const value = classifyValue(cell)
      if (value === undefined)
        return yield* new SuppressionListInvalid({
          file,
          lineNumber: index + 1,
          reason: `"${cell.trim()}" is neither a SIREN, a SIRET, an email address nor a domain`
        })
      found[value.kind === "siren" ? "sirens" : value.kind === "email" ? "emails" : "domains"].push(value.value)
    }
    return makeSuppression(found)
  })

/** The list's absolute path: relative to the job file (from the run state), else to the working folder. */
const listPath = (context: StepContext<unknown>, path: string) =>
  Effect.gen(function* () {
    if (isAbsolute(path)) return path
    const state = yield* readState(context.runDir).pipe(Effect.orElseSucceed(() => undefined))
    const base = state?.job_file ? dirname(state.job_file) : process.cwd()
    return resolve(base, path)
  })

/** Loads the job's suppression list (none: nothing suppressed); an unreadable list fails naming the file. */
export const loadSuppression = (context: StepContext<unknown>): Effect.Effect<Suppression, SuppressionListInvalid> =>
  Effect.gen(function* () {
    const path = context.job.suppression_list
    if (path === undefined) return noSuppression
    const file = yield* listPath(context, path)
    const text = yield* Effect.tryPromise({
      try: () => readFile(file, "utf8"),
      catch: (cause) =>
        new SuppressionListInvalid({
          file,
          reason: `cannot be read (${(cause as NodeJS.ErrnoException)?.code ?? String(cause)}); the job's suppression_list is relative to the job file`
        })
    })
    return yield* parseSuppressionList(text, file)
  })

/**
 * A cell without suppressed values: a matching text becomes null, a list loses its matching
 * items (null when none is left), an object holding a match becomes null.
 */
export const scrubValue = (value: unknown, suppression: Suppression): unknown => {
  if (value === null || value === undefined) return value
  if (typeof value === "string") return suppression.matchesText(value) ? null : value
  if (Array.isArray(value)) {
    const kept = value.filter(
      (item) => !suppression.matchesText(typeof item === "string" ? item : JSON.stringify(item))
    )
    return kept.length === 0 ? null : kept
  }
  if (typeof value === "object") return suppression.matchesText(JSON.stringify(value)) ? null : value
  return value
}

/** The record with every field scrubbed (identifiers and registry fields never hold emails or domains). */
export const scrubRecord = (record: Rec, suppression: Suppression): Rec => {
  if (suppression.empty) return record
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(record)) out[key] = scrubValue(value, suppression)
  return out as Rec
}
