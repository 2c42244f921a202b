/** The web: crawling company sites politely, and rendering JS-only pages in a headless browser. */
import * as Layer from "effect/Layer"
import { definePlugin } from "../../core/Plugin.ts"
import { CrawlSiteLive, crawlSite } from "./CrawlSite.ts"
import { HeadlessCollectLive, headlessCollect } from "./HeadlessCollect.ts"

export default definePlugin({
  id: "web",
  version: "0.1.0",
  description: "Site crawling (crawl.site) and the headless-browser fallback (headless.collect)",
  steps: [crawlSite, headlessCollect],
  layer: Layer.mergeAll(CrawlSiteLive, HeadlessCollectLive)
})
