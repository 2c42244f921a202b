/**
 * Whose a number is. Legal notices name up to three parties: the publisher (the site's own
 * company), the host and the agency or template author. The host's and the agency's registration
 * numbers are printed in the same notation as the publisher's, so each number is attributed by
 * where it stands: the page part the parser gave it (`host`, `credits`), the heading above it
 * ("Hébergement"), a line that introduces the next ones ("Ce site est hébergé chez Scaleway :"),
 * or a party named earlier in its own sentence ("OVH Groupe SA, immatriculée au RCS de Lille…").
 */
import type { PagePart, ParsedPage, SitePages, ThirdParty } from "../../parse/ParsedPage.ts"
import { fold } from "./fold.ts"

/** Hosting companies that French legal notices name most often (folded, as whole words). */
const HOST_NAMES =
  /\b(ovh\s?cloud|ovh|scaleway|online sas|ionos|1\s?&\s?1|o2\s?switch|hostinger|github|netlify|vercel|amen|gandi|lws|ligne web services|planethoster|infomaniak|cloudflare|wix(\.com)?|squarespace|shopify|webflow|siteground|godaddy|heroku|alwaysdata|ikoula|nuxit|jimdo|amazon web services|digitalocean|hetzner|kinsta|webnode|e-monsite|phpnet|hostpapa)\b/g

/**
 * SIRENs of French hosts whose registration block is pasted into countless legal notices: a
 * number of theirs is never a site's own, whatever stands around it.
 */
export const KNOWN_HOST_SIRENS: ReadonlySet<string> = new Set([
  "424761419", // OVH SAS, RCS Lille Métropole
  "537407926", // OVH Groupe SA, RCS Lille
  "433115904", // Scaleway SAS (ex Online SAS), RCS Paris
  "421527797", // Amen SASU, RCS Paris
  "431303775", // IONOS SARL (ex 1&1), RCS Sarreguemines
  "423093459", // Gandi SAS, RCS Paris
  "510909807", // o2switch SARL, RCS Clermont-Ferrand
  "851993683" // LWS (Ligne Web Services) SAS, RCS Paris
])

/**
 * "hébergeur", "hébergé par/chez", "hébergement :" (and the frequent misspelling "herbergé"),
 * "hosted by". A bare "hébergement" is not enough: gîtes and campings offer "hébergement".
 */
const HOST_PHRASE =
  /\b(h(e|er)bergeurs?|h(e|er)berge(e|es|s)? (par|chez|sur)|h(e|er)bergement( du site| web| du site internet)?\s*:|hosted by|web ?host)/g

/**
 * The agency or author of the site: "réalisé par", "conception :", "webmaster". Bare words that
 * also name trades ("conception de cuisines", "réalisation de travaux") only count followed by ":"
 * or "par".
 */
const AGENCY_PHRASE =
  /\b((conception|realisation|creation|design|developpement)( graphique| technique| du site| de ce site| web| et realisation| & realisation)*\s*(:|par\b|by\b)|(site|site web|site internet) (realise|cree|concu|developpe|propulse) par|(realisee?|creee?|concue?|developpee?|designed|created|made|built|powered|propulse) (par|by)|webmaster|agence web)/g

/** The template or theme the site is built on: "Theme by", "Thème : Astra", "template HTML5 UP". */
const TEMPLATE_PHRASE = /\b(theme|template)s?\s*(:|by\b|par\b|(wordpress|html|bootstrap|gratuit|free)\b)/g

/** The publisher: "édité par", "éditeur", "propriétaire", "raison sociale". */
const OWN_PHRASE =
  /\b(edite par|editeur|editrice|edition du site|proprietaire|raison sociale|denomination|exploite par|exploitant|nom de l.association|directeu?r(ice)? de (la )?publication)\b/g

/** A name of someone else than the publisher: its compact folded form and whose it is. */
export interface PartyName {
  readonly compact: string
  readonly party: ThirdParty
}

/** Letters and digits of the folded text, nothing else ("Web et Go" → "webetgo"). */
export const compact = (text: string): string => fold(text).replace(/[^a-z0-9]/g, "")

/** Registrable-ish label of a host name: "www.fittingbox.fr" → "fittingbox". */
const domainLabel = (host: string): string => {
  const labels = host
    .toLowerCase()
    .replace(/^www\d?\./, "")
    .split(".")
  return labels.length >= 2 ? labels[labels.length - 2]! : (labels[0] ?? "")
}

/** Sites that credits and host sections link to without being a party (regulators, platforms). */
const NOT_A_PARTY =
  /^(google|facebook|instagram|linkedin|twitter|youtube|tiktok|pinterest|github|gitlab|cnil|legifrance|gouv|service-public|economie|wikipedia|unsplash|pexels|fontawesome|w3|mozilla|apple|microsoft)$/

const GENERIC_WORDS =
  /^(site|sites|siteweb|mentions|mentionslegales|accueil|contact|home|http|https|www|lien|ici|cliquez|plus)$/

