/**
 * `crawl.site`: for each company with a website, the home page and the pages that carry contacts
 * and legal identity (contact, mentions légales, CGV, à propos, équipe, and their English forms),
 * found from link text and URL patterns, then from sitemap.xml when links are not enough. Politeness,
 * limits, retries, cache and budgets are the HttpFetcher's; this step decides what to fetch and keeps
 * what it got in `pages/crawl.sqlite`, one transaction per site, so a killed run resumes from the
 * last finished site without fetching it again.
 */
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { BudgetExceeded } from "../../core/Budget.ts"
import { FetchFailed } from "../../core/http/FetchError.ts"
import { type FetchResponse, HttpFetcher } from "../../core/http/HttpFetcher.ts"
import { memoryRelief, reliefCeiling } from "../../core/MemoryRelief.ts"
import { prioritized } from "../../core/Prioritized.ts"
import type { Rec } from "../../core/Record.ts"
import { defineStep, type StepService } from "../../core/Step.ts"
import { needsBrowser } from "./headless/needsBrowser.ts"
import {
  extractLinks,
  type Link,
  type PageKind,
  pickPages,
  sitemapLocations,
  WANTED_KINDS,
  type WantedKind
} from "./Links.ts"
import { CRAWL_PAGES, PageStore, type SiteOutcome, type SiteStatus, type StoredPage, siteOf } from "./PageStore.ts"

const Config = Schema.Struct({
  /** Pages kept per site, the home page included. */
  max_pages: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 50)), { default: () => 6 }),
  /** Link hops from the home page (1: only pages linked from it; 2: also pages linked from those). */
  max_depth: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 3)), { default: () => 2 }),
  /** Sites crawled at once (requests in flight are bounded by the job's `http` settings). */
  sites_in_flight: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 5000)), { default: () => 128 }),
  /**
   * Records read ahead of the crawl, whose robots.txt is fetched early so that hosts asking for a
   * Crawl-delay (seconds between pages) start first instead of trailing at the end of the run.
   */
  lookahead: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 1_000_000)), { default: () => 5000 }),
  /** Look in sitemap.xml (robots.txt's Sitemap lines, else /sitemap.xml) when the links gave no contact or legal page. */
  use_sitemap: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  /** Which pages to look for beyond the home page. */
  kinds: Schema.optionalWith(Schema.Array(Schema.Literal(...WANTED_KINDS)), { default: () => [...WANTED_KINDS] })
})
type CrawlConfig = typeof Config.Type

const HTML = ["text/html", "application/xhtml+xml"]
const SITEMAP_TYPES = ["application/xml", "text/xml", "text/plain", "application/x-gzip"]
const SITEMAP_MAX_BYTES = 2 * 1024 * 1024

export class CrawlSite extends Context.Tag("plugin/web/CrawlSite")<CrawlSite, StepService<CrawlConfig>>() {}

/** What became of one site (and how it was obtained), for the record and the summary. */
interface Crawled {
  readonly outcome: SiteOutcome
  readonly resumed: boolean
}

const statusOfFailure = (error: FetchFailed): SiteStatus =>
  error.reason === "robots"
    ? "robots"
    : error.reason === "content_type"
      ? "not_html"
      : error.reason === "too_large"
        ? "too_large"
        : "unreachable"

