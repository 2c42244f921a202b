/**
 * What feeds.collect and pdf.collect share: for each company whose site the crawl kept, find the
 * documents its pages point to, fetch them through the HttpFetcher (robots.txt, per-host limits,
 * budgets, cache) and keep them in the step's own page store, one transaction per site, so a
 * killed run resumes from the last finished site without fetching it again.
 */

import type * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import type { BudgetExceeded } from "../../core/Budget.ts"
import { type FetchResponse, HttpFetcher, type HttpFetcherShape } from "../../core/http/HttpFetcher.ts"
import type { HostClass } from "../../core/http/HttpMetrics.ts"
import type { Rec } from "../../core/Record.ts"
import type { FieldMap, RecordInput, StepContext, StepService } from "../../core/Step.ts"
import { SitePagesReader } from "../parse/SitePagesReader.ts"
import { PageStore, type SiteOutcome, type StoredPage, siteOf } from "../web/PageStore.ts"
import type { DocumentTarget } from "./discover.ts"

export interface CollectorSettings {
  readonly max_documents: number
  readonly max_bytes: number
  readonly sites_in_flight: number
}

export interface CollectorSpec {
  /** The page store this step writes (relative to the run folder). */
  readonly store: string
  readonly hostClass: HostClass
  /** Content types accepted, as prefixes. */
  readonly accept: ReadonlyArray<string>
  /** What to fetch, from the site's crawled pages. */
  readonly targets: (pages: ReadonlyArray<StoredPage>, homeUrl: string, limit: number) => DocumentTarget[]
  /** Kept as bytes (PDFs) rather than decoded text (feeds). */
  readonly binary: boolean
  /** The record field counting the documents kept for the company's site. */
  readonly countField: string
  /** The step measure counting the documents kept in all. */
  readonly measure: string
  /** What the documents are, for the log ("feeds", "PDF documents"). */
  readonly noun: string
  /** The summary report written at the end. */
  readonly summary: string
}

/** What both collectors read of a record. */
export const COLLECTOR_READS: FieldMap = {
  website: { type: "string", description: "Website crawled", optional: true },
  crawl_home_url: { type: "string", description: "Home page after redirects", optional: true }
}

/** The step service of a collector, given the run's HttpFetcher. */
export const collectorLayer = <Self>(tag: Context.Tag<Self, StepService<CollectorSettings>>, spec: CollectorSpec) =>
  Layer.effect(
    tag,
    Effect.map(HttpFetcher, (fetcher) => ({
      run: (input: RecordInput, context: StepContext<CollectorSettings>) =>
        collectDocuments(fetcher, spec, input, context)
    }))
  )

