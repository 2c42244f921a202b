/**
 * The label a number is given: the nearest known label before it in the same clause (or on the
 * line before, for "SIREN" in one table cell and the number in the next), or a registry named
 * right after it ("322 927 146 R.C.S. Saint-Etienne"). Labels of other registers win when they are
 * nearer: the RPPS or ADELI number of a health professional, an association's RNA number, an
 * architect's order number, a services-à-la-personne number, a phone, an amount of capital…
 * All patterns run on folded text (see fold.ts).
 */

export type LabelKind =
  /** "SIREN", "N° SIREN", "Numéro SIREN". */
  | "siren"
  /** "SIRET", "N° SIRET", "SIRET du siège". */
  | "siret"
  /** A trade register: "RCS Lyon", "R.C.S.", "registre du commerce", "immatriculée", "N° d'immatriculation". */
  | "register"
  /** A legal form right before the number ("SARL 88353999100017"): weak, checked by Luhn. */
  | "legalForm"
  /** Another register or another kind of number: never a SIREN/SIRET. */
  | "other"

interface Label {
  readonly kind: LabelKind
  readonly end: number
}

const LABELS: ReadonlyArray<readonly [RegExp, LabelKind]> = [
  [/\bsiren\b/g, "siren"],
  [/\bsiret\b/g, "siret"],
  [/\br\.?\s?c\.?\s?s\b\.?|registre du commerce|\bimmatricul\w*|\brepertoire des metiers\b|\bgreffe\b/g, "register"],
  // Health professionals (ADELI 9 digits, RPPS 11), associations (RNA), insurance intermediaries
  // (ORIAS), architects, services à la personne, health establishments (FINESS), training bodies.
  [
    /\b(adeli|rpps|rna|orias|finess|ordre des architectes|architecte|inscription a l.ordre|services? a la personne|sap|nova|declaration d.activite|numero de declaration|agrement|carte professionnelle|cpi)\b/g,
    "other"
  ],
  [/\b(tel|telephone|phone|fax|portable|mobile|gsm|appelez|whatsapp)\b/g, "other"],
  [
    /\b(capital|iban|bic|rib|licence|license|cnil|eori|loi|decret|article|j\.?o\.?|journal officiel|page|dossier|police|contrat|assurance|code postal|cp|bp|cedex|tva|vat|n. de gestion)\b/g,
    "other"
  ]
]

const LEGAL_FORM =
  /\b(sarl|sas|sasu|eurl|sa|sci|snc|scop|scm|selarl|selas|eirl|ei|micro-entreprise|auto-entrepreneur)\s*[-–—:]?\s*$/

/** The nearest label in `window` (folded text ending right before the number), or null. */
export const nearestLabel = (window: string): LabelKind | null => {
  let best: Label | null = null
  for (const [pattern, kind] of LABELS) {
    pattern.lastIndex = 0
    for (const match of window.matchAll(pattern)) {
      const end = match.index + match[0].length
      if (best === null || end > best.end) best = { kind, end }
    }
  }
  // A legal form right before the number stands nearer than any label before it: it speaks unless
  // a SIREN, SIRET or register label already does ("RCS Paris — Acme SARL 552 100 554").
  if ((best === null || best.kind === "other") && LEGAL_FORM.test(window)) return "legalForm"
  return best?.kind ?? null
}

/** A register named right after the number: "433 115 904 RCS Paris", "123 456 789 (SIREN)". */
export const labelAfter = (after: string): LabelKind | null => {
  const match = /^[\s,()–—-]{0,4}(r\.?\s?c\.?\s?s\b|siren\b|siret\b|registre du commerce)/.exec(after)
  if (match === null) return null
  const word = match[1]!
  return word.startsWith("siren") ? "siren" : word.startsWith("siret") ? "siret" : "register"
}
