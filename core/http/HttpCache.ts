/**
 * The HTTP cache: responses kept in SQLite (bun:sqlite) by URL, fresh for a TTL, then revalidated
 * with a conditional request (If-None-Match / If-Modified-Since) so an unchanged page costs a 304
 * and no body. Shared by runs (it lives under FILON_DATA_DIR), so a resumed or repeated run answers
 * from it instead of the network.
 */
import { Database, type Statement } from "bun:sqlite"
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"

export interface CachedResponse {
  readonly url: string
  readonly finalUrl: string
  readonly status: number
  readonly contentType: string | null
  readonly etag: string | null
  readonly lastModified: string | null
  /** The decompressed body. */
  readonly body: Uint8Array
  /** When it was fetched (or last revalidated), ms since epoch. */
  readonly fetchedAt: number
}

interface Row {
  url: string
  final_url: string
  status: number
  content_type: string | null
  etag: string | null
  last_modified: string | null
  body: Uint8Array
  fetched_at: number
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS responses_v1 (
  url TEXT PRIMARY KEY,
  final_url TEXT NOT NULL,
  status INTEGER NOT NULL,
  content_type TEXT,
  etag TEXT,
  last_modified TEXT,
  body BLOB NOT NULL,
  fetched_at INTEGER NOT NULL
) WITHOUT ROWID;
`

export class HttpCache {
  readonly #db: Database
  readonly #get: Statement<Row, [string]>
  readonly #put: Statement<
    unknown,
    [string, string, number, string | null, string | null, string | null, Uint8Array, number]
  >
  readonly #touch: Statement<unknown, [number, string]>

  /** Opens (creating) the cache file; WAL so readers never wait for the writer. */
  constructor(
    readonly file: string,
    readonly ttlMs: number
  ) {
    // The table layout is versioned by its name: a changed layout starts a new table.
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true })
    this.#db = new Database(file, { create: true })
    this.#db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;")
    this.#db.exec(SCHEMA)
    this.#get = this.#db.query("SELECT * FROM responses_v1 WHERE url = ?")
    this.#put = this.#db.query(
      "INSERT OR REPLACE INTO responses_v1 (url, final_url, status, content_type, etag, last_modified, body, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    this.#touch = this.#db.query("UPDATE responses_v1 SET fetched_at = ? WHERE url = ?")
    this.prune(Date.now())
  }

  /**
   * Forgets entries too old to be worth revalidating (ten TTLs, at least 30 days), so the cache
   * shared by every run does not grow forever. Runs on open.
   */
  prune(now: number): number {
    const keepMs = Math.max(this.ttlMs * 10, 30 * 24 * 3600_000)
    return this.#db.query("DELETE FROM responses_v1 WHERE fetched_at < ?").run(now - keepMs).changes
  }

  lookup(url: string): CachedResponse | undefined {
    const row = this.#get.get(url)
    if (row === null) return undefined
    return {
      url: row.url,
      finalUrl: row.final_url,
      status: row.status,
      contentType: row.content_type,
      etag: row.etag,
      lastModified: row.last_modified,
      body: row.body,
      fetchedAt: row.fetched_at
    }
  }

  /** Usable without asking the site: younger than this cache's TTL (the reader's, not the writer's). */
  isFresh(entry: CachedResponse, now: number): boolean {
    return entry.fetchedAt + this.ttlMs > now
  }

  store(entry: CachedResponse): void {
    this.#put.run(
      entry.url,
      entry.finalUrl,
      entry.status,
      entry.contentType,
      entry.etag,
      entry.lastModified,
      entry.body,
      entry.fetchedAt
    )
  }

  /** A 304 said the entry is still good: fresh again from `now`. */
  revalidated(url: string, now: number): void {
    this.#touch.run(now, url)
  }

  close(): void {
    this.#db.close()
  }
}

/** Worth keeping: answers that will be the same next time (a page, a missing page). */
export const isCacheable = (status: number): boolean => status === 200 || status === 404 || status === 410

/** Redirects cacheable by default (RFC 9111): kept with their target in `finalUrl`. */
export const isPermanentRedirect = (status: number): boolean => status === 301 || status === 308
