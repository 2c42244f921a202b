/**
 * Finding the pages that carry contacts and legal identity, from a page's links: the link text and
 * the URL path, in French and English. A regular-expression scan, not a DOM parse: it runs on every
 * crawled page and only needs anchors, so it stays fast and never builds a tree.
 */

export type PageKind = "home" | "contact" | "legal" | "terms" | "about" | "team" | "feed" | "document"

/** The kinds of a site's HTML pages, which the crawl looks for (feeds and documents are fetched by their own steps). */
export type SitePageKind = Exclude<PageKind, "feed" | "document">

/** The kinds worth fetching beyond the home page. */
export type WantedKind = Exclude<SitePageKind, "home">

/** Kinds worth fetching beyond the home page, in the order they matter for a B2B contact dataset. */
export const WANTED_KINDS: ReadonlyArray<WantedKind> = ["contact", "legal", "about", "team", "terms"]

export interface Link {
  readonly url: string
  readonly text: string
}

/** Evidence per kind: path patterns (on the decoded, lower-cased path) and link-text patterns. */
const RULES: ReadonlyArray<{ readonly kind: WantedKind; readonly path: RegExp; readonly text: RegExp }> = [
  {
    kind: "legal",
    path: /mentions[-_]?l[eé]gales|mention[-_]?legale|informations?[-_]l[eé]gales|legal[-_]?notice|\/legal\b|impressum|imprint/,
    text: /mentions?\s+l[ée]gales|informations?\s+l[ée]gales|legal\s+(notice|information)|\blegal\b|imprint|impressum/
  },
  {
    kind: "contact",
    path: /contact|nous[-_]?(joindre|trouver|[ée]crire)|coordonn[ée]es|acces|plan[-_]d[-_]?acces|find[-_]us|reach[-_]us/,
    text: /contact|nous\s+(joindre|trouver|[ée]crire)|coordonn[ée]es|acc[èe]s|find\s+us|get\s+in\s+touch|reach\s+us/
  },
  {
    kind: "about",
    path: /a[-_]?propos|qui[-_]?sommes[-_]?nous|notre[-_](soci[ée]t[ée]|histoire|entreprise|cabinet|agence)|about|l[-_]?entreprise|presentation|histoire|company\b/,
    text: /[àa]\s+propos|qui\s+sommes[-\s]nous|notre\s+(soci[ée]t[ée]|histoire|entreprise|cabinet|agence)|about|l['’]entreprise|pr[ée]sentation|histoire|our\s+(company|story)/
  },
  {
    kind: "team",
    path: /[ée]quipe|team|collaborateurs|associ[ée]s|dirigeants?|people|staff/,
    text: /[ée]quipe|team|collaborateurs|nos\s+associ[ée]s|dirigeants?|people|staff/
  },
  {
    kind: "terms",
    path: /\bcgv\b|cgu\b|conditions[-_]g[ée]n[ée]rales|terms|conditions[-_]of[-_]|tos\b/,
    text: /\bcgv\b|\bcgu\b|conditions\s+g[ée]n[ée]rales|terms|conditions\s+of\s+(sale|use)/
  }
]

/** Links that are never pages of the site: downloads, media, feeds, other schemes. */
const NOT_A_PAGE = /\.(pdf|jpe?g|png|gif|webp|svg|zip|docx?|xlsx?|pptx?|mp[34]|avi|mov|css|js|ico|xml|rss|json)(\?|$)/i

const ANCHOR = /<a\b([^>]*)>([\s\S]*?)<\/a\s*>/gi
const HREF = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i
const BASE = /<base\b[^>]*\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i
const TAGS = /<[^>]*>/g
const SPACES = /\s+/g
const OTHER_SCHEME = /^(mailto|tel|javascript|data|sms|callto):/i

const ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  eacute: "é",
  egrave: "è",
  ecirc: "ê",
  agrave: "à",
  acirc: "â",
  ccedil: "ç",
  ocirc: "ô",
  ucirc: "û",
  icirc: "î",
  rsquo: "’"
}

/** Decodes the HTML entities found in attribute values and link text. */
export const decodeEntities = (text: string): string =>
  // Most values have no entity at all: skip the regular-expression replace for them.
  !text.includes("&")
    ? text
    : text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
        if (name[0] === "#") {
          const code = name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1))
          return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : whole
        }
        return ENTITIES[name.toLowerCase()] ?? whole
      })

