/**
 * Dialable digits → E.164, region and line type, with libphonenumber's full ("max") metadata: the
 * smaller metadata sets cannot tell a mobile from a landline or a premium number, and the max set
 * costs ~30 ms once at import and a few microseconds a number (the callers pre-filter, see notation.ts).
 */
import { type NumberType, parsePhoneNumberFromString } from "libphonenumber-js/max"
import { overseasE164 } from "./overseas.ts"

export type PhoneType = "landline" | "mobile" | "premium" | "toll_free" | "shared_cost" | "voip" | "unknown"

export interface Phone {
  /** E.164: "+33612345678", "+590590123456". */
  readonly e164: string
  /** ISO 3166 region of the number (FR, GP, RE…), or "" when the calling code is shared and the number unknown. */
  readonly region: string
  /** The national significant number (no calling code, no trunk 0). */
  readonly national: string
  readonly type: PhoneType
  /** libphonenumber knows the number's range; a merely possible number has the right length only. */
  readonly valid: boolean
}

const TYPES: Partial<Record<NonNullable<NumberType>, PhoneType>> = {
  FIXED_LINE: "landline",
  MOBILE: "mobile",
  PREMIUM_RATE: "premium",
  TOLL_FREE: "toll_free",
  SHARED_COST: "shared_cost",
  VOIP: "voip"
}

/**
 * French numbers (national "0…" or "+33…") go through the overseas table first, because
 * libphonenumber reads 0590… as +33 590… (see overseas.ts); everything else is parsed as written.
 */
const international = (dialable: string): string | undefined => {
  if (/^0\d{9}$/.test(dialable)) return overseasE164(dialable.slice(1)) ?? `+33${dialable.slice(1)}`
  if (/^\+33\d{9}$/.test(dialable)) return overseasE164(dialable.slice(3)) ?? dialable
  if (/^\+\d{6,15}$/.test(dialable)) return dialable
  return undefined
}

/** The number that digits written as "0…" or "+…" dial, or undefined when no such number can exist. */
export const toPhone = (dialable: string): Phone | undefined => {
  const e164 = international(dialable)
  if (e164 === undefined) return undefined
  const parsed = parsePhoneNumberFromString(e164)
  if (parsed === undefined || !parsed.isPossible()) return undefined
  const type = parsed.getType()
  return {
    e164: parsed.number,
    region: parsed.country ?? "",
    national: parsed.nationalNumber,
    type: (type && TYPES[type]) ?? "unknown",
    valid: parsed.isValid()
  }
}
