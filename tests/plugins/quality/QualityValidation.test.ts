/** quality.validation: one rule at a time on small records, then a whole record. */
import { describe, expect, it } from "bun:test"
import {
  dateProblem,
  departmentsOfPostcode,
  emailProblem,
  isUsableUrl,
  nafProblem,
  phoneProblem,
  postcodeProblem,
  RULES,
  sirenProblem,
  siretProblem,
  validateRecord,
  websiteProblem
} from "../../../plugins/quality/QualityValidation.ts"

describe("quality.validation rules", () => {
  it("siren: format and Luhn check digit", () => {
    expect(sirenProblem("732829320", {})).toBeNull()
    expect(sirenProblem("732829321", {})).toBe("checksum")
    expect(sirenProblem("73282932", {})).toBe("format")
    expect(sirenProblem("73282932A", {})).toBe("format")
  })

  it("siret: format, Luhn (La Poste exception) and agreement with siren", () => {
    expect(siretProblem("73282932000074", { siren: "732829320" })).toBeNull()
    expect(siretProblem("73282932000075", {})).toBe("checksum")
    expect(siretProblem("7328293200007", {})).toBe("format")
    expect(siretProblem("35600000000048", {})).toBeNull()
    expect(siretProblem("73282932000074", { siren: "552100554" })).toBe("siren_mismatch")
  })

  it("postcode: 5 digits whose département matches, Corsica and overseas included", () => {
    expect(postcodeProblem("75002", { department: "75" })).toBeNull()
    expect(postcodeProblem("75002", { department: "92" })).toBe("department_mismatch")
    expect(postcodeProblem("7500", { department: "75" })).toBe("format")
    expect(postcodeProblem("20000", { department: "2A" })).toBeNull()
    expect(postcodeProblem("20200", { department: "2B" })).toBeNull()
    expect(postcodeProblem("97110", { department: "971" })).toBeNull()
    expect(postcodeProblem("97400", { department: "971" })).toBe("department_mismatch")
    expect(postcodeProblem("97133", { department: "977" })).toBeNull()
    expect(postcodeProblem("75002", {})).toBeNull()
    expect(departmentsOfPostcode("98000")).toEqual(["980"])
  })

  it("naf: the NAF rév. 2 sub-class shape", () => {
    expect(nafProblem("62.02A", {})).toBeNull()
    expect(nafProblem("6202A", {})).toBe("format")
    expect(nafProblem("62.02", {})).toBe("format")
  })

  it("created_on: a real calendar date", () => {
    expect(dateProblem("2024-02-29", {})).toBeNull()
    expect(dateProblem("2023-02-29", {})).toBe("invalid_date")
    expect(dateProblem("01/02/2023", {})).toBe("invalid_date")
  })

  it("email: syntax, and email_mx false", () => {
    expect(emailProblem("contact@acme.fr", {})).toBeNull()
    expect(emailProblem("contact@acme", {})).toBe("syntax")
    expect(emailProblem("con tact@acme.fr", {})).toBe("syntax")
    expect(RULES.email!("contact@acme.fr", { email_mx: false })).toBe("no_mx")
    expect(RULES.email!("contact@acme.fr", { email_mx: null })).toBeNull()
    expect(RULES.emails!(["a@acme.fr", "oops"], {})).toBe("syntax")
  })

  it("phone: E.164 shape", () => {
    expect(phoneProblem("+33142000000", {})).toBeNull()
    expect(phoneProblem("01 42 00 00 00", {})).toBe("not_e164")
    expect(phoneProblem("+0142000000", {})).toBe("not_e164")
    expect(RULES.phones!(["+33142000000", "0142"], {})).toBe("not_e164")
  })

  it("website: a usable http(s) URL, invalid when correlation rejected it", () => {
    expect(isUsableUrl("https://acme.fr/")).toBe(true)
    expect(isUsableUrl("ftp://acme.fr")).toBe(false)
    expect(isUsableUrl("acme.fr")).toBe(false)
    expect(isUsableUrl("http://localhost")).toBe(false)
    expect(websiteProblem("https://acme.fr", { match_status: "accepted" })).toBeNull()
    expect(websiteProblem("https://acme.fr", { match_status: "rejected" })).toBe("rejected_match")
    expect(websiteProblem("acme", {})).toBe("not_http_url")
  })
})

describe("quality.validation of a record", () => {
  it("flags each problem as field:problem and gives the share of valid checked fields", () => {
    const result = validateRecord({
      siren: "732829320",
      siret: "73282932000074",
      postcode: "75002",
      department: "92",
      naf: "62.02A",
      created_on: "2015-03-01",
      email: "contact@acme.fr",
      email_mx: false,
      phone: "+33142000000",
      website: "https://acme.fr",
      match_status: "rejected",
      emails: [],
      linkedin_url: null
    })
    expect(result.flags).toEqual(["postcode:department_mismatch", "email:no_mx", "website:rejected_match"])
    expect(result.checked).toBe(8)
    expect(result.ratio).toBe(0.625)
  })

  it("checks nothing on an empty record", () => {
    expect(validateRecord({})).toEqual({ flags: [], checked: 0, ratio: null })
  })
})
