/**
 * Which part of a page an element, heading or labelled line introduces. French legal notices name
 * the publisher, the host and the agency in sections of their own ("Hébergeur", "Conception du
 * site"), either under headings or as a label at the start of a line; what follows such a label
 * belongs to that party until the next label or heading.
 */
import type { PagePart } from "./ParsedPage.ts"

const TAG_PARTS: Readonly<Record<string, PagePart>> = {
  footer: "footer",
  header: "header",
  nav: "nav",
  aside: "aside",
  form: "form"
}

export const partOfTag = (tag: string): PagePart | undefined => TAG_PARTS[tag]

/** class/id words that name a part (`site-footer`, `contact-info`, `mentions_legales`, `credits`). */
const TOKEN_PARTS: ReadonlyArray<readonly [RegExp, PagePart]> = [
  [/^(hebergeur|hebergement|hosting|host)$/, "host"],
  [/^(credits?|realisation|conception|webdesign)$/, "credits"],
  [/^(mentions|legal|legales?|mentionslegales|imprint|impressum)$/, "legal"],
  [/^(footer|pied|bottom|colophon)$/, "footer"],
  [/^(contact|contacts|coordonnees|adresse|address|vcard)$/, "contact"],
  [/^(nav|navbar|navigation|menu)$/, "nav"],
  [/^(sidebar|aside)$/, "aside"],
  [/^(header|masthead|topbar)$/, "header"]
]

/** Sites repeat the same few class lists on every element: answers are cached (bounded). */
const classParts = new Map<string, PagePart | null>()

export const partOfClass = (classAndId: string): PagePart | undefined => {
  if (classAndId === "") return undefined
  const known = classParts.get(classAndId)
  if (known !== undefined) return known ?? undefined
  const part = classPart(classAndId)
  if (classParts.size > 10_000) classParts.clear()
  classParts.set(classAndId, part ?? null)
  return part
}

const classPart = (classAndId: string): PagePart | undefined => {
  const words = classAndId
    .toLowerCase()
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .split(/[^a-z]+/)
  for (const [pattern, part] of TOKEN_PARTS) {
    if (words.some((word) => pattern.test(word))) return part
  }
  return undefined
}

const NON_ASCII = /[^\u0020-\u007e]/

/** Lower case without accents; runs on every line, so plain-ASCII lines skip the Unicode work. */
const fold = (text: string) => {
  const lower = text.toLowerCase()
  return NON_ASCII.test(lower) ? lower.normalize("NFD").replace(/[\u0300-\u036f]/g, "") : lower
}

/** Phrases that introduce the host (hébergeur), the agency or author (conception), the publisher, contacts. */
const HOST = /\b(h[ea]r?berge(ur|ment|e)?s?|hosting|hosted by|hebergee? (par|chez)|web ?host)\b/
/** "Nos hébergements", "Notre hébergement": a gîte's or hotel's lodging, not a web host. */
const LODGING = /\b(nos|notre|vos|votre|les) h[ea]r?bergements?\b|\bhebergements\b/
const CREDITS =
  /\b(conception|realisation|realise par|cree par|creation (du|de ce) site|site (realise|cree|concu)|developpe(ment)? (du site|par)|webdesign|web design|design(ed)? by|made by|webmaster|credits?( photos?)?|agence web|theme|template)\b/
/** Labels that name the publisher: they end a host or agency part. */
const PUBLISHER =
  /\b(mentions legales|informations legales|legal notice|editeur|edition du site|editor|publisher|proprietaire du site|directeu?r(ice)? (de (la )?)?publication|responsable (de (la )?)?publication)\b/
/** Field labels of a legal notice ("Raison sociale", "Siège social") that describe the host as often as the publisher. */
const LEGAL_FIELD = /\b(identification|siege social|raison sociale|denomination)\b/
const CONTACT = /\b(contact(ez)?(-nous)?|coordonnees|nous (joindre|trouver|ecrire)|get in touch|reach us)\b/

