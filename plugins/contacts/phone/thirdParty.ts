/**
 * Whose number it is. French legal notices must name the web host with its address and phone
 * (LCEN art. 6), and many credit the agency that built the site: those numbers sit on the page
 * next to the company's own and belong to someone else.
 */
import type { PagePart, TextBlock, ThirdParty } from "../../parse/ParsedPage.ts"

/**
 * Phones of the hosts French small-business sites use most, as their own legal notices print
 * them. A backstop for notices whose host section the parser cannot tell apart (no heading, no
 * "Hébergeur :" label): the number alone says whose it is.
 */
const HOST_PHONES: ReadonlySet<string> = new Set([
  "+33972101007", // OVH / OVHcloud support
  "+33899701761", // OVH (premium rate, older notices)
  "+33970808911", // IONOS SARL (1&1)
  "+33444446040", // o2switch
  "+33184130000", // Scaleway (formerly Online SAS)
  "+33176604143", // PlanetHoster
  "+33177623003", // LWS (Ligne Web Services)
  "+33170377661", // Gandi
  "+18774484820", // GitHub Inc. (GitHub Pages)
  "+16503198930", // Cloudflare Inc.
  "+4926197920" // IONOS SE (Montabaur)
])

/**
 * Host names that, written before a number in the same block, make it the host's: "OVH SAS,
 * 2 rue Kellermann, 59100 Roubaix – Tél. 1007 / 09 72 10 10 07". Only names no company of the
 * register would share as a word.
 */
const HOST_NAME =
  /\b(ovh(?:cloud)?|ionos|1&1|o2switch|hostinger|gandi|scaleway|online sas|planet ?hoster|lws|ligne web services|infomaniak|amen|nuxit|ikoula|alwaysdata|hostpapa|strato|godaddy|siteground|bluehost|hetzner|netlify|vercel|github|cloudflare|wix\.com|squarespace|shopify|jimdo|webflow|webnode|amazon web services|google cloud)\b/i

const fold = (text: string): string =>
  text
    .toLowerCase()
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")

/**
 * "Hébergeur", "hébergé par/chez", "hébergement du site", "Hébergement :" (and the typo
 * "herbergé"), folded. Not a bare "hébergement": on a gîte's or a campsite's page it is lodging.
 */
const HOSTING = /\bher?berg(?:eur|ee? (?:par|chez|sur)|ement (?:du|de ce|web|internet)|ement\s*:)/
/**
 * Words that start the publisher's own details or a new subject: above them, a host named
 * earlier no longer speaks for the lines below.
 */
const NEW_PARTY =
  /\b(edit(e|eur|rice)?|proprietaire|publication|responsable|president|gerant|siege|contact|nous|notre|conception|realis\w*|copyright)\b|©/

/**
 * A line that opens with credits ("Site réalisé par Pixel – 04 78…", "Conception & réalisation :
 * …", "Webdesign by …"): a number later on the line is the agency's. Only the start of the line
 * counts, so "travaux réalisés par nos artisans" in a sentence does not.
 */
const CREDITS_LINE =
  /^[^a-z0-9]*(?:(?:(?:ce |le )?site (?:web |internet )?(?:a ete |est )?)?(?:realise|cree|concu|developpe|design(?:ed)?|made) (?:par|by)\b|(?:conception|realisation|webdesign|webmaster|credits?)\b)/

/** How many lines above a number a host's name may stand: name, address, phone, sometimes a SIREN line. */
const HOST_LINES_REACH = 5

/**
 * Whether the lines just above a number (under the same heading) name a host before anything
 * names the publisher: "Hébergeur : PlanetHoster / Adresse : … / Téléphone : …". This catches
 * host sections the page parts miss (a typo in "hébergé", a "Raison sociale :" line inside them).
 */
const hostAbove = (linesAbove: ReadonlyArray<string>): boolean => {
  for (const line of linesAbove.slice(-HOST_LINES_REACH).reverse()) {
    const folded = fold(line)
    if (HOST_NAME.test(folded) || HOSTING.test(folded)) return true
    if (NEW_PARTY.test(folded)) return false
  }
  return false
}

/** The lines above a block under the same heading, nearest last (at most a handful are read). */
export const linesAbove = (blocks: ReadonlyArray<TextBlock>, index: number): string[] => {
  const lines: string[] = []
  const heading = blocks[index]?.heading
  for (let above = index - 1; above >= 0 && lines.length < 8; above--) {
    const block = blocks[above]!
    if (block.heading !== heading) break
    lines.unshift(block.text)
  }
  return lines
}

/**
 * The owner of a number found in a part of a page, given the text before it in its line and the
 * lines above it under the same heading (nearest last).
 */
export const ownerOf = (
  e164: string,
  part: PagePart,
  textBefore: string,
  linesAbove: ReadonlyArray<string> = []
): ThirdParty | null => {
  if (HOST_PHONES.has(e164)) return "host"
  if (part === "host") return "host"
  if (part === "credits") return "agency"
  if (HOST_NAME.test(textBefore) || hostAbove(linesAbove)) return "host"
  if (CREDITS_LINE.test(fold(textBefore))) return "agency"
  return null
}
