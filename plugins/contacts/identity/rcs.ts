/**
 * Trade-register mentions: "RCS Lyon 491 618 369", "RCS Paris B 123 456 789", "immatriculée au RCS
 * de Lyon sous le numéro …", "Registre du Commerce et des Sociétés de Évry sous le numéro …",
 * "322 927 146 R.C.S. Saint-Etienne", "Greffe : RCS Dijon" (no number). The city is the registry
 * (the greffe); the number, when given, is the SIREN the registration is under.
 */
import type { NumberHit } from "./registration.ts"

export interface RcsHit {
  readonly city: string
  readonly number: string | null
  readonly start: number
}

/** The register's name, on folded text. */
const REGISTER = /\b(r\.?\s?c\.?\s?s\b\.?|registre du commerce( et des societes)?)\s*(de |d'|d’|du )?/g

/** A capitalised word of a city name: "Lille", "Saint-Étienne", "SAINT-ETIENNE", "Évry". */
const CITY_WORD = "[A-ZÀ-ÖØ-Þ][\\p{L}'’]*(?:-[\\p{L}'’]+)*"
const CITY = new RegExp(`^:?\\s*(${CITY_WORD}(?:\\s(?:(?:sur|sous|en|le|la|les|de|du|d'|l')\\s)?${CITY_WORD})*)`, "u")

/** Capitalised words that follow a city without being part of it. */
const NOT_CITY =
  /^(B|A|N°|No|Numéro|Numero|Société|Societe|SIREN|SIRET|TVA|Capital|Immatriculée|Immatriculation|Siège|Sous|Le|La|Les|Au|Sa|Sas|Sarl|Code|NAF|APE|RM)$/i

const cityAt = (text: string, at: number): { city: string; end: number } | null => {
  const match = CITY.exec(text.slice(at, at + 60))
  if (match === null) return null
  const words = match[1]!.split(/\s+/)
  const kept: string[] = []
  for (const word of words) {
    if (NOT_CITY.test(word) || word.length === 1) break
    kept.push(word)
  }
  while (kept.length > 0 && /^(sur|sous|en|le|la|les|de|du|d'|l')$/i.test(kept[kept.length - 1]!)) kept.pop()
  if (kept.length === 0) return null
  const city = kept.join(" ")
  return { city, end: at + match[0].indexOf(kept[0]!) + city.length }
}

/** How far after the city (or before the register's name) its number may stand. */
const NUMBER_REACH = 40

export const scanRcs = (text: string, folded: string, numbers: ReadonlyArray<NumberHit>): RcsHit[] => {
  const hits: RcsHit[] = []
  for (const match of folded.matchAll(REGISTER)) {
    const after = match.index + match[0].length
    const city = cityAt(text, after)
    const from = city?.end ?? after
    const following = numbers.find((hit) => hit.start >= from && hit.start - from <= NUMBER_REACH)
    // "322 927 146 R.C.S. SAINT-ETIENNE": the number before the register's name.
    const preceding = numbers.find((hit) => hit.end <= match.index && match.index - hit.end <= 4)
    const number = following ?? preceding
    if (city === null) continue
    hits.push({ city: city.city, number: number === undefined ? null : number.digits.slice(0, 9), start: match.index })
  }
  return hits
}
