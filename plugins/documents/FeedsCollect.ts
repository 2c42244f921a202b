/**
 * `feeds.collect`: the RSS, Atom and JSON feeds each company's site announces (in its pages' heads
 * or by a feed path), fetched politely and kept as served in `pages/feeds.sqlite`. Feeds carry what
 * pages often leave out: the editor's and webmaster's addresses, news items naming the team.
 */
import * as Context from "effect/Context"
import { defineStep, type StepService } from "../../core/Step.ts"
import { FEED_PAGES } from "../web/PageStore.ts"
import { COLLECTOR_READS, type CollectorSettings, collectorLayer } from "./collectDocuments.ts"
import { feedTargets } from "./discover.ts"
import { collectorConfig } from "./settings.ts"

const Config = collectorConfig({ maxDocuments: 2, maxBytes: 2 * 1024 * 1024 })

export const FEED_TYPES = [
  "application/rss+xml",
  "application/atom+xml",
  "application/feed+json",
  "application/json",
  "application/xml",
  "text/xml"
]

export class FeedsCollect extends Context.Tag("plugin/documents/FeedsCollect")<
  FeedsCollect,
  StepService<CollectorSettings>
>() {}

export const FeedsCollectLive = collectorLayer(FeedsCollect, {
  store: FEED_PAGES,
  hostClass: "feed",
  accept: FEED_TYPES,
  targets: feedTargets,
  binary: false,
  countField: "feeds_found",
  measure: "feeds_kept",
  noun: "feeds",
  summary: "reports/feeds_summary.json"
})

export const feedsCollect = defineStep({
  id: "feeds.collect",
  description: "RSS, Atom and JSON feeds the company's site announces, fetched politely and kept for the parsers",
  kind: "transform",
  needs: ["crawl.site"],
  after: ["crawl.site", "headless.collect"],
  reads: COLLECTOR_READS,
  writes: {
    feeds_found: { type: "integer", description: "Feeds of the company's site kept (RSS, Atom, JSON Feed)" }
  },
  outputs: [
    { path: FEED_PAGES, description: "The feeds fetched, as served (SQLite: tables sites, pages)" },
    { path: "reports/feeds_summary.json", description: "Sites, feeds kept and fetch failures" }
  ],
  config: Config,
  version: "1",
  tag: FeedsCollect
})
