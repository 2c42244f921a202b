/**
 * French intra-community VAT numbers: "FR" + a two-character key + the SIREN, written "FR 12
 * 345678901", "FR12 345 678 901", "FR12345678901". The key of a number issued from a SIREN is
 * (12 + 3 × (SIREN mod 97)) mod 97; a key that does not match is kept and flagged (a typo, or the
 * VAT number of another company than the SIREN's).
 */

export interface VatHit {
  /** "FR" + 11 characters, separators removed. */
  readonly value: string
  readonly asWritten: string
  readonly siren: string
  readonly keyConsistent: boolean | null
  readonly start: number
  readonly end: number
}

/**
 * "FR", not glued to a word, a dot or a slash before it (a domain "acme.fr", a path), then the key
 * and nine digits, with no further digit after (an IBAN "FR76 3000 4000 …" or an EORI number
 * "FR12345678900012" goes on).
 */
const VAT =
  /(?<![\p{L}\d.@/_-])FR[ \u00a0.-]?([0-9A-HJ-NP-Z]{2})[ \u00a0.-]?(\d(?:[ \u00a0.]?\d){8})(?![ \u00a0.]?\d)/gu

/** The key a VAT number issued from `siren` has. */
export const vatKey = (siren: string): number => (12 + 3 * (Number(siren) % 97)) % 97

export const scanVat = (text: string): VatHit[] => {
  const hits: VatHit[] = []
  for (const match of text.matchAll(VAT)) {
    const key = match[1]!
    const siren = match[2]!.replace(/\D/g, "")
    hits.push({
      value: `FR${key}${siren}`,
      asWritten: match[0],
      siren,
      keyConsistent: /^\d\d$/.test(key) ? Number(key) === vatKey(siren) : null,
      start: match.index,
      end: match.index + match[0].length
    })
  }
  return hits
}
