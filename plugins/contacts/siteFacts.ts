/**
 * How an enrich step gets a record's facts: from `page_facts` when parse.html ran, else by parsing
 * the site's stored pages (once per site: establishments of one company share a website).
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { Rec } from "../../core/Record.ts"
import type { FieldMap, StepContext } from "../../core/Step.ts"
import type { SitePages } from "../parse/ParsedPage.ts"
import type { SitePagesReader } from "../parse/SitePagesReader.ts"
import { siteOf } from "../web/PageStore.ts"
import { type PageFacts, storedFacts } from "./PageFacts.ts"

/** What every step reading a record's site facts reads (declared once for the enrich steps). */
export const SITE_FACTS_READS: FieldMap = {
  website: { type: "string", description: "Website crawled", optional: true },
  page_facts: { type: "object", description: "Facts from parse.html", optional: true },
  match_status: {
    type: "string",
    description: "correlation.checks' verdict: a rejected site gives no contacts",
    optional: true
  }
}

/** The steps whose pages, facts or verdicts the enrich steps read, when the profile has them. */
export const SITE_FACTS_AFTER = [
  "crawl.site",
  "headless.collect",
  "feeds.collect",
  "parse.pdf",
  "parse.html",
  "parse.jsonld",
  "correlation.checks"
]

/** Sites whose facts are kept while records stream by (records of one site are usually close together). */
const RECENT_SITES = 256

export interface FactsSource {
  /** The facts of the record's site (undefined without a usable website), computed with `extract` when needed. */
  readonly factsOf: <F>(record: Rec, extract: (site: SitePages) => F, stored?: (facts: PageFacts) => F) => F | undefined
  readonly reader: SitePagesReader
}

/**
 * Opens the run's page stores for a step. The parser and extractors are loaded here, when a step
 * that needs them runs, so that every other command starts without them.
 */
export const openFactsSource = (context: StepContext<unknown>): Effect.Effect<FactsSource, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => import("../parse/SitePagesReader.ts")).pipe(
      Effect.map(({ SitePagesReader }) =>
        SitePagesReader.open(
          context.path,
          context.upstreamOutputs().map((output) => output.path)
        )
      )
    ),
    (reader) => Effect.sync(() => reader.close())
  ).pipe(
    Effect.map((reader) => {
      const recent = new Map<string, unknown>()
      const factsOf = <F>(record: Rec, extract: (site: SitePages) => F, stored?: (facts: PageFacts) => F) => {
        // correlation.checks found the site is not the company's: nothing on it speaks for the company.
        if (record.match_status === "rejected") return undefined
        if (stored !== undefined) {
          const fromParse = storedFacts(record.page_facts)
          if (fromParse !== undefined) return stored(fromParse)
        }
        const site = siteOf(record.website)
        if (site === undefined) return undefined
        if (recent.has(site.key)) return recent.get(site.key) as F
        const facts = extract(reader.sitePagesOf(record))
        if (recent.size >= RECENT_SITES) recent.delete(recent.keys().next().value as string)
        recent.set(site.key, facts)
        return facts
      }
      return { factsOf, reader }
    })
  )
