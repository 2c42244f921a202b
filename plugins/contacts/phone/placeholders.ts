/**
 * Numbers people type when they have no number yet, in templates and half-finished pages:
 * "01 23 45 67 89", "06 12 34 56 78", "06 00 00 00 00", "+33 1 00 00 00 00", "01 02 03 04 05",
 * "06 11 22 33 44". ("0X XX XX XX XX" has letters and never reads as a number.) A real number
 * very rarely fits these shapes, and a page showing one is a template leftover anyway.
 */

/** Eight digits in a row that count up or down: 12345678, 23456789, 98765432. */
const COUNTING = /01234567|12345678|23456789|98765432|87654321|76543210/

/**
 * The last eight digits (the subscriber part after the area or mobile digit) as four pairs
 * stepping evenly by 0, 1 or 11: 00 00 00 00, 01 02 03 04, 11 22 33 44. Wider steps (10 20 30 40)
 * are left alone: numbers ending like that are sold as memorable numbers.
 */
const SEQUENCE_STEPS = new Set([0, 1, -1, 11, -11])

const pairsStepEvenly = (subscriber: string): boolean => {
  const pairs = [0, 2, 4, 6].map((at) => Number(subscriber.slice(at, at + 2)))
  const step = pairs[1]! - pairs[0]!
  return SEQUENCE_STEPS.has(step) && pairs[2]! - pairs[1]! === step && pairs[3]! - pairs[2]! === step
}

/** Whether a national significant number (9 digits for France) is a placeholder. */
export const isPlaceholder = (national: string): boolean => {
  if (COUNTING.test(national)) return true
  if (national.length < 8) return false
  return pairsStepEvenly(national.slice(-8))
}