/** Fetches and keeps the documents of each record's site; the record gets the number kept. */
export const collectDocuments = (
  fetcher: HttpFetcherShape,
  spec: CollectorSpec,
  input: RecordInput,
  context: StepContext<CollectorSettings>
) =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const settings = context.config
      const store = yield* Effect.acquireRelease(
        Effect.sync(() => PageStore.open(context.path(spec.store), context.runId, JSON.stringify(settings))),
        (opened) => Effect.sync(() => opened.close())
      )
      const reader = yield* Effect.acquireRelease(
        Effect.sync(() =>
          SitePagesReader.open(
            context.path,
            context.upstreamOutputs().map((output) => output.path)
          )
        ),
        (opened) => Effect.sync(() => opened.close())
      )
      if (!reader.hasPages) {
        yield* context.log(
          `no crawled pages in this run (add crawl.site before ${context.invokedAs}): no ${spec.noun} looked for`
        )
      }
      const inFlight = new Map<string, Deferred.Deferred<SiteOutcome, BudgetExceeded>>()
      const tally = { sites: 0, documents: 0, failed: {} as Record<string, number> }
      const started = performance.now()

      const fetchOne = (target: DocumentTarget) =>
        fetcher
          .fetch({ url: target.url, accept: spec.accept, hostClass: spec.hostClass, maxBytes: settings.max_bytes })
          .pipe(
            Effect.map((response) =>
              response.status < 400 ? storedDocument(response, target, spec.binary) : `HTTP ${response.status}`
            ),
            Effect.catchTag("FetchFailed", (error) => Effect.succeed(error.reason as string))
          )

      const collect = (site: string, record: Rec): Effect.Effect<SiteOutcome, BudgetExceeded> =>
        Effect.gen(function* () {
          const pages = reader.storedPagesOf(record.website)
          const homeUrl =
            (typeof record.crawl_home_url === "string" && record.crawl_home_url) || pages[0]?.finalUrl || site
          const targets = spec.targets(pages, homeUrl, settings.max_documents)
          const fetched = yield* Effect.forEach(targets, fetchOne, { concurrency: 2 })
          const kept: StoredPage[] = []
          const problems: string[] = []
          for (const [index, result] of fetched.entries()) {
            if (typeof result === "string") {
              tally.failed[result] = (tally.failed[result] ?? 0) + 1
              problems.push(`${targets[index]!.url}: ${result}`)
            } else kept.push(result)
          }
          const outcome: SiteOutcome = {
            site,
            status: "ok",
            detail: problems.length > 0 ? problems.join("; ") : null,
            homeUrl,
            pages: kept.length
          }
          store.finish(outcome, kept)
          tally.sites++
          tally.documents += kept.length
          return outcome
        })

      const outcomeOf = (site: string, record: Rec): Effect.Effect<SiteOutcome, BudgetExceeded> =>
        Effect.suspend(() => {
          const done = store.finished(site)
          if (done !== undefined) return Effect.succeed(done)
          const running = inFlight.get(site)
          if (running !== undefined) return Deferred.await(running)
          const deferred = Deferred.unsafeMake<SiteOutcome, BudgetExceeded>(FiberId.none)
          inFlight.set(site, deferred)
          return collect(site, record).pipe(
            Effect.exit,
            Effect.flatMap((exit) =>
              Deferred.done(deferred, exit).pipe(
                Effect.zipRight(Effect.sync(() => inFlight.delete(site))),
                Effect.zipRight(exit)
              )
            )
          )
        })

      const withDocuments = (record: Rec): Effect.Effect<Rec, BudgetExceeded> => {
        const site = siteOf(record.website)
        // Only sites the crawl reached have pages to read links from; a rejected site is not the company's.
        if (site === undefined || !reader.hasPages || record.match_status === "rejected") {
          return Effect.succeed({ ...record, [spec.countField]: 0 })
        }
        return outcomeOf(site.key, record).pipe(
          Effect.map((outcome) => ({ ...record, [spec.countField]: outcome.pages }))
        )
      }

      const finish = Effect.gen(function* () {
        const counts = store.counts()
        const seconds = Math.max(1e-9, (performance.now() - started) / 1000)
        const summary = {
          sites: counts.sites,
          documents: counts.pages,
          sites_collected_now: tally.sites,
          documents_collected_now: tally.documents,
          failures: tally.failed,
          seconds: Math.round(seconds * 1000) / 1000
        }
        yield* context.measure(spec.measure, counts.pages)
        yield* context.writeOutput(spec.summary, [`${JSON.stringify(summary, null, 2)}\n`])
        yield* context.log(`${counts.pages} ${spec.noun} kept from ${counts.sites} sites`, { failures: tally.failed })
      })

      return input.pipe(
        Stream.mapEffect(withDocuments, { concurrency: settings.sites_in_flight }),
        Stream.concat(
          Stream.fromEffect(
            finish.pipe(
              Effect.zipRight(Effect.sync(() => store.close())),
              Effect.zipRight(context.recordOutput(spec.store))
            )
          ).pipe(Stream.drain)
        )
      )
    })
  )

/** A fetched answer as a stored page of `kind`, its text decoded (feeds) or its bytes kept (PDFs). */
const storedDocument = (response: FetchResponse, target: DocumentTarget, asBytes: boolean): StoredPage => {
  const decoded = asBytes ? { text: "", charset: "binary" } : response.text()
  return {
    url: response.url,
    finalUrl: response.finalUrl,
    kind: target.kind,
    depth: 0,
    status: response.status,
    contentType: response.contentType,
    charset: decoded.charset,
    fetchedAt: response.fetchedAt,
    needsBrowser: false,
    html: decoded.text,
    ...(asBytes ? { body: response.body } : {})
  }
}
