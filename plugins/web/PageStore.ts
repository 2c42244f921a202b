/**
 * The pages a collector kept, in the run folder: one SQLite file per collector (`pages/crawl.sqlite`
 * for crawl.site, `pages/headless.sqlite` for headless.collect), so each step owns its output and a
 * resumed run never sees another step's writes in its own contract. Pages are written as they
 * arrive; a site counts as done once its row in `sites` is written, after its last page, and a
 * resumed run first drops the pages of sites that have no such row: the crawl state and the pages
 * never disagree, and a killed run resumes from the last finished site.
 *
 * SQLite rather than one file per page: thousands of small files cost more in syscalls than one
 * append-mostly database, and the pages stay queryable (`sqlite3 pages/crawl.sqlite`).
 */
import { Database, type Statement } from "bun:sqlite"
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import type { PageKind } from "./Links.ts"

export const CRAWL_PAGES = "pages/crawl.sqlite"
export const HEADLESS_PAGES = "pages/headless.sqlite"
/** Feeds (RSS, Atom, JSON Feed) that feeds.collect fetched, as served. */
export const FEED_PAGES = "pages/feeds.sqlite"
/** PDF documents that pdf.collect fetched, their bytes in `body`. */
export const PDF_PAGES = "pages/pdf.sqlite"
/** The text of those PDFs as parse.pdf read it, as simple HTML pages the extractors read like any other. */
export const PDF_TEXT_PAGES = "pages/pdf_text.sqlite"

export interface StoredPage {
  readonly url: string
  readonly finalUrl: string
  readonly kind: PageKind
  readonly depth: number
  readonly status: number
  readonly contentType: string | null
  readonly charset: string
  /** When the page was fetched from the site (or cached), ms since epoch: the provenance time. */
  readonly fetchedAt: number
  /** Static HTML lacks the content (JS-rendered): headless.collect should render it. */
  readonly needsBrowser: boolean
  readonly html: string
  /** The bytes of a document that is not text (a PDF); undefined for pages. */
  readonly body?: Uint8Array | undefined
}

export type SiteStatus = "ok" | "unreachable" | "robots" | "not_html" | "too_large" | "error"

export interface SiteOutcome {
  readonly site: string
  readonly status: SiteStatus
  /** Why, when not ok. */
  readonly detail: string | null
  readonly homeUrl: string | null
  readonly pages: number
}

interface SiteRow {
  site: string
  status: SiteStatus
  detail: string | null
  home_url: string | null
  pages: number
}

interface PageRow {
  url: string
  final_url: string
  kind: PageKind
  depth: number
  status: number
  content_type: string | null
  charset: string
  fetched_at: number
  needs_browser: number
  html: string
  body: Uint8Array | null
}

