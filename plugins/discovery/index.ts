/** Discovery: web search (http.serp, Brave Search) and each company's website (enrich.domain). */
import * as Layer from "effect/Layer"
import { definePlugin } from "../../core/Plugin.ts"
import { EnrichDomainLive, enrichDomain } from "./EnrichDomain.ts"
import { HttpSerpLive, httpSerp } from "./HttpSerp.ts"

export default definePlugin({
  id: "discovery",
  version: "0.1.0",
  description:
    "Web-search results (http.serp, Brave Search) and company websites from search and name heuristics (enrich.domain)",
  steps: [httpSerp, enrichDomain],
  layer: Layer.mergeAll(HttpSerpLive, EnrichDomainLive)
})
