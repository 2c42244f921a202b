/**
 * Whose an address is, from where it stands: the page part the parser gave it (`host`, `credits`)
 * and the label just before it on its line ("Hébergeur :", "Réalisation :", "Médiateur :"). French
 * legal notices list the publisher, the host, the agency and the consumer mediator one after the
 * other, so the nearest label before an address names its owner.
 */
import type { PagePart, ThirdParty } from "../../parse/ParsedPage.ts"

const fold = (text: string): string =>
  text
    .toLowerCase()
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")

type Owner = ThirdParty | "own"

/**
 * Labels, folded (no accents, lower case). Each names a role in a legal notice or a footer credit.
 * Words that also describe a business itself ("conception de cuisines", "graphiste freelance",
 * "agence web à Lyon", "médiatrice familiale", "avocat au barreau") only count in label form:
 * followed by ":", "par" or "by".
 */
const anyOf = (...alternatives: ReadonlyArray<string>): RegExp => new RegExp(`\\b(?:${alternatives.join("|")})`, "g")

const LABELS: ReadonlyArray<readonly [Owner, RegExp]> = [
  [
    "host",
    anyOf(
      "hebergeur",
      "heberge(?:e|es|s)? (?:par|chez)",
      "hebergement(?: du site| web)?\\s*:",
      "hosting",
      "hosted by",
      "web ?host"
    )
  ],
  [
    "template",
    anyOf(
      "(?:template|theme|modele)s?(?: \\w+)?\\s*(?::|par\\b|by\\b)",
      "html5up",
      "templated",
      "colorlib",
      "themeforest",
      "startbootstrap"
    )
  ],
  [
    "agency",
    anyOf(
      // "Conception et réalisation :", "Design by", "Développement du site par"
      "(?:conception|realisation|creation|design|developpement|integration|maintenance)(?: graphique| technique| du site| de ce site| web| et (?:realisation|developpement|design)| & realisation)*\\s*(?::|par\\b|by\\b)",
      // "Site réalisé par", "propulsé par", "made by"
      "(?:realise|cree|concu|developpe|designed|created|made|built|propulse|motorise) (?:par|by)\\b",
      // Roles as labels: "Webmaster :", "Crédits photos :"
      "(?:createur|webmaster|webdesign(?:er)?|web ?designer|developpeur|integrateur|infographiste|graphiste|photographe|photographies?|credits?(?: photos?)?)\\s*:"
    )
  ],
  // Public bodies (CNIL, DGCCRF) are named in GDPR boilerplate right before the company's own
  // address ("saisir la CNIL ou nous écrire à …"): their addresses are caught by domain instead.
  ["other", anyOf("mediat(?:eur|rice|ion) (?:de la |a la )?consommation", "mediateur\\s*:", "assureur\\s*:")],
  // The publisher's labels; words any company has ("siège", "gérant") say nothing about whose it is.
  [
    "own",
    anyOf(
      "editeur",
      "edite par",
      "edition",
      "proprietaire",
      "exploitant",
      "(?:responsable|directeu\\w*|direction) (?:de (?:la )?)?publication"
    )
  ]
]

/** The owner the nearest label names in `before` (the text just before an address on its line), if any. */
export const ownerOfLabel = (before: string): Owner | null => {
  // Only the current sentence speaks for the address: "Réalisation : X. Contact : contact@acme.fr".
  const sentence =
    fold(before.slice(-120))
      .split(/[.!?;](?:\s|$)/)
      .pop() ?? ""
  let nearest: { owner: Owner; at: number } | null = null
  for (const [owner, pattern] of LABELS) {
    for (const match of sentence.matchAll(pattern)) {
      if (nearest === null || match.index >= nearest.at) nearest = { owner, at: match.index }
    }
  }
  return nearest?.owner ?? null
}

/** The owner a page part implies: the host's and the agency's sections speak for someone else. */
export const ownerOfPart = (part: PagePart, heading: string | null): ThirdParty | null => {
  if (part === "host") return "host"
  if (part !== "credits") return null
  return heading !== null && /\b(template|theme|modele)s?\b/.test(fold(heading)) ? "template" : "agency"
}

/**
 * Headings that open a section about someone else: the consumer mediator. (A "CNIL" or "Données
 * personnelles" heading is followed by the company's own address for GDPR requests.)
 */
export const ownerOfHeading = (heading: string | null): ThirdParty | null =>
  heading !== null && /\bmediat(eur|rice|ion) (de la |a la )?consommation/.test(fold(heading)) ? "other" : null

/** Where an address stands: the part and heading of its block, and its line before it. */
export interface Context {
  readonly part: PagePart
  readonly heading: string | null
  readonly before: string
}

/**
 * The owner of an address from its context, or null for the site's own. The nearest label on its
 * line wins over the part ("… l'édition est assurée par X, x@…" inside a section the parser took
 * for the host's), then the part, then a consumer-mediator heading.
 */
export const ownerOfContext = (context: Context): ThirdParty | null => {
  const label = ownerOfLabel(context.before)
  if (label === "own") return null
  return label ?? ownerOfPart(context.part, context.heading) ?? ownerOfHeading(context.heading)
}
