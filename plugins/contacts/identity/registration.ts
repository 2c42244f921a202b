/**
 * SIREN and SIRET numbers in a block of text. A run of digits is one when it has the right length
 * and grouping, nothing glued to it (RNA "W381003611", "SAP/101360436"), and a label that says so:
 * conservative on purpose, as a number taken for the company's own is exported as such.
 *
 * Notations: SIREN "123 456 789", "123456789", "123.456.789"; SIRET "123 456 789 00012",
 * "12345678900012", "123456789 00012", "123 456789 00012", "123 456 789 000 12". Labels: "SIREN",
 * "SIRET", "N° SIRET", "RCS Paris B 123 456 789", "immatriculée au RCS de Lyon sous le numéro…",
 * "Immatriculation", a registry named after the number; a legal form right before a Luhn-valid
 * number ("SARL 88353999100017").
 */
import { isValidSiren, isValidSiret } from "../../normalize/rules/identifiers.ts"
import type { PagePart } from "../../parse/ParsedPage.ts"
import type { BlockContext } from "./context.ts"
import { fold } from "./fold.ts"
import { type LabelKind, labelAfter, nearestLabel } from "./labels.ts"
import {
  type DigitRun,
  digitRuns,
  endOfLeadingDigits,
  isSirenGrouping,
  isSiretGrouping,
  leadingDigits,
  surroundingsVeto
} from "./numbers.ts"

export interface NumberHit {
  readonly kind: "siren" | "siret"
  readonly digits: string
  readonly asWritten: string
  readonly valid: boolean
  readonly label: LabelKind | null
  readonly confidence: number
  readonly start: number
  readonly end: number
}

/** How far back a label still speaks for a number in the same block. */
const LABEL_REACH = 80

/** Parts where an unlabelled SIRET can stand: the legal notice and the footer's legal line. */
const LEGAL_PARTS: ReadonlySet<PagePart> = new Set(["legal", "footer"])

const labelOf = (context: BlockContext, start: number, end: number, windowStart: number): LabelKind | null => {
  const from = Math.max(windowStart, start - LABEL_REACH)
  const window = context.folded.slice(from, start)
  const before = nearestLabel(window)
  if (before !== null) return before
  const after = labelAfter(context.folded.slice(end, end + 30))
  if (after !== null) return after
  // Only label-like text before the number on its line: the label may end the line before
  // ("SIREN" ⏎ "877 773 689", "…sous le numéro" ⏎ "537 407 926").
  const previous = context.previous
  if (window.trim().length <= 3 && previous !== undefined) {
    const line = fold(previous.text.slice(-LABEL_REACH))
    const lastDigit = line.search(/\d[^\d]*$/)
    return nearestLabel(lastDigit < 0 ? line : line.slice(lastDigit + 1))
  }
  return null
}

/** How sure a label makes a number: an explicit SIREN/SIRET label most, none least. */
const CONFIDENCE: Readonly<Record<Exclude<LabelKind, "other">, number>> = {
  siren: 0.95,
  siret: 0.95,
  register: 0.9,
  legalForm: 0.75
}
const UNLABELLED_CONFIDENCE = 0.6

/** Invalid check digits: a typo or a number that is something else. */
const INVALID_FACTOR = 0.6

interface Candidate {
  readonly digits: string
  readonly end: number
  /** Whether the candidate is the whole run (not its leading groups). */
  readonly whole: boolean
}

/** The 9- or 14-digit numbers a run can hold: the whole run, or its leading groups. */
const candidatesOf = (text: string, run: DigitRun): Candidate[] => {
  const count = run.digits.length
  if (count === 9 || count === 14) return [{ digits: run.digits, end: run.end, whole: true }]
  const found: Candidate[] = []
  for (const length of [14, 9]) {
    if (count <= length) continue
    const digits = leadingDigits(run, length)
    if (digits !== null) found.push({ digits, end: endOfLeadingDigits(text, run, length), whole: false })
  }
  return found
}

const groupsOf = (written: string): number[] => written.split(/\D+/).map((group) => group.length)

export const scanRegistrationNumbers = (context: BlockContext, skip: ReadonlyArray<readonly [number, number]>) => {
  const hits: NumberHit[] = []
  const { text } = context
  let windowStart = 0
  for (const run of digitRuns(text)) {
    const overlapsSkipped = skip.some(([from, to]) => run.start < to && run.end > from)
    if (overlapsSkipped || run.digits.length < 9) {
      windowStart = run.end
      continue
    }
    const sirens = new Set(hits.filter((hit) => hit.kind === "siren").map((hit) => hit.digits))
    for (const candidate of candidatesOf(text, run)) {
      const hit = judge(context, run, candidate, windowStart, sirens)
      if (hit !== null) {
        hits.push(hit)
        break
      }
    }
    windowStart = run.end
  }
  return hits
}

/** A SIRET stated right after its own SIREN ("RCS Versailles B 504 815 721 sous le numéro 50481572100049"). */
const SIRET_OF_STATED_SIREN_CONFIDENCE = 0.85

const judge = (
  context: BlockContext,
  run: DigitRun,
  candidate: Candidate,
  windowStart: number,
  sirensBefore: ReadonlySet<string>
): NumberHit | null => {
  const { text } = context
  if (surroundingsVeto(text, run.start, candidate.end) !== null) return null
  const kind = candidate.digits.length === 9 ? "siren" : "siret"
  const asWritten = text.slice(run.start, candidate.end)
  const groups = groupsOf(asWritten)
  const label = labelOf(context, run.start, candidate.end, windowStart)
  if (label === "other") return null
  const valid = kind === "siren" ? isValidSiren(candidate.digits) : isValidSiret(candidate.digits)
  // A run longer than the number (a SIRET followed by a postcode) only counts when it checks out.
  if (!candidate.whole && (!valid || label === null || label === "legalForm")) return null
  if (kind === "siren" && !isSirenGrouping(groups) && label !== "siren") return null
  if (kind === "siret" && !isSiretGrouping(groups)) return null
  let confidence: number
  if (label === null) {
    // An unlabelled 9-digit number is too often something else (a phone without its 0, an order
    // number); an unlabelled 14-digit one that checks out, in the legal notice or footer, is a SIRET,
    // and so is one that extends a SIREN the same line has just stated (the label stops at the SIREN).
    const extendsStatedSiren = kind === "siret" && valid && sirensBefore.has(candidate.digits.slice(0, 9))
    if (extendsStatedSiren) confidence = SIRET_OF_STATED_SIREN_CONFIDENCE
    else if (kind === "siren" || !valid || !LEGAL_PARTS.has(context.block.part)) return null
    else confidence = UNLABELLED_CONFIDENCE
  } else {
    if (label === "legalForm" && !valid) return null
    confidence = CONFIDENCE[label]
  }
  if (!valid) confidence *= INVALID_FACTOR
  return { kind, digits: candidate.digits, asWritten, valid, label, confidence, start: run.start, end: candidate.end }
}