/** The http(s) links of a page, absolute, without fragments, with their visible text (or title/aria-label). */
export const extractLinks = (html: string, pageUrl: string): Link[] => {
  const baseMatch = BASE.exec(html)
  const baseHref = baseMatch ? decodeEntities(baseMatch[1] ?? baseMatch[2] ?? baseMatch[3] ?? "") : undefined
  let base: URL
  try {
    base = new URL(baseHref ?? pageUrl, pageUrl)
  } catch {
    base = new URL(pageUrl)
  }
  // Serialized once: every link of the page resolves against it.
  const resolveFrom = base.href
  const links: Link[] = []
  for (const match of html.matchAll(ANCHOR)) {
    const attributes = match[1] ?? ""
    const href = HREF.exec(attributes)
    const raw = href ? decodeEntities((href[1] ?? href[2] ?? href[3] ?? "").trim()) : ""
    if (raw === "" || raw.startsWith("#") || OTHER_SCHEME.test(raw)) continue
    const url = URL.parse(raw, resolveFrom)
    if (url === null || (url.protocol !== "http:" && url.protocol !== "https:")) continue
    if (url.hash !== "") url.hash = ""
    links.push({ url: url.href, text: linkText(match[2] ?? "", attributes) })
  }
  return links
}

/** A link's visible text, whitespace collapsed; else its title or aria-label. */
const linkText = (inner: string, attributes: string): string => {
  // Plain text is the usual case: no tag to strip, no entity to decode.
  const text = decodeEntities(inner.includes("<") ? inner.replace(TAGS, " ") : inner)
    .replace(SPACES, " ")
    .trim()
  return text || /\b(?:title|aria-label)\s*=\s*"([^"]*)"/i.exec(attributes)?.[1] || ""
}

/** The kind of page a link leads to, with a score (text and path agreeing score highest), or undefined. */
export const classifyLink = (link: Link): { readonly kind: WantedKind; readonly score: number } | undefined => {
  const url = URL.parse(link.url)
  return url === null ? undefined : classifyParsed(url, link.text)
}

const classifyParsed = (url: URL, label: string): { kind: WantedKind; score: number } | undefined => {
  if (NOT_A_PAGE.test(url.pathname)) return undefined
  let path: string
  try {
    path = decodeURIComponent(url.pathname).toLowerCase()
  } catch {
    return undefined
  }
  const text = label.toLowerCase()
  let best: { kind: WantedKind; score: number } | undefined
  for (const rule of RULES) {
    const score = (rule.text.test(text) ? 2 : 0) + (rule.path.test(path) ? 1 : 0)
    // Shorter paths win ties: /contact over /blog/2019/contactez-nous-pour-un-devis.
    const adjusted = score === 0 ? 0 : score - Math.min(0.5, path.length / 400)
    if (adjusted > 0 && (best === undefined || adjusted > best.score)) best = { kind: rule.kind, score: adjusted }
  }
  return best
}

/** Same site: the same host, or the same host with or without `www.`. */
export const sameSite = (a: string, b: string): boolean => {
  const first = URL.parse(a)
  const second = URL.parse(b)
  return first !== null && second !== null && siteHost(first) === siteHost(second)
}

/** A URL's host name without `www.` (URL already lower-cases host names). */
const siteHost = (url: URL): string => {
  const host = url.hostname
  return host.startsWith("www.") ? host.slice(4) : host
}

/**
 * The best link per wanted kind among `links` (same site only), skipping URLs already taken.
 * A URL serves one kind only (the first kind in WANTED_KINDS that claims it).
 */
export const pickPages = (
  links: ReadonlyArray<Link>,
  siteUrl: string,
  wanted: ReadonlyArray<WantedKind>,
  taken: ReadonlySet<string>
): Map<WantedKind, string> => {
  const best = new Map<WantedKind, { url: string; score: number }>()
  const site = URL.parse(siteUrl)
  if (site === null) return new Map()
  const host = siteHost(site)
  for (const link of links) {
    if (taken.has(link.url)) continue
    // One parse per link: it tells both the host (same site only) and the path (the kind).
    const url = URL.parse(link.url)
    if (url === null || siteHost(url) !== host) continue
    const found = classifyParsed(url, link.text)
    if (found === undefined || !wanted.includes(found.kind)) continue
    const current = best.get(found.kind)
    if (current === undefined || found.score > current.score)
      best.set(found.kind, { url: link.url, score: found.score })
  }
  const picked = new Map<WantedKind, string>()
  const used = new Set<string>()
  for (const kind of wanted) {
    const choice = best.get(kind)
    if (choice !== undefined && !used.has(choice.url)) {
      picked.set(kind, choice.url)
      used.add(choice.url)
    }
  }
  return picked
}

/** `<loc>` URLs of a sitemap (or the child sitemaps of a sitemap index). */
export const sitemapLocations = (xml: string): { readonly pages: string[]; readonly sitemaps: string[] } => {
  const pages: string[] = []
  const sitemaps: string[] = []
  const isIndex = /<sitemapindex\b/i.test(xml)
  for (const match of xml.matchAll(/<loc>\s*(?:<!\[CDATA\[)?([^<\]]+?)(?:\]\]>)?\s*<\/loc>/gi)) {
    const url = decodeEntities(match[1] ?? "").trim()
    if (url !== "") (isIndex ? sitemaps : pages).push(url)
  }
  return { pages, sitemaps }
}
