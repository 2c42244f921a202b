/**
 * `headless.collect`: the pages whose static HTML lacks the content (flagged by crawl.site with
 * needsBrowser: an empty SPA shell, a "please enable JavaScript" page, scripts and almost no text),
 * rendered in the system Chromium. Every request the browser makes goes through the run's
 * HttpFetcher (robots.txt, budgets, proxy, cache, metrics); images, fonts and media are never fetched.
 * Rendered pages go to `pages/headless.sqlite`, per site, so a resumed run does not render them again.
 *
 * Without a browser (FILON_CHROMIUM_PATH, default /usr/bin/chromium) the step is "not available":
 * the run goes on without it (its records pass through, counted as not rendered) unless the job
 * sets `config: { headless.collect: { required: true } }`.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { BudgetExceeded } from "../../core/Budget.ts"
import { HttpFetcher } from "../../core/http/HttpFetcher.ts"
import type { Rec } from "../../core/Record.ts"
import { defineStep, type StepService } from "../../core/Step.ts"
import { type BrowserPool, type FetchThrough, openBrowserPool, type ThroughResponse } from "./headless/BrowserPool.ts"
import { browserAvailability, chromiumPath } from "./headless/Chromium.ts"
import { headlessNavigation, headlessPages } from "./headless/HeadlessMetrics.ts"
import { needsBrowser } from "./headless/needsBrowser.ts"
import { extractLinks, pickPages, WANTED_KINDS } from "./Links.ts"
import { CRAWL_PAGES, HEADLESS_PAGES, PageStore, type SiteOutcome, type StoredPage, siteOf } from "./PageStore.ts"

const Config = Schema.Struct({
  /** Fail the run when no browser is available, instead of going on without this step. */
  required: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** Pages rendered at once (one browser context each). */
  contexts: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 16)), { default: () => 2 }),
  /** A context is replaced after this many pages (bounds memory held by the browser). */
  pages_per_context: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 20 }),
  /** The browser is relaunched after this many pages. */
  pages_per_browser: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 200 }),
  navigation_timeout_ms: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 15_000 }),
  /** Longest wait for the page to go quiet after `load`. */
  settle_ms: Schema.optionalWith(Schema.Int.pipe(Schema.nonNegative()), { default: () => 300 }),
  /** Pages rendered per site: the flagged ones, then wanted pages found in their rendered links. */
  max_pages_per_site: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 50)), { default: () => 6 }),
  /** Most pages rendered in this run (the browser is the slowest collector). */
  max_pages: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 2000 })
})
type HeadlessConfig = typeof Config.Type

export class HeadlessCollect extends Context.Tag("plugin/web/HeadlessCollect")<
  HeadlessCollect,
  StepService<HeadlessConfig>
>() {}

