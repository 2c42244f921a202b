/** Dates of the SIRENE stock files, which INSEE writes `YYYY-MM-DD`. */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const

const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0

/**
 * `value` when it is a real calendar date written `YYYY-MM-DD` ("2023-02-30" and "2023-13-01" are
 * not); null otherwise. A date-time ("2024-03-01T10:00:00") is not a date: callers slice it first.
 */
export const isoDate = (value: string | null | undefined): string | null => {
  if (value === null || value === undefined) return null
  const match = ISO_DATE.exec(value)
  if (match === null) return null
  const year = Number(match[1])
  const month = Number(match[2])
  const day = Number(match[3])
  if (month < 1 || month > 12 || day < 1) return null
  const days = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!
  return day <= days ? value : null
}