const make = Effect.gen(function* () {
  const fetcher = yield* HttpFetcher

  // The walk of one site is plain promises inside one effect per site (see `siteOutcome`): a dozen
  // requests and their parsing, where an effect per request and a fiber per page cost more CPU than the
  // requests (docs/decisions/009-crawl-scheduling-and-memory.md). Failures are values here.

  const fetchPage = async (
    url: string,
    kind: PageKind,
    depth: number,
    signal: AbortSignal
  ): Promise<StoredPage | FetchFailed | BudgetExceeded> => {
    const response = await fetcher.fetchAsync({ url, accept: HTML, hostClass: "site" }, signal)
    return response instanceof FetchFailed || response instanceof BudgetExceeded
      ? response
      : toStored(response, kind, depth)
  }

  /** Sitemap URLs as links without text (only their paths can tell their kind). */
  const sitemapLinks = async (homeUrl: string, signal: AbortSignal): Promise<Link[] | BudgetExceeded> => {
    const rules = await fetcher.robotsAsync(homeUrl, signal)
    if (rules instanceof BudgetExceeded) return rules
    const origin = new URL(homeUrl).origin
    const roots = rules.sitemaps.length > 0 ? rules.sitemaps.slice(0, 2) : [`${origin}/sitemap.xml`]
    const links: Link[] = []
    for (const root of roots) {
      const found = await readSitemap(root, 0, signal)
      if (found instanceof BudgetExceeded) return found
      for (const url of found) links.push({ url, text: "" })
    }
    return links
  }

  const readSitemap = async (url: string, level: number, signal: AbortSignal): Promise<string[] | BudgetExceeded> => {
    const response = await fetcher.fetchAsync(
      { url, accept: SITEMAP_TYPES, hostClass: "sitemap", maxBytes: SITEMAP_MAX_BYTES },
      signal
    )
    if (response instanceof BudgetExceeded) return response
    if (response instanceof FetchFailed || response.status !== 200) return []
    const { pages, sitemaps } = sitemapLocations(response.text().text)
    // One level of sitemap index, two children at most: enough to find a contact page.
    if (sitemaps.length === 0 || level > 0) return pages
    const all = [...pages]
    for (const child of sitemaps.slice(0, 2)) {
      const found = await readSitemap(child, level + 1, signal)
      if (found instanceof BudgetExceeded) return found
      all.push(...found)
    }
    return all
  }

  /**
   * Crawls one site: each page goes to the store as soon as it is fetched (only its links stay in
   * memory, for the next depth); the caller marks the site finished. A spent budget is returned.
   */
  const crawl = async (
    site: string,
    home: string,
    config: CrawlConfig,
    store: PageStore,
    signal: AbortSignal
  ): Promise<SiteOutcome | BudgetExceeded> => {
    const first = await fetchPage(home, "home", 0, signal)
    if (first instanceof BudgetExceeded) return first
    if (first instanceof FetchFailed) {
      return { site, status: statusOfFailure(first), detail: first.message, homeUrl: null, pages: 0 }
    }
    const homePage = first
    if (homePage.status >= 400) {
      return {
        site,
        status: "unreachable",
        detail: `home page answered HTTP ${homePage.status}`,
        homeUrl: homePage.finalUrl,
        pages: 0
      }
    }
    const homeUrl = homePage.finalUrl
    store.addPage(site, homePage)
    let kept = 1
    const taken = new Set([homePage.url, homeUrl])
    let missing: WantedKind[] = [...config.kinds]
    let links = extractLinks(homePage.html, homeUrl)
    let usedSitemap = false
    const problems: string[] = []
    for (let depth = 1; depth <= config.max_depth && missing.length > 0 && kept < config.max_pages; depth++) {
      let picked = pickPages(links, homeUrl, missing, taken)
      // sitemap.xml costs a request (often a 404): worth it only when a page that carries contacts or
      // the legal identity is still missing.
      const keyMissing = missing.some((kind) => (kind === "contact" || kind === "legal") && !picked.has(kind))
      if (config.use_sitemap && !usedSitemap && keyMissing) {
        usedSitemap = true
        const fromSitemap = await sitemapLinks(homeUrl, signal)
        if (fromSitemap instanceof BudgetExceeded) return fromSitemap
        const stillMissing = missing.filter((kind) => !picked.has(kind))
        const more = pickPages(fromSitemap, homeUrl, stillMissing, new Set([...taken, ...picked.values()]))
        picked = new Map([...picked, ...more])
      }
      const targets = [...picked.entries()].slice(0, config.max_pages - kept)
      if (targets.length === 0) break
      for (const [, url] of targets) taken.add(url)
      const fetched = await Promise.all(targets.map(([kind, url]) => fetchPage(url, kind, depth, signal)))
      const spent = fetched.find((result) => result instanceof BudgetExceeded)
      if (spent !== undefined) return spent
      links = []
      const found = new Set<WantedKind>()
      for (const [index, result] of fetched.entries()) {
        const kind = targets[index]![0]
        if (result instanceof FetchFailed) {
          problems.push(`${kind}: ${result.reason}`)
          continue
        }
        if (result instanceof BudgetExceeded) continue
        const page = result
        if (page.status >= 400) {
          problems.push(`${kind}: HTTP ${page.status}`)
          continue
        }
        taken.add(page.finalUrl)
        store.addPage(site, page)
        kept++
        found.add(kind)
        if (depth < config.max_depth) links.push(...extractLinks(page.html, page.finalUrl))
      }
      missing = missing.filter((kind) => !found.has(kind))
    }
    return {
      site,
      status: "ok",
      detail: problems.length > 0 ? problems.join("; ") : null,
      homeUrl,
      pages: kept
    }
  }

  const run: StepService<CrawlConfig>["run"] = (input, context) =>
    Stream.unwrapScoped(
      Effect.gen(function* () {
        const store = yield* Effect.acquireRelease(
          Effect.sync(() => PageStore.open(context.path(CRAWL_PAGES), context.runId, JSON.stringify(context.config))),
          (opened) => Effect.sync(() => opened.close())
        )
        const config = context.config
        // Thousands of pages decoded and parsed: keep resident memory flat (flat memory is the contract).
        yield* memoryRelief({ ceilingBytes: reliefCeiling(context.job.budgets?.max_ram_mb) })
        const inFlight = new Map<string, Deferred.Deferred<SiteOutcome, BudgetExceeded>>()
        /** Sites crawled by this run of the step (not taken from an earlier, killed one). */
        const crawledNow = new Set<string>()
        const tally = { sites: 0, resumed: 0, pages: 0, byStatus: {} as Record<string, number> }
        const started = performance.now()

        const siteOutcome = (site: string, home: string): Effect.Effect<Crawled, BudgetExceeded> =>
          Effect.suspend((): Effect.Effect<Crawled, BudgetExceeded> => {
            const done = store.finished(site)
            if (done !== undefined) return Effect.succeed({ outcome: done, resumed: !crawledNow.has(site) })
            const running = inFlight.get(site)
            if (running !== undefined) {
              return Deferred.await(running).pipe(Effect.map((outcome) => ({ outcome, resumed: false })))
            }
            const deferred = Deferred.unsafeMake<SiteOutcome, BudgetExceeded>(FiberId.none)
            inFlight.set(site, deferred)
            return Effect.promise((signal) => crawl(site, home, config, store, signal)).pipe(
              Effect.flatMap((outcome) =>
                outcome instanceof BudgetExceeded ? Effect.fail(outcome) : Effect.succeed(outcome)
              ),
              Effect.tap((outcome) =>
                Effect.sync(() => {
                  crawledNow.add(site)
                  store.finish(outcome)
                })
              ),
              Effect.exit,
              Effect.flatMap((exit) =>
                Deferred.done(deferred, exit).pipe(
                  Effect.zipRight(Effect.sync(() => inFlight.delete(site))),
                  Effect.zipRight(exit)
                )
              ),
              Effect.map((outcome) => {
                tally.sites++
                tally.pages += outcome.pages
                return { outcome, resumed: false }
              })
            )
          })

        const withCrawl = (record: Rec): Effect.Effect<Rec, BudgetExceeded> => {
          const site = siteOf(record.website)
          if (site === undefined) {
            return Effect.succeed({
              ...record,
              crawl_status: typeof record.website === "string" && record.website.trim() !== "" ? "error" : "no_website",
              crawl_pages: 0,
              crawl_home_url: null,
              crawl_detail:
                typeof record.website === "string" && record.website.trim() !== ""
                  ? `website ${JSON.stringify(record.website)} is not a usable http(s) address`
                  : null
            })
          }
          return siteOutcome(site.key, site.home).pipe(
            Effect.map(({ outcome, resumed }) => {
              if (resumed) tally.resumed++
              tally.byStatus[outcome.status] = (tally.byStatus[outcome.status] ?? 0) + 1
              return {
                ...record,
                crawl_status: outcome.status,
                crawl_pages: outcome.pages,
                crawl_home_url: outcome.homeUrl,
                crawl_detail: outcome.detail
              }
            })
          )
        }

        const finish = Effect.gen(function* () {
          const seconds = Math.max(1e-9, (performance.now() - started) / 1000)
          const http = fetcher.stats()
          const counts = store.counts()
          const summary = {
            sites: counts.sites,
            pages: counts.pages,
            sites_crawled_now: tally.sites,
            sites_from_crawl_state: tally.resumed,
            records_by_status: tally.byStatus,
            seconds: Math.round(seconds * 1000) / 1000,
            pages_per_s: Math.round((tally.pages / seconds) * 10) / 10,
            requests_per_s: Math.round((http.requests / seconds) * 10) / 10,
            http
          }
          yield* context.measure("crawl_pages", counts.pages)
          yield* context.measure("crawl_pages_per_s", summary.pages_per_s)
          yield* context.measure("http_requests", http.requests)
          yield* context.measure("http_requests_per_s", summary.requests_per_s)
          yield* context.writeOutput("reports/crawl_summary.json", [`${JSON.stringify(summary, null, 2)}\n`])
          yield* context.log(
            `crawled ${tally.sites} sites (${tally.resumed} from crawl state), ${counts.pages} pages kept`,
            { pages_per_s: summary.pages_per_s, requests: http.requests }
          )
        })

        /** robots.txt fetched ahead: a host asking for a Crawl-delay is crawled before the others waiting. */
        const slowHost = (record: Rec): Effect.Effect<boolean, BudgetExceeded> => {
          const site = siteOf(record.website)
          if (site === undefined || !fetcher.settings.respectRobots || store.finished(site.key) !== undefined) {
            return Effect.succeed(false)
          }
          return fetcher.robots(site.home).pipe(
            Effect.map((rules) => (rules.crawlDelay ?? 0) > 0),
            // A spent budget is the crawl's to report (with the site it stopped); reading ahead just stops.
            Effect.catchTag("BudgetExceeded", () => Effect.succeed(false))
          )
        }

        return prioritized(input, {
          slots: config.sites_in_flight,
          // Under a request budget, read ahead no further than the sites that could be crawled at all.
          lookahead:
            context.job.budgets?.max_http_requests !== undefined
              ? Math.min(config.lookahead, config.sites_in_flight * 2)
              : config.lookahead,
          prepareConcurrency: config.sites_in_flight,
          prepare: slowHost,
          work: withCrawl
        }).pipe(
          Stream.concat(
            Stream.fromEffect(
              finish.pipe(
                Effect.zipRight(Effect.sync(() => store.close())),
                Effect.zipRight(context.recordOutput(CRAWL_PAGES))
              )
            ).pipe(Stream.drain)
          )
        )
      })
    )

  return { run } satisfies StepService<CrawlConfig>
})

