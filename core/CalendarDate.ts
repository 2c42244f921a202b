/**
 * Calendar dates written `YYYY-MM-DD`, checked and counted with integer arithmetic: the registry's
 * dates and the Parquet writer's Date32 columns meet one per row, where a regular expression or a
 * `Date` per value cost more than the check itself (decision 018).
 */

const DIGIT_0 = 48
const HYPHEN = 45

/** The number written by the `count` ASCII digits at `at`, or -1 when one is not a digit. */
const digitsAt = (text: string, at: number, count: number): number => {
  let n = 0
  for (let i = at; i < at + count; i++) {
    const digit = text.charCodeAt(i) - DIGIT_0
    if (digit < 0 || digit > 9) return -1
    n = n * 10 + digit
  }
  return n
}

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`): the
 * arithmetic a Date would do, without one Date per value (dates are a fifth of a registry row).
 */
const daysFromCivil = (year: number, month: number, day: number): number => {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146_097 + dayOfEra - 719_468
}

/**
 * Days since 1970-01-01 of a "YYYY-MM-DD" date of the proleptic Gregorian calendar (year 0000 to 9999),
 * or undefined when the text is not one (a wrong shape, a month 13, a 29 February outside a leap year).
 */
export const epochDayOf = (text: string): number | undefined => {
  if (text.length !== 10 || text.charCodeAt(4) !== HYPHEN || text.charCodeAt(7) !== HYPHEN) return undefined
  const year = digitsAt(text, 0, 4)
  const month = digitsAt(text, 5, 2)
  const day = digitsAt(text, 8, 2)
  if (year < 0 || month < 1 || month > 12 || day < 1) return undefined
  if (day > (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!)) return undefined
  return daysFromCivil(year, month, day)
}
