/**
 * French overseas numbers written in the national format. The overseas departments and
 * collectivities share France's 10-digit dialling plan (0590 12 34 56 from anywhere in France) but
 * have country calling codes of their own, so "0590…" parsed with France as the default country
 * comes out as +33 590…, a number that does not exist. ARCEP gives each territory its own prefixes
 * of the national number (the 9 digits after the trunk 0); this table maps them to the calling code.
 *
 * | National prefix              | Territory                                   | E.164            |
 * | ---------------------------- | ------------------------------------------- | ---------------- |
 * | 0590; 0690, 0691; 07090      | Guadeloupe, Saint-Barthélemy, Saint-Martin  | +590 + 9 digits  |
 * | 0596; 0696, 0697; 07091      | Martinique                                  | +596 + 9 digits  |
 * | 0594; 0694; 07093 0-3        | Guyane                                      | +594 + 9 digits  |
 * | 0262, 0263; 0692, 0693; 07092| La Réunion                                  | +262 + 9 digits  |
 * | 0269; 0639; 07093 5-7        | Mayotte                                     | +262 + 9 digits  |
 * | 0508                         | Saint-Pierre-et-Miquelon                    | +508 + 6 digits  |
 *
 * The overseas VoIP ranges (0939x, 0947x, 0976x) are left as +33: the ranges of the territories
 * overlap in the published metadata, and the same numbers are valid French VoIP numbers.
 * New Caledonia (+687), French Polynesia (+689) and Wallis-et-Futuna (+681) have plans of their own
 * (6 or 8 digits, no trunk 0): their numbers are only recognised when written with the calling code.
 */

interface OverseasPrefix {
  /** The start of the national significant number (the digits after the trunk 0). */
  readonly prefix: string
  readonly callingCode: string
  /** How many leading digits of the national number the calling code replaces (0 keeps them all). */
  readonly drop: number
}

const prefixes = (callingCode: string, list: ReadonlyArray<string>, drop = 0): OverseasPrefix[] =>
  list.map((prefix) => ({ prefix, callingCode, drop }))

const OVERSEAS: ReadonlyArray<OverseasPrefix> = [
  ...prefixes("590", ["590", "690", "691", "7090"]),
  ...prefixes("596", ["596", "696", "697", "7091"]),
  ...prefixes("594", ["594", "694", "70930", "70931", "70932", "70933"]),
  ...prefixes("262", ["262", "263", "692", "693", "7092"]),
  ...prefixes("262", ["269", "639", "70935", "70936", "70937"]),
  // Saint-Pierre-et-Miquelon's own numbers are 6 digits: 05 08 41 23 45 is +508 41 23 45.
  ...prefixes("508", ["508"], 3)
]

/**
 * The E.164 form of a French national significant number (9 digits, without the trunk 0) that
 * belongs to an overseas territory, or undefined for a number of metropolitan France.
 */
export const overseasE164 = (nationalNumber: string): string | undefined => {
  if (nationalNumber.length !== 9) return undefined
  for (const { prefix, callingCode, drop } of OVERSEAS) {
    if (nationalNumber.startsWith(prefix)) return `+${callingCode}${nationalNumber.slice(drop)}`
  }
  return undefined
}