/** A link text that credits someone: "Réalisation FittingBox", "Site créé par X", "Theme by Y". */
const CREDIT_TEXT =
  /^[>»\s-]*(site |web |internet )*(realise[e]? (par|avec)|realisation\b|concue? par|conception\b|creee? par|creation\b|developpee? par|design(ed)? by|made by|powered by|propulse par|webmaster\b|agence web\b|(theme|template)s?\b)\s*:?\s*/

const creditOf = (text: string): { party: ThirdParty; name: string } | null => {
  const folded = fold(text)
  const match = CREDIT_TEXT.exec(folded)
  if (match === null) return null
  return { party: /theme|template/.test(match[0]) ? "template" : "agency", name: text.slice(match[0].length) }
}

const isWebUrl = (url: string | null): url is string => url !== null && /^https?:/i.test(url)

type PageLink = ParsedPage["links"][number]

/**
 * Whose a link is by what credits it: its own text ("Réalisation FittingBox") or the sentence
 * before it on its line ("Site réalisé par <a>", "Theme by <a>", "Hébergé par <a>"). Undefined
 * when nothing says; null when the publisher is named last.
 */
export const creditedParty = (page: ParsedPage, link: PageLink, cues: PartyCues): ThirdParty | null | undefined => {
  const credit = creditOf(link.text)
  if (credit !== null) return credit.party
  // Only a link whose text stands in its line can be placed in it: an icon link (no text) may
  // have been met before its line began, and the line it is filed under may be the next one.
  const block = page.blocks[link.block]
  const at = block === undefined || link.text === "" ? -1 : block.text.indexOf(link.text)
  if (at < 0) return undefined
  const before = fold(block!.text.slice(0, at))
  return nearestParty(before.slice(sentenceStart(before, before.length)), cues)
}

/**
 * Names of the host and of the agency or template author as the site's links give them: links in
 * the host and credits parts, and links to other sites that a credit introduces ("Réalisation
 * FittingBox", "Conception : <a>Morslator</a>"), give their text and their domain's name. The
 * site's own domain is never one.
 */
export const partyNames = (site: SitePages): PartyName[] => {
  const own = site.domain === null ? null : domainLabel(site.domain)
  const names = new Map<string, ThirdParty>()
  const add = (name: string, party: ThirdParty) => {
    if (name.length < 4 || name.length > 40 || name === own || GENERIC_WORDS.test(name) || NOT_A_PARTY.test(name)) {
      return
    }
    if (!names.has(name)) names.set(name, party)
  }
  for (const page of site.pages) {
    for (const link of page.links) {
      const web = isWebUrl(link.url)
      if (!web && link.part !== "host" && link.part !== "credits") continue
      const credited = creditedParty(page, link, BASE_CUES)
      const party: ThirdParty | null | undefined =
        link.part === "host" ? "host" : link.part === "credits" ? (credited ?? "agency") : credited
      if (party === null || party === undefined) continue
      if (web) {
        try {
          add(domainLabel(new URL(link.url!).hostname), party)
        } catch {
          // An unparsable URL names no one.
        }
      }
      const name = creditOf(link.text)?.name ?? link.text
      if (!/^(https?:|www\.)/i.test(name)) add(compact(name), party)
    }
  }
  return [...names].map(([name, party]) => ({ compact: name, party }))
}

interface Cue {
  readonly party: ThirdParty | null
  readonly end: number
}

/** A party name as a pattern on folded text, letters possibly apart ("FittingBox", "Fitting Box"). */
export const namePattern = (name: PartyName): RegExp =>
  new RegExp(`\\b${[...name.compact].join("[^a-z0-9]{0,2}")}\\b`, "g")

/** Cues of the site's third parties: the usual phrases and hosts, and the names its links give. */
export interface PartyCues {
  readonly patterns: ReadonlyArray<readonly [RegExp, ThirdParty | null]>
}

export const partyCues = (names: ReadonlyArray<PartyName>): PartyCues => ({
  patterns: [
    [OWN_PHRASE, null],
    [TEMPLATE_PHRASE, "template"],
    [AGENCY_PHRASE, "agency"],
    [HOST_NAMES, "host"],
    [HOST_PHRASE, "host"],
    ...names.map((name) => [namePattern(name), name.party] as const)
  ]
})

/** The phrases and the usual hosts, without any site's names. */
const BASE_CUES: PartyCues = partyCues([])

/** Where a sentence or a list item starts: a party named before it speaks for another value. */
const BOUNDARY = /(?:[.!?;](?:\s|$)|\n|\s[|·•—]\s)/g

/** How far back a party named in the same sentence still speaks for a value. */
const SENTENCE_REACH = 220

/** Where the sentence holding `position` starts. */
export const sentenceStart = (folded: string, position: number): number => {
  const from = Math.max(0, position - SENTENCE_REACH)
  let start = from
  BOUNDARY.lastIndex = from
  for (let match = BOUNDARY.exec(folded); match !== null && match.index < position; match = BOUNDARY.exec(folded)) {
    // "R.C.S." and "S.A." are abbreviations, not sentence ends: a boundary needs a space after a dot
    // that follows a word of two letters or more.
    if (match[0].startsWith(".") && /(^|[\s.])\w$/.test(folded.slice(Math.max(0, match.index - 2), match.index))) {
      continue
    }
    start = match.index + match[0].length
  }
  return start
}

