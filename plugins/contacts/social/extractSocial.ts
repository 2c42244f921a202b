/**
 * The social profiles a site links as its own: from its links (hrefs), and from `sameAs` in its
 * JSON-LD and microdata. Share and click-to-chat links, bare platform addresses, placeholders,
 * the platforms' own pages and embeds are left out (exclusions.ts); the host's, the agency's and
 * the template author's profiles are kept apart as third parties.
 */
import type { Found, PagePart, ParsedPage, SitePages, ThirdParty } from "../../parse/ParsedPage.ts"
import { compact, creditedParty, type PartyCues, type PartyName, partyCues, partyNames } from "../identity/parties.ts"
import { exclusionOf } from "./exclusions.ts"
import { normalizeSocialUrl, withScheme } from "./normalizeSocialUrl.ts"
import { PLATFORM_ORDER, platformOfHost, type SocialPlatform } from "./platforms.ts"

export { normalizeSocialUrl } from "./normalizeSocialUrl.ts"
export type { SocialPlatform } from "./platforms.ts"

export interface SocialFound extends Found {
  readonly platform: SocialPlatform
  /**
   * A LinkedIn company page (/company/, /school/, /showcase/), not a person's profile (/in/,
   * /pub/). False on other platforms, where the address does not tell a page from a person.
   */
  readonly companyPage: boolean
}

/** How sure a link is the company's own, by where it stands. */
const CONFIDENCE_BY_PART: Readonly<Record<PagePart, number>> = {
  header: 0.9,
  footer: 0.9,
  nav: 0.9,
  contact: 0.9,
  aside: 0.85,
  main: 0.85,
  legal: 0.85,
  form: 0.5,
  host: 0.2,
  credits: 0.2
}
const SAME_AS_CONFIDENCE = 0.95

/** A person's profile rather than the company's page. */
const PERSONAL_FACTOR = 0.9

type PageLink = ParsedPage["links"][number]

interface Occurrence {
  readonly found: SocialFound
  readonly key: string
  /** The third party is named (credit phrase, agency name), not only implied by the page part. */
  readonly namedParty: boolean
}

const isCompanyPage = (platform: SocialPlatform, url: URL): boolean =>
  platform === "linkedin" && /^\/(company|school|showcase)\/[^/]/i.test(url.pathname)

/** A social profile link, or null when the href is not one (or is one of the excluded kinds). */
const socialLink = (href: string): { url: URL; platform: SocialPlatform } | null => {
  const written = href.trim()
  let url: URL
  try {
    url = new URL(withScheme(written))
  } catch {
    return null
  }
  if (!/^https?:$/.test(url.protocol)) return null
  // Old "facebook.com/#!/acme" links: the page is in the fragment.
  if (url.hash.startsWith("#!/")) url = new URL(`${url.origin}${url.hash.slice(2)}`)
  const platform = platformOfHost(url.hostname)
  if (platform === null) return null
  if (exclusionOf(url, platform.platform, written) !== null) return null
  return { url, platform: platform.platform }
}

/** The first path segment as a name to compare with the agency's ("instagram.com/Morslator" → "morslator"). */
const handleOf = (url: URL): string => compact(url.pathname.split("/").find((segment) => segment !== "") ?? "")

/**
 * Whose a link is: a credit before it on its line ("Réalisé par", "Theme by", "Hébergé par"), a
 * handle that is the name of the agency or host the site credits, or the page part (host,
 * credits). `named` says a credit or a name said so, not only the part.
 */
const partyOfLink = (
  page: ParsedPage,
  link: PageLink,
  url: URL,
  cues: PartyCues,
  names: ReadonlyArray<PartyName>
): { party: ThirdParty | null; named: boolean } => {
  const credited = creditedParty(page, link, cues)
  if (credited !== undefined && credited !== null) return { party: credited, named: true }
  const handle = handleOf(url)
  const byName = names.find((name) => name.compact === handle)
  if (byName !== undefined) return { party: byName.party, named: true }
  if (link.part === "host") return { party: "host", named: false }
  if (link.part === "credits") return { party: "agency", named: false }
  return { party: null, named: false }
}

