/**
 * The pages a run collected for a company's website, parsed: the crawl's static pages, with the
 * browser-rendered version in place of a page headless.collect rendered (and the pages only the
 * rendering revealed). Steps that read pages (parse.html, enrich.*) open one reader per run.
 */
import { existsSync } from "node:fs"
import { CRAWL_PAGES, HEADLESS_PAGES, PageStore, type StoredPage, siteOf, websiteHost } from "../web/PageStore.ts"
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

export class SitePagesReader {
  readonly #crawl: PageStore | undefined
  readonly #headless: PageStore | undefined
  /** Pages parsed, for the step's figures. */
  pagesParsed = 0

  private constructor(crawl: PageStore | undefined, headless: PageStore | undefined) {
    this.#crawl = crawl
    this.#headless = headless
  }

  /**
   * Opens the page stores this run's collectors wrote (`written`: the outputs recorded upstream), so
   * a store an earlier run left in the folder (a headless.sqlite from a run with a browser) is never
   * read. None: every site reads as having no pages.
   */
  static open(path: (relative: string) => string, written: ReadonlyArray<string>): SitePagesReader {
    const store = (relative: string) =>
      written.includes(relative) && existsSync(path(relative)) ? PageStore.read(path(relative)) : undefined
    return new SitePagesReader(store(CRAWL_PAGES), store(HEADLESS_PAGES))
  }

  get hasPages(): boolean {
    return this.#crawl !== undefined
  }

  /** The stored pages of a record's website: static pages, rendered ones in their place when there are. */
  storedPagesOf(website: unknown): StoredPage[] {
    const site = siteOf(website)
    if (site === undefined || this.#crawl === undefined) return []
    if (isSharedHost(new URL(site.home).hostname)) return []
    const crawled = this.#crawl.pagesOf(site.key).filter((page) => page.status < 400)
    const rendered = this.#headless?.pagesOf(site.key).filter((page) => page.status < 400) ?? []
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

  /** A record's website as extractors take it: its domain and its pages, parsed. */
  sitePagesOf(record: { readonly website?: unknown; readonly crawl_home_url?: unknown }): SitePages {
    const stored = this.storedPagesOf(record.website)
    this.pagesParsed += stored.length
    return {
      domain: siteDomain(typeof record.crawl_home_url === "string" ? record.crawl_home_url : null, record.website),
      pages: stored.map(parseStoredPage)
    }
  }

  close(): void {
    this.#crawl?.close()
    this.#headless?.close()
  }
}
