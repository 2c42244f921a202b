/**
 * `quality.validation`: per-field checks of each row, record by record and without state. Each
 * problem is a flag `<field>:<problem>` in `validation_flags`; `valid_fields` is the share of checked
 * (filled) fields without a problem. Absent or empty fields are not checked: completeness is
 * quality.score's business. Rules (docs/quality-score.md, "Validation"):
 *
 * - siren, siret: 9 / 14 digits with valid check digits (Luhn, La Poste exception); siret starts with siren
 * - postcode: 5 digits, and its département agrees with `department` (Corsica 20 -> 2A/2B, overseas 97x)
 * - naf: NAF rév. 2 sub-class shape `NN.NNL`
 * - created_on: a real calendar date `YYYY-MM-DD`
 * - email, emails: address syntax; email: `email_mx` false -> `email:no_mx`
 * - phone, phones, maps_phone: E.164 shape (`+` then 8 to 15 digits)
 * - website, maps_website, linkedin_url: a usable http(s) URL; website: `match_status` rejected -> `website:rejected_match`
 */
import * as Stream from "effect/Stream"
import type { Rec } from "../../core/Record.ts"
import { defineStep } from "../../core/Step.ts"
import { isoDate } from "../normalize/rules/dates.ts"
import { isValidSiren, isValidSiret } from "../normalize/rules/identifiers.ts"

/** One field's problem, or null when the value passes. Only called for filled values. */
type Rule = (value: unknown, record: Rec) => string | null

const text = (value: unknown): string | null =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : null

const DIGITS = /^\d+$/
/** NAF rév. 2 sub-class: "62.02A". */
export const NAF_SHAPE = /^\d{2}\.\d{2}[A-Z]$/
/** E.164: "+", a country code not starting with 0, 8 to 15 digits in all. */
export const E164 = /^\+[1-9]\d{7,14}$/
/** A practical address syntax: one @, a local part without spaces, a dotted domain with a 2+ letter TLD. */
export const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/

export const sirenProblem: Rule = (value) => {
  const s = text(value)
  if (s === null || s.length !== 9 || !DIGITS.test(s)) return "format"
  return isValidSiren(s) ? null : "checksum"
}

export const siretProblem: Rule = (value, record) => {
  const s = text(value)
  if (s === null || s.length !== 14 || !DIGITS.test(s)) return "format"
  if (!isValidSiret(s)) return "checksum"
  const siren = text(record.siren)
  return siren !== null && siren !== "" && !s.startsWith(siren) ? "siren_mismatch" : null
}

/** The départements a postcode may belong to ("75001" -> 75; "20000" -> 2A/2B; "97133" -> 971/977). */
export const departmentsOfPostcode = (postcode: string): ReadonlyArray<string> => {
  const two = postcode.slice(0, 2)
  if (two === "20") return ["2A", "2B"]
  if (two === "97" || two === "98") {
    const three = postcode.slice(0, 3)
    // Saint-Barthélemy (977) and Saint-Martin (978) keep Guadeloupe's postcodes (97133, 97150).
    if (three === "971") return ["971", "977", "978"]
    return [three]
  }
  return [two]
}

export const postcodeProblem: Rule = (value, record) => {
  const s = text(value)
  if (s === null || s.length !== 5 || !DIGITS.test(s)) return "format"
  const department = text(record.department)
  if (department === null || department === "") return null
  return departmentsOfPostcode(s).includes(department) ? null : "department_mismatch"
}

export const nafProblem: Rule = (value) => (NAF_SHAPE.test(text(value) ?? "") ? null : "format")

export const dateProblem: Rule = (value) => (isoDate(text(value)) === null ? "invalid_date" : null)

export const emailProblem: Rule = (value) => (EMAIL.test(text(value) ?? "") ? null : "syntax")

export const phoneProblem: Rule = (value) => (E164.test(text(value) ?? "") ? null : "not_e164")

/** True when `value` parses as an http(s) URL with a dotted host (or localhost-free public name). */
export const isUsableUrl = (value: string): boolean => {
  if (/\s/.test(value)) return false
  try {
    const url = new URL(value)
    return (url.protocol === "http:" || url.protocol === "https:") && /^[^.]+(\.[^.]+)+$/.test(url.hostname)
  } catch {
    return false
  }
}

