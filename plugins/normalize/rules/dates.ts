/** Dates of the SIRENE stock files, which INSEE writes `YYYY-MM-DD`. */

import { epochDayOf } from "../../../core/CalendarDate.ts"

/**
 * `value` when it is a real calendar date written `YYYY-MM-DD` ("2023-02-30" and "2023-13-01" are
 * not); null otherwise. A date-time ("2024-03-01T10:00:00") is not a date: callers slice it first.
 */
export const isoDate = (value: string | null | undefined): string | null =>
  value === null || value === undefined || epochDayOf(value) === undefined ? null : value