/** The party the last cue in `folded` names: null for the publisher, undefined when there is none. */
export const nearestParty = (folded: string, cues: PartyCues): ThirdParty | null | undefined => {
  let best: Cue | undefined
  for (const [pattern, party] of cues.patterns) {
    for (const match of folded.matchAll(pattern)) {
      const end = match.index + match[0].length
      // On a tie (a name inside a phrase) the third party wins over the publisher.
      if (best === undefined || end > best.end || (end === best.end && party !== null)) best = { party, end }
    }
  }
  return best?.party
}

/** Parts where a heading or an introducing line can speak for the lines that follow. */
const BODY_PARTS: ReadonlySet<PagePart> = new Set(["legal", "main", "aside"])

/** A heading that names the host: "Hébergement", "Hébergeur", "Hébergement du site" (not "Nos hébergements"). */
const HOST_HEADING = /\b(h(e|er)berg(eur|ement|e par|e chez)|hosting|host)\b/

/** A heading that names the site's maker, all of it: "Crédits", "Conception et réalisation du site". */
const AGENCY_HEADING =
  /^((article|section)?\s*\d*\s*[-–.):]?\s*)(credits?( photos?)?|webmaster|(conception|realisation|creation|developpement|design)( (du|de ce) site( internet| web)?| web| graphique| et (realisation|developpement|design))*)\s*:?$/

const headingParty = (heading: string | null): ThirdParty | null | undefined => {
  if (heading === null) return undefined
  const folded = fold(heading).trim()
  const host = HOST_HEADING.test(folded)
  const own = /\b(edit|proprietaire|identification)/.test(folded)
  // "Éditeur et hébergeur" speaks for both: it attributes nothing.
  if (host && own) return undefined
  if (host) return "host"
  if (own) return null
  if (AGENCY_HEADING.test(folded)) return "agency"
  return undefined
}

/** A copyright line ("© 2024 Acme – SIRET …") is the publisher's, whatever heading came last. */
/** Tested on the text as written (no folding: it runs on every line). */
const COPYRIGHT = /^\s*(©|\(c\)|copyright)|tous droits r[ée]serv[ée]s|all rights reserved/i

/** A line that introduces the following lines as someone else's ("Hébergeur :", "Site réalisé par :"). */
const introducedParty = (text: string): ThirdParty | null | undefined => {
  if (text.length > 120) return undefined
  const folded = fold(text)
  // The publisher's label, or a copyright line, ends what a host or agency line introduced.
  if (/\b(edite par|editeur|editrice|proprietaire|exploite par)\b|^\s*(©|\(c\)|copyright)/.test(folded)) return null
  const alone = /^\s*(h(e|er)berg\w*|realisation|conception|credits?|webmaster)( du site| web)?\s*:?\s*$/.exec(folded)
  if (alone !== null) return alone[1]!.startsWith("h") ? "host" : "agency"
  const hostNamed = folded.search(HOST_NAMES) >= 0 && folded.trimEnd().endsWith(":")
  if (hostNamed || folded.search(HOST_PHRASE) >= 0) return "host"
  if (folded.search(AGENCY_PHRASE) >= 0) return "agency"
  return undefined
}

/** How many lines an introducing line speaks for at most ("Hébergeur :" name, address, number, phone). */
const INTRODUCED_LINES = 6

/**
 * Whose each block of `page` is, as far as its part, its heading and the lines before it tell:
 * a third party, or null (the publisher's, or nobody's in particular).
 */
export const blockParties = (page: ParsedPage): Array<ThirdParty | null> => {
  const parties: Array<ThirdParty | null> = []
  let carried: { party: ThirdParty | null; heading: string | null; part: PagePart; left: number } | undefined
  for (const block of page.blocks) {
    let party: ThirdParty | null = null
    // A copyright line names its holder, the publisher, whatever part the parser saw it in; a
    // credit inside it ("© Acme – réalisé par X, SIRET …") is found by the sentence's own cues.
    if (COPYRIGHT.test(block.text)) party = null
    else if (block.part === "host") party = "host"
    else if (block.part === "credits") party = fold(block.text).search(TEMPLATE_PHRASE) >= 0 ? "template" : "agency"
    else if (BODY_PARTS.has(block.part)) {
      const carries =
        carried !== undefined && carried.left > 0 && carried.heading === block.heading && carried.part === block.part
      party = carries ? carried!.party : (headingParty(block.heading) ?? null)
    }
    if (carried !== undefined) carried.left--
    const introduced = BODY_PARTS.has(block.part) ? introducedParty(block.text) : undefined
    if (introduced !== undefined) {
      carried = { party: introduced, heading: block.heading, part: block.part, left: INTRODUCED_LINES }
    }
    parties.push(party)
  }
  return parties
}