export const urlProblem: Rule = (value) => (isUsableUrl(text(value) ?? "") ? null : "not_http_url")

export const websiteProblem: Rule = (value, record) => {
  const shape = urlProblem(value, record)
  if (shape !== null) return shape
  return record.match_status === "rejected" ? "rejected_match" : null
}

/** Each list item checked with `rule`: the first problem found. */
const eachOf =
  (rule: Rule): Rule =>
  (value, record) => {
    if (!Array.isArray(value)) return rule(value, record)
    for (const item of value) {
      const problem = rule(item, record)
      if (problem !== null) return problem
    }
    return null
  }

export const RULES: Readonly<Record<string, Rule>> = {
  siren: sirenProblem,
  siret: siretProblem,
  postcode: postcodeProblem,
  naf: nafProblem,
  created_on: dateProblem,
  email: (value, record) => emailProblem(value, record) ?? (record.email_mx === false ? "no_mx" : null),
  emails: eachOf(emailProblem),
  phone: phoneProblem,
  phones: eachOf(phoneProblem),
  maps_phone: phoneProblem,
  website: websiteProblem,
  maps_website: urlProblem,
  linkedin_url: urlProblem
}

const filled = (value: unknown) =>
  value !== null && value !== undefined && value !== "" && !(Array.isArray(value) && value.length === 0)

export interface Validation {
  /** `<field>:<problem>`, in the order of RULES. */
  readonly flags: string[]
  /** Filled fields checked. */
  readonly checked: number
  /** Share of checked fields without a problem (3 decimals); null when none was checked. */
  readonly ratio: number | null
}

/** Validates one record (pure). */
export const validateRecord = (record: Rec): Validation => {
  const flags: string[] = []
  let checked = 0
  for (const [field, rule] of Object.entries(RULES)) {
    const value = record[field]
    if (!filled(value)) continue
    checked++
    const problem = rule(value, record)
    if (problem !== null) flags.push(`${field}:${problem}`)
  }
  const ratio = checked === 0 ? null : Math.round((1000 * (checked - flags.length)) / checked) / 1000
  return { flags, checked, ratio }
}

const optional = (type: "string" | "string[]" | "boolean", description: string) =>
  ({ type, description, optional: true }) as const

export const qualityValidation = defineStep({
  id: "quality.validation",
  description: "Checks each field of a row (checksums, postcode/department, NAF, dates, email, phone, URL).",
  kind: "transform",
  needs: ["normalize.standardize"],
  after: ["quality.checks", "quality.clean_contacts", "enrich.*", "scraper.maps", "correlation.*"],
  reads: {
    siret: { type: "string", description: "Establishment identifier" },
    siren: optional("string", "Legal unit identifier"),
    postcode: optional("string", "Postcode"),
    department: optional("string", "Department code"),
    naf: optional("string", "NAF rév. 2 code"),
    created_on: optional("string", "Creation date"),
    email: optional("string", "Best generic email (enrich.email)"),
    email_mx: optional("boolean", "MX check of `email`"),
    emails: optional("string[]", "Emails (enrich.email)"),
    phone: optional("string", "Main phone (enrich.phone)"),
    phones: optional("string[]", "Phones (enrich.phone)"),
    maps_phone: optional("string", "Places phone"),
    website: optional("string", "Website"),
    maps_website: optional("string", "Places website"),
    linkedin_url: optional("string", "LinkedIn company page"),
    match_status: optional("string", "correlation.checks' verdict on the website")
  },
  writes: {
    validation_flags: {
      type: "string[]",
      description:
        "Per-field problems `<field>:<problem>` (e.g. siret:checksum, postcode:department_mismatch, email:no_mx, website:rejected_match); empty when none"
    },
    valid_fields: {
      type: "number",
      description: "0-1: share of the filled, checked fields without a problem; empty when none was checked"
    }
  },
  run: (input) =>
    Stream.map(input, (record) => {
      const { flags, ratio } = validateRecord(record)
      return { ...record, validation_flags: flags.length === 0 ? null : flags, valid_fields: ratio }
    })
})