const storedPage = (row: Omit<PageRow, "html" | "body">, html: string, body?: Uint8Array | null): StoredPage => ({
  url: row.url,
  finalUrl: row.final_url,
  kind: row.kind,
  depth: row.depth,
  status: row.status,
  contentType: row.content_type,
  charset: row.charset,
  fetchedAt: row.fetched_at,
  needsBrowser: row.needs_browser === 1,
  html,
  ...(body ? { body } : {})
})

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sites (
  site TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  detail TEXT,
  home_url TEXT,
  pages INTEGER NOT NULL,
  finished_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS pages (
  site TEXT NOT NULL,
  url TEXT NOT NULL,
  final_url TEXT NOT NULL,
  kind TEXT NOT NULL,
  depth INTEGER NOT NULL,
  status INTEGER NOT NULL,
  content_type TEXT,
  charset TEXT NOT NULL,
  fetched_at INTEGER NOT NULL,
  needs_browser INTEGER NOT NULL,
  html TEXT NOT NULL,
  body BLOB,
  PRIMARY KEY (site, url)
);
`

/** Pages gathered before one write transaction: a few hundred kilobytes at most. */
const PENDING_PAGES = 32
const PENDING_SIZE = 1 << 20

export class PageStore {
  readonly #db: Database
  #closed = false
  #pending: Array<readonly [string, StoredPage]> = []
  #pendingSize = 0
  readonly #site: Statement<SiteRow, [string]>
  readonly #pagesOf: Statement<PageRow, [string]>
  readonly #putSite: Statement<unknown, [string, string, string | null, string | null, number, number]>
  readonly #putPage: Statement<
    unknown,
    [string, string, string, string, number, number, string | null, string, number, number, string, Uint8Array | null]
  >

  private constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true })
    this.#db = new Database(file, { create: true })
    this.#db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
    this.#db.exec(SCHEMA)
    // Stores written before documents were kept have no body column.
    const columns = this.#db.query<{ name: string }, []>("PRAGMA table_info(pages)").all()
    if (!columns.some((column) => column.name === "body")) this.#db.exec("ALTER TABLE pages ADD COLUMN body BLOB")
    this.#site = this.#db.query("SELECT site, status, detail, home_url, pages FROM sites WHERE site = ?")
    this.#pagesOf = this.#db.query(
      "SELECT url, final_url, kind, depth, status, content_type, charset, fetched_at, needs_browser, html, body FROM pages WHERE site = ? ORDER BY rowid"
    )
    this.#putSite = this.#db.query(
      "INSERT OR REPLACE INTO sites (site, status, detail, home_url, pages, finished_at) VALUES (?, ?, ?, ?, ?, ?)"
    )
    this.#putPage = this.#db.query(
      "INSERT OR REPLACE INTO pages (site, url, final_url, kind, depth, status, content_type, charset, fetched_at, needs_browser, html, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
  }

  /**
   * Opens the store of a run. A store left by another run (another run id), or by the same run with
   * other settings, is emptied first: crawl state carries over only to a resume of the same run with
   * the same settings; otherwise the sites (or the HTTP cache) are asked again.
   */
  static open(file: string, runId: string, settingsKey = ""): PageStore {
    const store = new PageStore(file)
    // The same run with other settings (max_pages, kinds...) would find other pages: start over.
    const owner = `${runId}\n${settingsKey}`
    const previous = store.#db.query<{ value: string }, []>("SELECT value FROM meta WHERE key = 'owner'").get()
    if (previous?.value !== owner) {
      store.#db.exec("DELETE FROM pages; DELETE FROM sites;")
      store.#db.query("INSERT OR REPLACE INTO meta (key, value) VALUES ('owner', ?)").run(owner)
    } else {
      // Resuming: pages of sites the killed run had not finished are fetched again (from the HTTP cache).
      store.#db.exec("DELETE FROM pages WHERE site NOT IN (SELECT site FROM sites)")
    }
    return store
  }

  /** Opens an existing store to read (another step's pages). */
  static read(file: string): PageStore {
    return new PageStore(file)
  }

  finished(site: string): SiteOutcome | undefined {
    const row = this.#site.get(site)
    return row === null
      ? undefined
      : { site: row.site, status: row.status, detail: row.detail, homeUrl: row.home_url, pages: row.pages }
  }

  /**
   * Keeps one page of a site being crawled, as soon as it arrives (so pages never pile up in memory: a
   * few are gathered and written in one transaction, which costs a quarter less than one each).
   * It counts only once its site is `finish`ed: a resumed run drops the pages of unfinished sites,
   * so pages still gathered when the process dies are lost to nothing.
   */
  addPage(site: string, page: StoredPage): void {
    this.#pending.push([site, page])
    this.#pendingSize += page.html.length + (page.body?.byteLength ?? 0)
    if (this.#pending.length >= PENDING_PAGES || this.#pendingSize >= PENDING_SIZE) this.#flush()
  }

  /** Records a finished site (with any last pages), atomically: from then on it counts as done. */
  finish(outcome: SiteOutcome, pages: ReadonlyArray<StoredPage> = []): void {
    this.#db.transaction(() => {
      this.#writePending()
      for (const page of pages) this.#insertPage(outcome.site, page)
      this.#putSite.run(outcome.site, outcome.status, outcome.detail, outcome.homeUrl, outcome.pages, Date.now())
    })()
  }

  #flush(): void {
    if (this.#pending.length > 0) this.#db.transaction(() => this.#writePending())()
  }

  #writePending(): void {
    const pending = this.#pending
    this.#pending = []
    this.#pendingSize = 0
    for (const [site, page] of pending) this.#insertPage(site, page)
  }

  #insertPage(site: string, page: StoredPage): void {
    this.#putPage.run(
      site,
      page.url,
      page.finalUrl,
      page.kind,
      page.depth,
      page.status,
      page.contentType,
      page.charset,
      page.fetchedAt,
      page.needsBrowser ? 1 : 0,
      page.html,
      page.body ?? null
    )
  }

  pagesOf(site: string): StoredPage[] {
    this.#flush()
    return this.#pagesOf.all(site).map((row) => storedPage(row, row.html, row.body))
  }

  /** The pages kept for a site, without their HTML (kinds and URLs only). */
  pageRefsOf(site: string): Array<Pick<StoredPage, "url" | "finalUrl" | "kind">> {
    this.#flush()
    return this.#db
      .query<{ url: string; final_url: string; kind: PageKind }, [string]>(
        "SELECT url, final_url, kind FROM pages WHERE site = ? ORDER BY rowid"
      )
      .all(site)
      .map((row) => ({ url: row.url, finalUrl: row.final_url, kind: row.kind }))
  }

  /** Every page flagged for a browser, site by site, without its static HTML (the browser fetches it). */
  *pagesNeedingBrowser(): Generator<{ readonly site: string; readonly page: StoredPage }> {
    this.#flush()
    const rows = this.#db
      .query<Omit<PageRow, "html" | "body"> & { site: string }, []>(
        "SELECT site, url, final_url, kind, depth, status, content_type, charset, fetched_at, needs_browser FROM pages WHERE needs_browser = 1 ORDER BY site, rowid"
      )
      .iterate()
    for (const row of rows) {
      yield { site: row.site, page: storedPage(row, "") }
    }
  }

  counts(): { readonly sites: number; readonly pages: number } {
    this.#flush()
    const sites = this.#db.query<{ n: number }, []>("SELECT count(*) AS n FROM sites").get()?.n ?? 0
    const pages = this.#db.query<{ n: number }, []>("SELECT count(*) AS n FROM pages").get()?.n ?? 0
    return { sites, pages }
  }

  /** Folds the WAL into the main file and closes, so the file alone is the whole output. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    try {
      this.#flush()
      this.#db.exec("PRAGMA wal_checkpoint(TRUNCATE)")
    } finally {
      this.#db.close()
    }
  }
}

/**
 * A website value as a site: its key (the origin, lower-cased) and the home URL to start from (the
 * value itself, scheme added when missing: "acme.fr" → http://acme.fr/). Undefined when unusable.
 */
export const siteOf = (website: unknown): { readonly key: string; readonly home: string } | undefined => {
  if (typeof website !== "string") return undefined
  const text = website.trim()
  if (text === "") return undefined
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`)
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined
    if (!url.hostname.includes(".")) return undefined
    url.hash = ""
    return { key: url.origin.toLowerCase(), home: url.href }
  } catch {
    return undefined
  }
}

/** A website value's host, lower case without `www.` (`https://www.Acme.fr/x` → acme.fr); null when unusable. */
export const websiteHost = (website: unknown): string | null => {
  const site = siteOf(website)
  return site === undefined ? null : new URL(site.home).hostname.replace(/^www\./, "")
}
