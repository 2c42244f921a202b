/** Discovery: web search (http.serp, Brave Search) and each company's website (enrich.domain). */
import * as Layer from "effect/Layer"
import { definePlugin } from "../../core/Plugin.ts"
import { EnrichDomainLive, enrichDomain } from "./EnrichDomain.ts"
import { HttpSerpLive, httpSerp } from "./HttpSerp.ts"
import { SiteProbeLive, siteProbe } from "./SiteProbe.ts"

export default definePlugin({
  id: "discovery",
  version: "0.1.0",
  description:
    "Web-search results (http.serp, Brave Search), company websites from search and name heuristics (enrich.domain), given websites checked (enrich.site_probe)",
  steps: [httpSerp, enrichDomain, siteProbe],
  layer: Layer.mergeAll(HttpSerpLive, EnrichDomainLive, SiteProbeLive)
})