const toStored = (response: FetchResponse, kind: PageKind, depth: number): StoredPage => {
  const decoded = response.status < 400 ? response.text() : { text: "", charset: "utf-8" }
  return {
    url: response.url,
    finalUrl: response.finalUrl,
    kind,
    depth,
    status: response.status,
    contentType: response.contentType,
    charset: decoded.charset,
    fetchedAt: response.fetchedAt,
    needsBrowser: response.status < 400 && needsBrowser(decoded.text).needed,
    html: decoded.text
  }
}

export const CrawlSiteLive = Layer.effect(CrawlSite, make)

export const crawlSite = defineStep({
  id: "crawl.site",
  aliases: ["crawl.site_async"],
  description:
    "Home, contact, legal and about pages of each company's website, politely (robots.txt, per-host limits), with crawl state",
  kind: "transform",
  after: ["dumps.collect", "api.collect", "normalize.standardize", "enrich.domain", "enrich.site_probe"],
  reads: {
    siret: { type: "string", description: "Establishment identifier" },
    website: { type: "string", description: "Website to crawl", optional: true }
  },
  writes: {
    crawl_status: {
      type: "string",
      description:
        "What the crawl of the website gave: ok, no_website, unreachable, robots (robots.txt forbids it), not_html, too_large, error"
    },
    crawl_pages: {
      type: "integer",
      description: "Pages of the website kept (home, contact, legal, about, team, terms)"
    },
    crawl_home_url: { type: "string", description: "The home page's URL after redirects", internal: true },
    crawl_detail: {
      type: "string",
      description: "Why the crawl failed, or which pages could not be fetched",
      internal: true
    }
  },
  outputs: [
    { path: CRAWL_PAGES, description: "Crawled pages and per-site crawl state (SQLite: tables sites, pages)" },
    { path: "reports/crawl_summary.json", description: "Sites, pages, pages/s, requests and HTTP figures of the crawl" }
  ],
  config: Config,
  version: "1",
  tag: CrawlSite
})
