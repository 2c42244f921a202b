/**
 * Phone numbers as the French write them in running text: digit groups joined by one separator
 * ("06 12 34 56 78", "06.12.34.56.78", "06-12-34-56-78", "06/12/34/56/78", "0612345678",
 * "0 800 123 456", "0899 701 761"), or international ("+33 6 12 34 56 78", "+33 (0)6 12…",
 * "+33 612345678", "0033 6 12…", "(+33) 6 12…"). This module only reads the notation; whether the
 * digits are a real number is libphonenumber's call (see normalize.ts).
 */

/** A number as written in a text, with its place there. */
export interface WrittenNumber {
  readonly start: number
  readonly end: number
  readonly asWritten: string
  /** Digits to dial: "+" and the calling code for an international number, else national digits from the trunk 0. */
  readonly dialable: string
}

/**
 * A cheap scan for anything made of digits and separators, at least 9 characters long. Runs are
 * maximal, so a phone glued inside a longer identifier (a SIRET, an IBAN) is seen whole and
 * refused whole, instead of matching a 10-digit slice of it.
 */
const RUN = /[+(]*\d[\d .\-/()+]{7,}\d/g

/** Quick test before the full scan: most blocks have no such run at all. */
export const mayHoldNumber = (text: string): boolean => /\d[\d .\-/()]{7,}\d/.test(text)

/** "(0)" after a calling code is the trunk prefix some write for callers from France. */
const TRUNK = /(\+\d{1,3} ?)\(\s?0\s?\)/g
/** "(+33)" is the calling code in brackets. */
const BRACKETED_CODE = /\(\s?(\+\d{1,3})\s?\)/g

interface Group {
  readonly digits: string
  /** Offset of the group's first character in the run. */
  readonly at: number
  /** Separator written before it (empty for the first group). */
  readonly before: string
  /** The group is preceded by "+" (a calling code follows). */
  readonly plus: boolean
}

/**
 * A separator that keeps two groups within one number: one space, dot, dash or slash, or a
 * bracket next to a space. Anything wider (" - ", " / ", a second "+") separates two numbers,
 * so "06 12 34 56 78 - 01 23 45 67 89" and "01/01/2020 - 31/12/2020" are read as two runs.
 */
const isSoftSeparator = (separator: string): boolean => /^(?: |[.\-/()]| [()]|[()] )$/.test(separator)

const groupsOf = (run: string): Group[][] => {
  // Both rewrites keep every offset, so a group's place in the rewritten run is its place in the run.
  const text = run
    .replace(TRUNK, (match, code: string) => code.padEnd(match.length, " "))
    .replace(BRACKETED_CODE, (match, code: string) => code.padEnd(match.length, " "))
  const parts: Group[][] = [[]]
  const pattern = /\d+/g
  let last = 0
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const between = text.slice(last, match.index)
    const plus = between.includes("+")
    const separator = between.replace(/\s+/g, " ").replace("+", "")
    const current = parts[parts.length - 1]!
    if (current.length > 0 && (plus || !isSoftSeparator(separator))) parts.push([])
    parts[parts.length - 1]!.push({ digits: match[0], at: match.index, before: between, plus })
    last = match.index + match[0].length
  }
  return parts.filter((groups) => groups.length > 0)
}

/** Longest international number: E.164 allows 15 digits. */
const MAX_DIGITS = 15

interface Cut {
  readonly from: number
  readonly to: number
  readonly dialable: string
}

/**
 * The number that starts at a group, ending on a group boundary: national numbers are 10 digits
 * from the trunk 0; "+33" (or "0033") is followed by 9 digits, a written trunk 0 after it dropped
 * ("+330963286273"); other calling codes take the rest of the run (their lengths vary).
 */
const numberAt = (groups: ReadonlyArray<Group>, from: number): Cut | undefined => {
  const first = groups[from]!
  const international = first.plus || first.digits.startsWith("00")
  let digits = ""
  for (let to = from; to < groups.length && digits.length <= MAX_DIGITS; to++) {
    digits += groups[to]!.digits
    if (!international) {
      if (!digits.startsWith("0") || digits.length > 10) return undefined
      if (digits.length === 10) return { from, to, dialable: digits }
      continue
    }
    const code = digits.replace(/^00/, "")
    if (code.startsWith("33")) {
      const national = code.slice(2).replace(/^0/, "")
      if (national.length === 9) return { from, to, dialable: `+33${national}` }
      if (national.length > 9) return undefined
    } else if (to === groups.length - 1 && code.length >= 6 && code.length <= MAX_DIGITS) {
      return { from, to, dialable: `+${code}` }
    }
  }
  return undefined
}

/** A group standing alone between spaces (or at an end of the run), like a word of its own. */
const standsAlone = (groups: ReadonlyArray<Group>, index: number): boolean =>
  (index === 0 || groups[index]!.before === " ") && (index === groups.length - 1 || groups[index + 1]!.before === " ")

/**
 * Cuts a run of groups into numbers. A group that starts no number is skipped when it stands
 * alone, because inline markup runs neighbours into the phone ("Paris 75012 06 14 67 21 00",
 * "06000 Nice" before a number, "7j/7 06…"); a group glued to the others by dots or dashes
 * makes the whole run something else (a date, a reference), and undefined is returned. A SIRET
 * ("812 345 678 00012") gives nothing: its only group with a leading 0 is too short.
 */
const cut = (groups: ReadonlyArray<Group>): Cut[] | undefined => {
  const numbers: Cut[] = []
  let index = 0
  while (index < groups.length) {
    const number = numberAt(groups, index)
    if (number !== undefined) {
      numbers.push(number)
      index = number.to + 1
    } else if (standsAlone(groups, index)) {
      index++
    } else {
      return undefined
    }
  }
  return numbers
}

/** The numbers written in a text, in order. */
export const findWrittenNumbers = (text: string): WrittenNumber[] => {
  const found: WrittenNumber[] = []
  for (const match of text.matchAll(RUN)) {
    const runStart = match.index
    // A run glued to capitals starts with an identifier with a country prefix (IBAN FR76 3000…,
    // VAT FR 40 123…): its first part is that identifier, what follows a wide separator may be a phone.
    const identifierFirst = /(?:[A-Z]{2}|\bFR )$/.test(text.slice(Math.max(0, runStart - 3), runStart))
    for (const [part, groups] of groupsOf(match[0]).entries()) {
      if (part === 0 && identifierFirst) continue
      const numbers = cut(groups)
      if (numbers === undefined) continue
      for (const { from, to, dialable } of numbers) {
        const first = groups[from]!
        const last = groups[to]!
        // Keep the "+" or "(+" written before the first group as part of what was written.
        const lead = first.plus ? first.before.length - first.before.lastIndexOf("+") : 0
        const start = runStart + first.at - lead
        const end = runStart + last.at + last.digits.length
        found.push({ start, end, asWritten: text.slice(start, end), dialable })
      }
    }
  }
  return found
}