/** The part a heading opens, if it names one. */
export const partOfHeading = (text: string): PagePart | undefined => {
  const folded = fold(text)
  if (HOST.test(folded) && !LODGING.test(folded)) return "host"
  if (CREDITS.test(folded)) return "credits"
  if (PUBLISHER.test(folded) || LEGAL_FIELD.test(folded)) return "legal"
  if (CONTACT.test(folded)) return "contact"
  return undefined
}

/** What may precede a label: numbering ("2.", "II -", "Article 3 :") and an article ("Le", "Notre"). */
const LABEL_PREFIX = String.raw`(?:(?:article\s+)?(?:\d+|[ivx]+)\s*[.)\-–:]?\s*)?(?:(?:le|la|les|l'|notre|nos)\s+)?`
const anchored = (pattern: RegExp) => new RegExp(`^${LABEL_PREFIX}(?:${pattern.source})`)
const HOST_LABEL = anchored(HOST)
const CREDITS_LABEL = anchored(CREDITS)
const PUBLISHER_LABEL = anchored(PUBLISHER)
const LEGAL_FIELD_LABEL = anchored(LEGAL_FIELD)
/** "(Ce) site réalisé par …", "Ce site est hébergé chez … :": a credit or host line that names the party. */
const BY_LINE =
  /^(?:(?:ce|le|notre)\s+)?(?:site(?: internet| web)?\s+)?(?:(?:est|a ete)\s+)?(h[ea]r?berge|realise|concu|cree|developpe|design)e?s?\b.{0,40}\b(par|by|chez)\b/
/**
 * Whether the party a labelled line names runs on through the next lines: "Hébergeur :" followed by
 * the host's address does, and so does "Site réalisé par Pixel" with Pixel's details below; a credit
 * that holds its own contact details on the line ("Site réalisé par Pixel – 04 …") does not.
 */
export const labelRunsOn = (line: string): boolean =>
  !BY_LINE.test(fold(line.slice(0, 60)).trimStart()) || !/@|\d[\d\s.]{5,}/.test(line)

/** A numbered line or an "Article N" line starts another section of the notice. */
const SECTION_LINE = /^(article\s+\d+|\d+\s*[.)\-–]\s+\S|[ivx]+\s*[.)\-–]\s+\S)/

/**
 * The part a line opens when it starts with a label ("Hébergeur : OVH", "Site réalisé par …",
 * "Éditeur du site :"): the label must open the line, so a sentence merely mentioning hosting, or a
 * business calling itself an "agence web", does not change the part. Without a colon, only a few
 * words ("Hébergeur", "Conception et réalisation") or a "… par" line count. `current` is the part
 * the line is in. `null`: the line starts another numbered section, which ends a label's run.
 */
export const partOfLabel = (line: string, current?: PagePart): PagePart | null | undefined => {
  const head = fold(line.slice(0, 60)).trimStart()
  const colon = head.indexOf(":")
  const label = colon >= 0 ? head.slice(0, colon) : head.split("\n")[0]!
  const by = BY_LINE.exec(head)
  if (by !== null) return by[1]!.endsWith("erberge") || by[1] === "heberge" ? "host" : "credits"
  if (colon < 0) {
    if (line.length > 60 || label.trim().split(/\s+/).length > 4) {
      return SECTION_LINE.test(head) && line.length < 100 ? null : undefined
    }
  } else if (label.length > 48) return undefined
  if (HOST_LABEL.test(label)) return "host"
  if (CREDITS_LABEL.test(label)) return "credits"
  if (PUBLISHER_LABEL.test(label)) return "legal"
  // Inside the host's or agency's lines, "Raison sociale : OVH" still describes them.
  if (LEGAL_FIELD_LABEL.test(label)) return current === "host" || current === "credits" ? undefined : "legal"
  return SECTION_LINE.test(head) && line.length < 100 ? null : undefined
}