const make = Effect.gen(function* () {
  const fetcher = yield* HttpFetcher

  const run: StepService<HeadlessConfig>["run"] = (input, context) =>
    Stream.unwrapScoped(
      Effect.gen(function* () {
        const config = context.config
        const available = yield* Effect.promise(() => browserAvailability(chromiumPath()))
        if (!available.ok) {
          yield* context.log(`headless.collect not available (${available.reason}); records passed on unrendered`)
          yield* context.measure("headless_pages", 0)
          return input.pipe(Stream.map((record): Rec => ({ ...record, headless_pages: 0 })))
        }
        const crawlFile = context.path(CRAWL_PAGES)
        if (!(yield* Effect.promise(() => Bun.file(crawlFile).exists()))) {
          yield* context.log("no crawled pages (pages/crawl.sqlite is missing): nothing to render")
          return input.pipe(Stream.map((record): Rec => ({ ...record, headless_pages: 0 })))
        }
        const crawled = yield* Effect.acquireRelease(
          Effect.sync(() => PageStore.read(crawlFile)),
          (store) => Effect.sync(() => store.close())
        )
        const rendered = yield* Effect.acquireRelease(
          Effect.sync(() => PageStore.open(context.path(HEADLESS_PAGES), context.runId, JSON.stringify(config))),
          (store) => Effect.sync(() => store.close())
        )
        const runtime = yield* Effect.runtime<never>()
        let budgetHit: BudgetExceeded | undefined
        const fetchThrough: FetchThrough = async (request): Promise<ThroughResponse> => {
          const outcome = await Runtime.runPromise(runtime)(
            fetcher
              .fetch({
                url: request.url,
                method: request.method,
                headers: request.headers,
                ...(request.body ? { body: request.body } : {}),
                hostClass: "headless",
                followRedirects: false
              })
              .pipe(Effect.either)
          )
          if (outcome._tag === "Right") {
            const { status, headers, body } = outcome.right
            return { status, headers: { ...headers }, body }
          }
          if (outcome.left instanceof BudgetExceeded) budgetHit = outcome.left
          return { error: outcome.left.message }
        }
        const pool: BrowserPool = yield* Effect.acquireRelease(
          Effect.promise(() =>
            openBrowserPool({
              executablePath: available.path,
              contexts: config.contexts,
              pagesPerContext: config.pages_per_context,
              pagesPerBrowser: config.pages_per_browser,
              navigationTimeoutMs: config.navigation_timeout_ms,
              settleMs: config.settle_ms,
              userAgent: fetcher.settings.userAgents[0]!,
              fetchThrough
            })
          ),
          (opened) => Effect.promise(() => opened.close())
        )

        // Group the flagged pages by site; render each site's pages, then record the site as done.
        const bySite = new Map<string, StoredPage[]>()
        for (const { site, page } of crawled.pagesNeedingBrowser()) {
          const list = bySite.get(site) ?? []
          list.push(page)
          bySite.set(site, list)
        }
        let budgetLeft = config.max_pages
        const renderedPerSite = new Map<string, number>()
        const renderSite = (site: string, pages: ReadonlyArray<StoredPage>) =>
          Effect.gen(function* () {
            const done = rendered.finished(site)
            if (done !== undefined) {
              renderedPerSite.set(site, done.pages)
              return
            }
            const kept: StoredPage[] = []
            const problems: string[] = []
            const renderOne = (page: StoredPage) =>
              Effect.gen(function* () {
                if (budgetLeft <= 0) {
                  problems.push(`${page.kind}: over max_pages`)
                  return
                }
                budgetLeft--
                const result = yield* Effect.promise(() => pool.render(page.finalUrl))
                headlessPages.inc({ status: result.error !== undefined ? "error" : String(result.status ?? "none") })
                headlessNavigation.observe(result.elapsedMs / 1000)
                if (budgetHit) return yield* Effect.fail(budgetHit)
                // A failed navigation shows Chromium's own error page: nothing of the site's to keep.
                if (result.error !== undefined || !/^https?:/.test(result.url)) {
                  problems.push(`${page.kind}: ${result.error ?? `ended on ${result.url}`}`)
                  return
                }
                kept.push({
                  ...page,
                  finalUrl: result.url,
                  status: result.status ?? page.status,
                  fetchedAt: Date.now(),
                  needsBrowser: needsBrowser(result.html).needed,
                  html: result.html
                })
              })
            for (const page of pages) yield* renderOne(page)
            // A JS-only home page hid its links from the crawl: look for the wanted pages in what it rendered.
            const crawledPages = crawled.pageRefsOf(site)
            const crawledKinds = new Set(crawledPages.map((page) => page.kind))
            const missing = WANTED_KINDS.filter((kind) => !crawledKinds.has(kind))
            if (missing.length > 0 && kept.length > 0) {
              const taken = new Set(crawledPages.flatMap((page) => [page.url, page.finalUrl]))
              const links = kept.flatMap((page) => extractLinks(page.html, page.finalUrl))
              const found = pickPages(links, kept[0]!.finalUrl, missing, taken)
              for (const [kind, url] of [...found].slice(0, Math.max(0, config.max_pages_per_site - kept.length))) {
                // Resolve redirects (old paths) through the fetcher first: the browser then loads the final
                // document, already in the HTTP cache.
                const resolved = yield* fetcher.fetch({ url, accept: ["text/html"], hostClass: "headless" }).pipe(
                  Effect.map((response) => response.finalUrl),
                  Effect.catchTag("FetchFailed", () => Effect.succeed(url))
                )
                yield* renderOne({
                  url,
                  finalUrl: resolved,
                  kind,
                  depth: 1,
                  status: 0,
                  contentType: "text/html",
                  charset: "utf-8",
                  fetchedAt: 0,
                  needsBrowser: true,
                  html: ""
                })
              }
            }
            const outcome: SiteOutcome = {
              site,
              status: kept.length > 0 ? "ok" : "error",
              detail: problems.length > 0 ? problems.join("; ") : null,
              homeUrl: null,
              pages: kept.length
            }
            rendered.finish(outcome, kept)
            renderedPerSite.set(site, kept.length)
          })
        const started = performance.now()
        yield* Effect.forEach([...bySite.entries()], ([site, pages]) => renderSite(site, pages), {
          concurrency: config.contexts,
          discard: true
        })
        const stats = pool.stats()
        const total = [...renderedPerSite.values()].reduce((sum, n) => sum + n, 0)
        const seconds = (performance.now() - started) / 1000
        const summary = {
          sites: bySite.size,
          pages_flagged: [...bySite.values()].reduce((sum, list) => sum + list.length, 0),
          pages_rendered: total,
          seconds: Math.round(seconds * 1000) / 1000,
          browser: stats
        }
        yield* context.measure("headless_pages", total)
        yield* context.writeOutput("reports/headless_summary.json", [`${JSON.stringify(summary, null, 2)}\n`])
        yield* context.log(`rendered ${total} pages of ${bySite.size} sites in Chromium`, {
          navigation_errors: stats.navigation_errors
        })
        rendered.close()
        yield* context.recordOutput(HEADLESS_PAGES)
        return input.pipe(
          Stream.map((record): Rec => {
            const site = siteOf(record.website)
            return { ...record, headless_pages: site ? (renderedPerSite.get(site.key) ?? 0) : 0 }
          })
        )
      })
    )

  return { run } satisfies StepService<HeadlessConfig>
})

export const HeadlessCollectLive = Layer.effect(HeadlessCollect, make)

export const headlessCollect = defineStep({
  id: "headless.collect",
  aliases: ["headless.collect_fallback"],
  description:
    "Renders in Chromium the crawled pages whose static HTML lacks the content (JS-only sites); all browser traffic through the HttpFetcher",
  kind: "transform",
  needs: ["crawl.site"],
  reads: {
    siret: { type: "string", description: "Establishment identifier" },
    website: { type: "string", description: "Website crawled", optional: true }
  },
  writes: {
    headless_pages: { type: "integer", description: "Pages of the website rendered in a browser (JS-only pages)" }
  },
  outputs: [
    {
      path: HEADLESS_PAGES,
      description: "Pages rendered in Chromium (SQLite, same layout as pages/crawl.sqlite)",
      optional: true
    },
    {
      path: "reports/headless_summary.json",
      description: "Pages flagged and rendered, browser figures",
      optional: true
    }
  ],
  config: Config,
  version: "1",
  availability: Effect.promise(() => browserAvailability(chromiumPath())).pipe(
    Effect.map((check) =>
      check.ok ? { ok: true as const } : { ok: false as const, reason: check.reason, optional: true }
    )
  ),
  tag: HeadlessCollect
})
