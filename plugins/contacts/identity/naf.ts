/**
 * The APE (NAF) code of the company: "Code NAF 8121Z", "NAF (APE) : 7111Z", "APE 70.22Z",
 * normalised to the INSEE form "70.22Z".
 */

export interface NafHit {
  readonly value: string
  readonly start: number
}

const NAF = /\b(?:naf|ape)\b[^\d\n]{0,25}?(\d{2})[.\s]?(\d{2})\s?([A-Za-z])\b/gi

export const scanNaf = (text: string): NafHit[] =>
  [...text.matchAll(NAF)].map((match) => ({
    value: `${match[1]}.${match[2]}${match[3]!.toUpperCase()}`,
    start: match.index + match[0].length - 1
  }))
