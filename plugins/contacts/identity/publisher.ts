/**
 * The legal entity or person publishing the site, where the notice names it after a label:
 * "Raison sociale : SARL A PLUS C", "Dénomination : …", "Éditeur : …", "Le site … est édité par
 * X, SAS au capital…", "Ce site est la propriété de X", "Propriétaire : X – SARL …", "Nom de
 * l'association : X". A label alone on its line names the next line ("Raison sociale" ⏎ "TFLM"),
 * and so does a heading ("Éditeur du site" ⏎ "EI Dany Provence Herbes, immatriculée…").
 * Best effort: the first name after the strongest label wins.
 */
import { fold } from "./fold.ts"

export interface PublisherHit {
  readonly value: string
  /** Higher for labels that name the legal entity itself (raison sociale) than the role (éditeur). */
  readonly strength: number
  readonly start: number
  /** The name was on the next line. */
  readonly nextLine: boolean
}

const LABELS: ReadonlyArray<readonly [RegExp, number]> = [
  [
    /\b(raison sociale|denomination( sociale)?|nom de (l.entreprise|la societe|l.association|la structure))( de l.entreprise)?\s*:?\s*/g,
    3
  ],
  [/\b(est|sont) (edite|editee|publie|publiee)s? par\s*:?\s*(la societe |l.entreprise |l.association )?/g, 2],
  [/\b(est la propriete de|appartient a)\s*:?\s*(la societe |l.entreprise |l.association )?/g, 2],
  [
    /\b(editeur|editrice)( du site( internet| web)?)?\s*(\([^)]*\)\s*)?:\s*(la societe |l.entreprise |l.association )?/g,
    1
  ],
  [/\b(proprietaire( et editeur)?( du site( internet| web)?)?|entreprise individuelle)\s*:?\s*/g, 1]
]

/** Where a name ends: a comma, a dash between spaces, a bracket, or the start of its description. */
const NAME_END =
  /\s*(,|;|\(|\s[-–—|·]\s|\.\s|\n|\s(au capital|immatricule|dont le|situe|sise?|domicilie|inscrit|representee?|ayant|sous le|siege|siret|siren|rcs|tel|email|e-mail|adresse)\b)/i

const PLACEHOLDER = /\[|\]|<|>|a completer|xxx|\{\{|votre |nom de (l.entreprise|la societe)/i

/** The name at `at` in `text` (the folded copy finds where its description starts), or null. */
const nameAt = (text: string, folded: string, at: number): string | null => {
  const rest = text.slice(at, at + 120)
  const end = NAME_END.exec(folded.slice(at, at + 120))
  const name = (end === null ? rest : rest.slice(0, end.index))
    .replace(/^\s*(nom( et pr[ée]nom)?|pr[ée]nom et nom)\s*:\s*/i, "")
    .trim()
    .replace(/[.:]+$/, "")
  // A name starts with a capital, a digit or a quote; anything else is a sentence going on.
  if (name.length < 2 || name.length > 80 || PLACEHOLDER.test(name) || !/^[\p{Lu}\d«"'“]/u.test(name)) return null
  // "Le présent site", "Ce site internet": the sentence is about the site, not its publisher.
  if (/\b(site|present|presente|internet|page)\b/.test(fold(name))) return null
  return name
}

export const scanPublisher = (text: string, folded: string, nextLine: string | undefined): PublisherHit[] => {
  const hits: PublisherHit[] = []
  for (const [pattern, strength] of LABELS) {
    for (const match of folded.matchAll(pattern)) {
      const at = match.index + match[0].length
      if (at >= text.length - 1 && nextLine !== undefined && nextLine.length <= 80) {
        const name = nameAt(nextLine, fold(nextLine), 0)
        if (name !== null) hits.push({ value: name, strength, start: match.index, nextLine: true })
        continue
      }
      const name = nameAt(text, folded, at)
      if (name !== null) hits.push({ value: name, strength, start: match.index, nextLine: false })
    }
  }
  return hits
}

/** A heading over the publisher's details: "Éditeur du site", "1. Édition du site", "Propriétaire". */
const PUBLISHER_HEADING =
  /^(\d+[.)-]?\s*)?(editeur|editrice|edition|proprietaire)( et (editeur|directeur)\w*)?( du site( internet| web)?)?\s*:?$/

/** How much a heading says about the first line under it: less than a label on the line itself. */
const HEADING_STRENGTH = 0.5

/** The name on the first line under a publisher heading, when the line starts with one. */
export const publisherUnderHeading = (text: string, folded: string, heading: string): PublisherHit | null => {
  if (!PUBLISHER_HEADING.test(fold(heading).trim()) || /^[^:]{0,30}:/.test(text)) return null
  const name = nameAt(text, folded, 0)
  return name === null ? null : { value: name, strength: HEADING_STRENGTH, start: 0, nextLine: false }
}
