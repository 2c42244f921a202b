/**
 * SIREN and SIRET check digits (SIRENE.md §5): SIREN = 9 digits, SIRET = SIREN + NIC (5 digits),
 * both valid when their Luhn sum is a multiple of 10.
 */

const ZERO = 48

/** The SIREN of La Poste, whose establishments were numbered before the Luhn rule applied to NICs. */
export const LA_POSTE_SIREN = "356000000"

/** The Luhn sum of `s`, or -1 when `s` is not `length` ASCII digits. */
const luhnSum = (s: string, length: number): number => {
  if (s.length !== length) return -1
  let sum = 0
  for (let i = 0; i < length; i++) {
    const digit = s.charCodeAt(length - 1 - i) - ZERO
    if (digit < 0 || digit > 9) return -1
    if (i % 2 === 1) {
      const doubled = digit * 2
      sum += doubled > 9 ? doubled - 9 : doubled
    } else {
      sum += digit
    }
  }
  return sum
}

/** The plain sum of the digits of `s` (which must be all digits). */
const digitSum = (s: string): number => {
  let sum = 0
  for (let i = 0; i < s.length; i++) sum += s.charCodeAt(i) - ZERO
  return sum
}

/** True when `s` is exactly 9 digits whose Luhn sum is a multiple of 10. */
export const isValidSiren = (s: string): boolean => {
  const sum = luhnSum(s, 9)
  return sum >= 0 && sum % 10 === 0
}

/**
 * True when `s` is exactly 14 digits whose Luhn sum is a multiple of 10.
 *
 * La Poste exception: its SIRETs (SIREN 356000000) often fail Luhn; INSEE accepts them when the
 * plain sum of the 14 digits is a multiple of 5 (the SIREN 356000000 itself passes Luhn).
 */
export const isValidSiret = (s: string): boolean => {
  const sum = luhnSum(s, 14)
  if (sum < 0) return false
  if (sum % 10 === 0) return true
  return s.startsWith(LA_POSTE_SIREN) && digitSum(s) % 5 === 0
}
