/**
 * The HTTP cache: responses kept in SQLite (bun:sqlite) by URL, fresh for a TTL, then revalidated
 * with a conditional request (If-None-Match / If-Modified-Since) so an unchanged page costs a 304
 * and no body. Shared by runs (it lives under FILON_DATA_DIR), so a resumed or repeated run answers
 * from it instead of the network. A cache that cannot be read or written is a miss, never a failure.
 */
import { Database, type Statement } from "bun:sqlite"
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"

export interface CachedResponse {
  readonly url: string
  /** Where the answer came from after redirects; for a cached permanent redirect, its target. */
  readonly finalUrl: string
  readonly status: number
  /** End-to-end response headers, lower-case (hop-by-hop ones, encodings and cookies left out). */
  readonly headers: Readonly<Record<string, string>>
  /** The decompressed body. */
  readonly body: Uint8Array
  /** When it was fetched (or last revalidated), ms since epoch. */
  readonly fetchedAt: number
}

interface Row {
  url: string
  final_url: string
  status: number
  fetched_at: number
  headers: string
  body: Uint8Array
}

/** Not kept: they describe one transfer (or one visitor), not the resource. */
const NOT_KEPT = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-encoding",
  "content-length",
  "set-cookie",
  "proxy-authenticate",
  "proxy-connection",
  "te",
  "trailer",
  "upgrade",
  "date",
  "age"
])

export const cacheableHeaders = (headers: Headers | Readonly<Record<string, string>>): Record<string, string> => {
  const kept: Record<string, string> = {}
  const entries = headers instanceof Headers ? headers.entries() : Object.entries(headers)
  for (const [name, value] of entries) {
    const key = name.toLowerCase()
    if (!NOT_KEPT.has(key)) kept[key] = value
  }
  return kept
}

// The layout is versioned by the table's name: a changed layout starts a new table.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS responses_v2 (
  url TEXT PRIMARY KEY,
  final_url TEXT NOT NULL,
  status INTEGER NOT NULL,
  fetched_at INTEGER NOT NULL,
  headers TEXT NOT NULL,
  body BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS responses_v2_fetched_at ON responses_v2 (fetched_at);
DROP TABLE IF EXISTS responses_v1;
`

export class HttpCache {
  readonly #db: Database
  readonly #get: Statement<Row, [string]>
  readonly #put: Statement<unknown, [string, string, number, number, string, Uint8Array]>
  readonly #touch: Statement<unknown, [number, string]>

  /** Opens (creating) the cache file; WAL so readers never wait for the writer. */
  constructor(
    readonly file: string,
    readonly ttlMs: number
  ) {
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true })
    this.#db = new Database(file, { create: true })
    this.#db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 1000;")
    this.#db.exec(SCHEMA)
    this.#get = this.#db.query(
      "SELECT url, final_url, status, fetched_at, headers, body FROM responses_v2 WHERE url = ?"
    )
    this.#put = this.#db.query(
      "INSERT OR REPLACE INTO responses_v2 (url, final_url, status, fetched_at, headers, body) VALUES (?, ?, ?, ?, ?, ?)"
    )
    this.#touch = this.#db.query("UPDATE responses_v2 SET fetched_at = ? WHERE url = ?")
    this.prune(Date.now())
  }

  /**
   * Forgets entries too old to be worth revalidating (ten TTLs, at least 30 days), so the cache
   * shared by every run does not grow forever. Runs on open (an index range, not a scan).
   */
  prune(now: number): number {
    const keepMs = Math.max(this.ttlMs * 10, 30 * 24 * 3600_000)
    return this.#quietly(
      () => this.#db.query("DELETE FROM responses_v2 WHERE fetched_at < ?").run(now - keepMs).changes,
      0
    )
  }

  lookup(url: string): CachedResponse | undefined {
    return this.#quietly(() => {
      const row = this.#get.get(url)
      if (row === null) return undefined
      return {
        url: row.url,
        finalUrl: row.final_url,
        status: row.status,
        headers: JSON.parse(row.headers) as Record<string, string>,
        body: row.body,
        fetchedAt: row.fetched_at
      }
    }, undefined)
  }

  /** Usable without asking the site: younger than this cache's TTL (the reader's, not the writer's). */
  isFresh(entry: CachedResponse, now: number): boolean {
    return entry.fetchedAt + this.ttlMs > now
  }

  store(entry: CachedResponse): void {
    this.#quietly(
      () =>
        this.#put.run(
          entry.url,
          entry.finalUrl,
          entry.status,
          entry.fetchedAt,
          JSON.stringify(entry.headers),
          entry.body
        ),
      undefined
    )
  }

  /** A 304 said the entry is still good: fresh again from `now`. */
  revalidated(url: string, now: number): void {
    this.#quietly(() => this.#touch.run(now, url), undefined)
  }

  close(): void {
    this.#quietly(() => this.#db.close(), undefined)
  }

  /** A locked, full or corrupt cache file costs a miss, not the run. */
  #quietly<A>(action: () => A, fallback: A): A {
    try {
      return action()
    } catch {
      return fallback
    }
  }
}

/** Worth keeping: answers that will be the same next time (a page, a missing page). */
export const isCacheable = (status: number): boolean => status === 200 || status === 404 || status === 410

/** Redirects cacheable by default (RFC 9111): kept with their target in `finalUrl`. */
export const isPermanentRedirect = (status: number): boolean => status === 301 || status === 308
