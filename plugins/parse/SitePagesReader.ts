/**
 * The pages a run collected for a company's website, parsed: the crawl's static pages, with the
 * browser-rendered version in place of a page headless.collect rendered (and the pages only the
 * rendering revealed). Steps that read pages (parse.html, enrich.*) open one reader per run.
 */
import { existsSync } from "node:fs"
import { feedAsHtml, readFeed } from "../documents/feedPage.ts"
import {
  CRAWL_PAGES,
  FEED_PAGES,
  HEADLESS_PAGES,
  PageStore,
  PDF_TEXT_PAGES,
  type StoredPage,
  siteOf,
  websiteHost
} from "../web/PageStore.ts"
import type { ParsedPage, SitePages } from "./ParsedPage.ts"
import { parseHtml } from "./parseHtml.ts"
import { isSharedHost } from "./sharedHosts.ts"

/** A site's own domain for email checks: its host without `www.`. */
export const siteDomain = (homeUrl: string | null | undefined, website: unknown): string | null => {
  const from = (value: string) => {
    try {
      return new URL(value).hostname.toLowerCase().replace(/^www\./, "")
    } catch {
      return null
    }
  }
  if (typeof homeUrl === "string" && homeUrl !== "") return from(homeUrl)
  return websiteHost(website)
}

export const parseStoredPage = (page: StoredPage): ParsedPage =>
  parseHtml(page.html, { url: page.finalUrl, kind: page.kind, fetchedAt: page.fetchedAt })

/** A feed as served, as a page the extractors read (undefined when it is no feed). */
const feedPage = (page: StoredPage): StoredPage | undefined => {
  const feed = readFeed(page.html)
  return feed === undefined ? undefined : { ...page, html: feedAsHtml(feed) }
}

interface Stores {
  readonly crawl?: PageStore | undefined
  readonly headless?: PageStore | undefined
  /** Feeds feeds.collect kept, read as pages. */
  readonly feeds?: PageStore | undefined
  /** The text of the PDFs parse.pdf read, as pages. */
  readonly pdfText?: PageStore | undefined
}

export class SitePagesReader {
  readonly #crawl: PageStore | undefined
  readonly #headless: PageStore | undefined
  readonly #feeds: PageStore | undefined
  readonly #pdfText: PageStore | undefined
  /** Pages parsed, for the step's figures. */
  pagesParsed = 0

  private constructor(stores: Stores) {
    this.#crawl = stores.crawl
    this.#headless = stores.headless
    this.#feeds = stores.feeds
    this.#pdfText = stores.pdfText
  }

  /**
   * Opens the page stores this run's collectors wrote (`written`: the outputs recorded upstream), so
   * a store an earlier run left in the folder (a headless.sqlite from a run with a browser) is never
   * read. None: every site reads as having no pages.
   */
  static open(path: (relative: string) => string, written: ReadonlyArray<string>): SitePagesReader {
    const store = (relative: string) =>
      written.includes(relative) && existsSync(path(relative)) ? PageStore.read(path(relative)) : undefined
    return new SitePagesReader({
      crawl: store(CRAWL_PAGES),
      headless: store(HEADLESS_PAGES),
      feeds: store(FEED_PAGES),
      pdfText: store(PDF_TEXT_PAGES)
    })
  }

  get hasPages(): boolean {
    return this.#crawl !== undefined
  }

  /** The key of a record's own website when this run crawled (shared hosts are nobody's own site). */
  #siteKey(website: unknown): string | undefined {
    const site = siteOf(website)
    if (site === undefined || this.#crawl === undefined) return undefined
    return isSharedHost(new URL(site.home).hostname) ? undefined : site.key
  }

  /** The stored pages of a record's website: static pages, rendered ones in their place when there are. */
  storedPagesOf(website: unknown): StoredPage[] {
    const key = this.#siteKey(website)
    if (key === undefined || this.#crawl === undefined) return []
    const crawled = this.#crawl.pagesOf(key).filter((page) => page.status < 400)
    const rendered = this.#headless?.pagesOf(key).filter((page) => page.status < 400) ?? []
    if (rendered.length === 0) return crawled
    const byUrl = new Map(rendered.map((page) => [page.url, page]))
    const pages = crawled.map((page) => {
      const better = byUrl.get(page.url) ?? byUrl.get(page.finalUrl)
      if (better !== undefined) {
        byUrl.delete(better.url)
        return better
      }
      return page
    })
    return [...pages, ...byUrl.values()]
  }

  /** The documents of a record's website that read as pages: its feeds and the text of its PDFs. */
  documentPagesOf(website: unknown): StoredPage[] {
    const key = this.#siteKey(website)
    if (key === undefined) return []
    const feeds = (this.#feeds?.pagesOf(key) ?? []).flatMap((page) => feedPage(page) ?? [])
    return [...feeds, ...(this.#pdfText?.pagesOf(key) ?? [])]
  }

  /** A record's website as extractors take it: its domain and its pages (documents included), parsed. */
  sitePagesOf(record: { readonly website?: unknown; readonly crawl_home_url?: unknown }): SitePages {
    const stored = [...this.storedPagesOf(record.website), ...this.documentPagesOf(record.website)]
    this.pagesParsed += stored.length
    return {
      domain: siteDomain(typeof record.crawl_home_url === "string" ? record.crawl_home_url : null, record.website),
      pages: stored.map(parseStoredPage)
    }
  }

  close(): void {
    this.#crawl?.close()
    this.#headless?.close()
    this.#feeds?.close()
    this.#pdfText?.close()
  }
}
