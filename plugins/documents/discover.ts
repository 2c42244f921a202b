/**
 * Which feeds and documents a site offers, read from the pages the crawl kept: feeds announced in
 * the head (`<link rel="alternate" type="application/rss+xml">`, Atom, JSON Feed) or linked by a
 * feed-looking path, and PDF files linked from the pages, ranked by what they are likely to hold
 * (legal notice and terms of sale first: they carry the SIREN, the RCS and a contact address).
 */
import { classifyLink, decodeEntities, extractLinks, type PageKind, sameSite } from "../web/Links.ts"
import type { StoredPage } from "../web/PageStore.ts"

export interface DocumentTarget {
  readonly url: string
  /** What the link says the document is: legal, terms, contact, about, team, or document. */
  readonly kind: PageKind
  /** The link text it was found by (empty for a head `<link>`). */
  readonly text: string
}

const LINK_TAG = /<link\b[^>]*>/gi
const ATTRIBUTE = (name: string) => new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, "i")
const REL = ATTRIBUTE("rel")
const TYPE = ATTRIBUTE("type")
const HREF = ATTRIBUTE("href")
const FEED_TYPES = /^application\/(rss\+xml|atom\+xml|feed\+json|json)$/i
/** Paths feeds are published at by the usual CMSs (WordPress /feed/, Ghost /rss/, static site generators). */
const FEED_PATH = /(^|\/)(feed|rss|atom)(\/|\.xml|\.json)?$|\.(rss|atom)$|(^|\/)(feed|rss|atom|index)\.xml$/i
const PDF_PATH = /\.pdf$/i

const attribute = (tag: string, pattern: RegExp) => {
  const match = pattern.exec(tag)
  return match ? decodeEntities((match[1] ?? match[2] ?? match[3] ?? "").trim()) : undefined
}

/** Rank of a document kind: what is most likely to name the company and a way to reach it first. */
const RANK: Readonly<Partial<Record<PageKind, number>>> = { legal: 0, terms: 1, contact: 2, about: 3, team: 4 }

const resolve = (href: string, base: string): string | undefined => {
  try {
    const url = new URL(href, base)
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined
    url.hash = ""
    return url.href
  } catch {
    return undefined
  }
}

/** The feeds of a site, from its pages' heads and links, same site only, at most `limit`. */
export const feedTargets = (pages: ReadonlyArray<StoredPage>, homeUrl: string, limit: number): DocumentTarget[] => {
  const found = new Map<string, DocumentTarget>()
  for (const page of pages) {
    for (const match of page.html.matchAll(LINK_TAG)) {
      const tag = match[0]
      const rel = attribute(tag, REL)?.toLowerCase().split(/\s+/) ?? []
      const type = attribute(tag, TYPE) ?? ""
      const href = attribute(tag, HREF)
      if (!rel.includes("alternate") || !FEED_TYPES.test(type) || href === undefined) continue
      const url = resolve(href, page.finalUrl)
      if (url !== undefined && sameSite(url, homeUrl) && !found.has(url))
        found.set(url, { url, kind: "feed", text: "" })
    }
    for (const link of extractLinks(page.html, page.finalUrl)) {
      let path: string
      try {
        path = new URL(link.url).pathname
      } catch {
        continue
      }
      if (FEED_PATH.test(path) && sameSite(link.url, homeUrl) && !found.has(link.url)) {
        found.set(link.url, { url: link.url, kind: "feed", text: link.text })
      }
    }
  }
  return [...found.values()].slice(0, limit)
}

/** The PDF documents linked from a site's pages, same site only, most telling first, at most `limit`. */
export const pdfTargets = (pages: ReadonlyArray<StoredPage>, homeUrl: string, limit: number): DocumentTarget[] => {
  const found = new Map<string, DocumentTarget>()
  for (const page of pages) {
    for (const link of extractLinks(page.html, page.finalUrl)) {
      let path: string
      try {
        path = decodeURIComponent(new URL(link.url).pathname)
      } catch {
        continue
      }
      if (!PDF_PATH.test(path) || !sameSite(link.url, homeUrl) || found.has(link.url)) continue
      // The crawl's own rules tell a terms-of-sale PDF from a brochure, on the path without its extension.
      const kind = classifyLink({ url: link.url.replace(/\.pdf(\?|$)/i, "$1"), text: link.text })?.kind ?? "document"
      found.set(link.url, { url: link.url, kind, text: link.text })
    }
  }
  return [...found.values()].sort((a, b) => (RANK[a.kind] ?? 9) - (RANK[b.kind] ?? 9)).slice(0, limit)
}