const fromLinks = (page: ParsedPage, cues: PartyCues, names: ReadonlyArray<PartyName>): Occurrence[] => {
  const found: Occurrence[] = []
  for (const link of page.links) {
    if (link.part === "form") continue
    const social = socialLink(link.href)
    if (social === null) continue
    const { party, named } = partyOfLink(page, link, social.url, cues, names)
    const companyPage = isCompanyPage(social.platform, social.url)
    const personal = social.platform === "linkedin" && !companyPage
    found.push({
      key: normalizeSocialUrl(link.href),
      namedParty: named,
      found: {
        value: link.href.trim(),
        platform: social.platform,
        companyPage,
        url: page.url,
        part: link.part,
        via: "href",
        confidence: CONFIDENCE_BY_PART[link.part] * (personal ? PERSONAL_FACTOR : 1),
        thirdParty: party,
        fetchedAt: page.fetchedAt
      }
    })
  }
  return found
}

/** Keys of JSON-LD objects that describe someone else than the site's owner (the theme's author…). */
const OTHERS = new Set(["author", "creator", "contributor", "funder", "sponsor", "copyrightHolder", "provider"])

const sameAsIn = (node: unknown, depth = 0): string[] => {
  if (depth > 4 || typeof node !== "object" || node === null) return []
  if (Array.isArray(node)) return node.flatMap((member) => sameAsIn(member, depth + 1))
  const record = node as Record<string, unknown>
  const own = record.sameAs
  const values = typeof own === "string" ? [own] : Array.isArray(own) ? own.filter((v) => typeof v === "string") : []
  return [
    ...values,
    ...Object.entries(record)
      .filter(([key]) => key !== "sameAs" && !OTHERS.has(key))
      .flatMap(([, member]) => sameAsIn(member, depth + 1))
  ]
}

const fromStructuredData = (page: ParsedPage): Occurrence[] => {
  const found: Occurrence[] = []
  const add = (href: string, via: string, part: PagePart) => {
    const social = socialLink(href)
    if (social === null) return
    found.push({
      key: normalizeSocialUrl(href),
      namedParty: false,
      found: {
        value: href.trim(),
        platform: social.platform,
        companyPage: isCompanyPage(social.platform, social.url),
        url: page.url,
        part,
        via,
        confidence: SAME_AS_CONFIDENCE,
        thirdParty: null,
        fetchedAt: page.fetchedAt
      }
    })
  }
  for (const object of page.jsonLd) for (const href of sameAsIn(object)) add(href, "jsonld", "main")
  for (const item of page.microdata) for (const href of item.props.sameAs ?? []) add(href, "microdata", item.part)
  return found
}

const platformRank = (platform: SocialPlatform): number => {
  const index = PLATFORM_ORDER.indexOf(platform)
  return index < 0 ? PLATFORM_ORDER.length : index
}

/**
 * One result per profile (by normalised URL). A profile a credit names as the agency's is the
 * agency's wherever else it appears; one the site also shows as its own outside the host and
 * credits parts is its own (a credits bar often repeats the company's icons).
 */
const merge = (occurrences: ReadonlyArray<Occurrence>): SocialFound[] => {
  const byKey = new Map<string, Occurrence[]>()
  for (const occurrence of occurrences) {
    const list = byKey.get(occurrence.key)
    if (list === undefined) byKey.set(occurrence.key, [occurrence])
    else list.push(occurrence)
  }
  const merged: SocialFound[] = []
  for (const list of byKey.values()) {
    const named = list.find((occurrence) => occurrence.namedParty)
    const own = list.filter((occurrence) => occurrence.found.thirdParty === null)
    const chosen = named ?? own.sort((a, b) => b.found.confidence - a.found.confidence)[0] ?? list[0]!
    merged.push(chosen.found)
  }
  return merged.sort(
    (a, b) =>
      Number(a.thirdParty !== null) - Number(b.thirdParty !== null) ||
      platformRank(a.platform) - platformRank(b.platform) ||
      a.platform.localeCompare(b.platform) ||
      Number(b.companyPage) - Number(a.companyPage) ||
      normalizeSocialUrl(a.value).localeCompare(normalizeSocialUrl(b.value))
  )
}

export const extractSocial = (site: SitePages): SocialFound[] => {
  const names = partyNames(site)
  const cues = partyCues(names)
  const occurrences: Occurrence[] = []
  for (const page of site.pages) {
    occurrences.push(...fromLinks(page, cues, names), ...fromStructuredData(page))
  }
  return merge(occurrences)
}
