/**
 * Runs of digits as people write registration numbers: groups of digits joined by one space, dot
 * or dash ("123 456 789", "123.456.789", "123 456 789 00012", "881053409 00010"). What stands
 * right before or after a run tells whether it can be a number of its own at all.
 */

export interface DigitRun {
  /** The digits alone. */
  readonly digits: string
  /** The digit count of each group, in order ("123 456 789" → [3, 3, 3]). */
  readonly groups: ReadonlyArray<number>
  /** Where the run starts and ends in the text (end exclusive). */
  readonly start: number
  readonly end: number
}

/** Digits joined by single separators: spaces (also no-break and thin), dots, dashes. */
const RUN = /\d+(?:[ \u00a0\u202f\u2009.-]\d+)*/g

export const digitRuns = (text: string): DigitRun[] => {
  const runs: DigitRun[] = []
  for (const match of text.matchAll(RUN)) {
    const written = match[0]
    const groups = written.split(/[^\d]/).map((group) => group.length)
    runs.push({ digits: written.replace(/\D/g, ""), groups, start: match.index, end: match.index + written.length })
  }
  return runs
}

/**
 * The leading groups of `run` that make exactly `length` digits, or null: "123 456 789 00012 75008"
 * (a SIRET followed by a postcode) still holds a 14-digit SIRET.
 */
export const leadingDigits = (run: DigitRun, length: number): string | null => {
  let count = 0
  for (const group of run.groups) {
    count += group
    if (count === length) return run.digits.slice(0, length)
    if (count > length) return null
  }
  return null
}

/** Where the leading `length` digits of `run` end in the text. */
export const endOfLeadingDigits = (text: string, run: DigitRun, length: number): number => {
  let seen = 0
  for (let index = run.start; index < run.end; index++) {
    const code = text.charCodeAt(index)
    if (code >= 48 && code <= 57 && ++seen === length) return index + 1
  }
  return run.end
}

/**
 * Why a run cannot be a registration number of its own, from its immediate surroundings, or null.
 * - glued to letters or a slash: part of another identifier (RNA "W381003611", "SAP/101360436",
 *   an analytics id "AW-16531109338", a path in a URL);
 * - after "+", "(0)" or a country code ("+33 ", "(+33) "): a phone number;
 * - followed by a decimal comma, a currency or a unit: an amount (share capital…).
 */
export const surroundingsVeto = (text: string, start: number, end: number): string | null => {
  const before = text.slice(Math.max(0, start - 6), start)
  const after = text.slice(end, end + 8)
  if (/[\p{L}\d_/\\#@=&?%]$/u.test(before) || /[\p{L}]-$/u.test(before)) return "glued"
  if (/(\+|\(0\)\s?|\+\d{2,3}\)?\s?)$/.test(before)) return "phone"
  if (/^(,\d|\s?(€|eur\b|euros?\b|%|\$|m²|m2\b|km\b|kg\b))/i.test(after)) return "amount"
  if (/^[\p{L}\d]/u.test(after) || /^[/\\]\w/.test(after)) return "glued"
  return null
}

/** The usual ways of grouping a SIREN: all nine together or three by three. */
export const isSirenGrouping = (groups: ReadonlyArray<number>): boolean =>
  (groups.length === 1 && groups[0] === 9) || (groups.length === 3 && groups.every((group) => group === 3))

/**
 * A 14-digit run grouped like a SIRET rather than like phone numbers: pairs of digits ("01 23 45 …")
 * are how phones are written, never SIRETs.
 */
export const isSiretGrouping = (groups: ReadonlyArray<number>): boolean =>
  groups.length <= 6 && groups.filter((group) => group === 2).length <= 1
