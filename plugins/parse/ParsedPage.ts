/**
 * A company page as the extractors see it: what a reader sees (visible text in blocks, each tagged
 * with the part of the page it sits in), the links with their text, and the machine-readable data
 * (JSON-LD, microdata). Markup, scripts, comments and attributes a reader never sees (placeholders,
 * `value`, `title`) are gone, so a value found here is shown to a visitor (content hidden until a
 * click, such as a modal, counts as shown);
 * values only in `mailto:`/`tel:` hrefs stay reachable through `links`.
 */

/**
 * Where on the page a block or link sits. `legal` is the legal-notice text about the publisher;
 * `host` and `credits` are the parts naming the web host and the agency or template author (what
 * they say belongs to someone else); `form` is inside a form (labels, not values).
 */
export type PagePart =
  | "main"
  | "header"
  | "nav"
  | "footer"
  | "aside"
  | "contact"
  | "legal"
  | "host"
  | "credits"
  | "form"

export const PAGE_PARTS: ReadonlyArray<PagePart> = [
  "main",
  "header",
  "nav",
  "footer",
  "aside",
  "contact",
  "legal",
  "host",
  "credits",
  "form"
]

/** A line of visible text: block elements and `<br>` end one (a value cut by a `<br>` spans two blocks). */
export interface TextBlock {
  /** Whitespace collapsed (newlines kept for `<br>`), entities decoded, Cloudflare-protected emails decoded. */
  readonly text: string
  readonly part: PagePart
  /** The nearest heading above the block (h1-h6 text), for labels such as "Hébergeur". */
  readonly heading: string | null
}

export interface PageLink {
  /** The href as written (entities decoded, trimmed), e.g. `mailto:contact@acme.fr`, `tel:+33…`, `/contact`. */
  readonly href: string
  /** The href resolved against the page URL (absolute), or null when it cannot be (templates, `javascript:`). */
  readonly url: string | null
  /** The link's visible text (collapsed), or its image's alt text when it has none. */
  readonly text: string
  readonly part: PagePart
  /** Index of the block the link's text is in (or the block being built when it was met). */
  readonly block: number
}

/** A microdata item (`itemscope`): its type and its properties' values (content/href/src or text). */
export interface MicrodataItem {
  readonly type: string | null
  readonly props: Readonly<Record<string, ReadonlyArray<string>>>
  readonly part: PagePart
}

export interface ParsedPage {
  /** The page's URL (for files of a corpus, a `file:` URL). */
  readonly url: string
  /** What the crawl took the page for (home, contact, legal, about, team, terms), when known. */
  readonly kind: string | null
  /** When the page was fetched (ms since epoch), when known: the provenance time of its values. */
  readonly fetchedAt: number | null
  readonly title: string
  /** `<html lang>`, lower-cased, when given. */
  readonly lang: string | null
  /** `<link rel=canonical>` or `og:url`, when given. */
  readonly canonical: string | null
  readonly blocks: ReadonlyArray<TextBlock>
  readonly links: ReadonlyArray<PageLink>
  /** JSON-LD objects, `@graph` members and arrays flattened (nested objects stay nested). */
  readonly jsonLd: ReadonlyArray<Readonly<Record<string, unknown>>>
  readonly microdata: ReadonlyArray<MicrodataItem>
}

/** Who a value belongs to, when it is not the company's own. */
export type ThirdParty = "host" | "agency" | "platform" | "template" | "other"

/** A value an extractor found, with where it was found and how sure it is. */
export interface Found<V = string> {
  readonly value: V
  /** The page it was found on. */
  readonly url: string
  readonly part: PagePart
  /** How it was found: `mailto`, `text`, `tel`, `jsonld`, `microdata`, `cfemail`, `href`, `obfuscated`… */
  readonly via: string
  /** 0-1: how sure the extractor is that the value is the company's own and correct. */
  readonly confidence: number
  /** Set when the value belongs to someone else (the host, the agency…): kept apart, never exported as the site's own. */
  readonly thirdParty: ThirdParty | null
  /** When the page was fetched (ms since epoch), when known. */
  readonly fetchedAt: number | null
}

/** The pages of one site and what is known of it, as extractors receive them. */
export interface SitePages {
  /** The site's own registrable domain (e.g. `acme.fr`), when known: emails on it are the site's. */
  readonly domain: string | null
  readonly pages: ReadonlyArray<ParsedPage>
}
