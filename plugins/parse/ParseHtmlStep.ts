/**
 * `parse.html`: each company's collected pages, parsed once (visible text by page part, links,
 * JSON-LD, microdata), and what they say extracted with provenance: emails, phones, social
 * profiles and the legal identity. The facts travel in `page_facts` for the enrich steps; the
 * legal identity (SIREN, SIRET, VAT, RCS, publisher) becomes columns of its own.
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { Rec } from "../../core/Record.ts"
import { defineStep } from "../../core/Step.ts"
import type { PageFacts } from "../contacts/PageFacts.ts"
import { openFactsSource } from "../contacts/siteFacts.ts"

const own = <T extends { readonly thirdParty: unknown }>(found: ReadonlyArray<T>): T[] =>
  found.filter((value) => value.thirdParty === null)

const unique = (values: ReadonlyArray<string>) => [...new Set(values)]

/** The identity columns: the site's own values, the best first. */
export const identityColumns = (facts: PageFacts | undefined) => {
  if (facts === undefined) {
    return { site_siren: null, site_siret: null, site_vat: null, site_rcs: null, site_publisher: null }
  }
  const { identity } = facts
  const list = (values: string[]) => (values.length === 0 ? null : unique(values))
  return {
    site_siren: list(own(identity.siren).map((siren) => siren.value)),
    site_siret: list(own(identity.siret).map((siret) => siret.value)),
    site_vat: list(own(identity.vat).map((vat) => vat.value)),
    site_rcs: list(
      own(identity.rcs).map((rcs) =>
        rcs.value.number === null ? rcs.value.city : `${rcs.value.city} ${rcs.value.number}`
      )
    ),
    site_publisher:
      identity.publisher !== null && identity.publisher.thirdParty === null ? identity.publisher.value : null
  }
}

export const parseHtmlStep = defineStep({
  id: "parse.html",
  description:
    "Parses each site's collected pages (text by page part, links, JSON-LD, microdata) and extracts emails, phones, social profiles and the legal identity, with provenance",
  kind: "transform",
  needs: ["crawl.site"],
  after: ["crawl.site", "headless.collect", "feeds.collect", "parse.pdf"],
  reads: {
    website: { type: "string", description: "Website crawled", optional: true },
    crawl_home_url: { type: "string", description: "Home page after redirects", optional: true }
  },
  writes: {
    page_facts: {
      type: "object",
      description: "Values found on the site's pages with their provenance (URL, page part, confidence)",
      internal: true
    },
    site_siren: { type: "string[]", description: "SIREN numbers the site's legal notice states as its own" },
    site_siret: { type: "string[]", description: "SIRET numbers the site states as its own" },
    site_vat: { type: "string[]", description: "Intra-community VAT numbers the site states (FR + 11 characters)" },
    site_rcs: { type: "string[]", description: "RCS registrations the site states (city and number)" },
    site_publisher: { type: "string", description: "The legal entity or person publishing the site, as stated" }
  },
  version: "1",
  run: (input, context) =>
    Stream.unwrapScoped(
      Effect.gen(function* () {
        const source = yield* openFactsSource(context)
        const { pageFactsOf } = yield* Effect.promise(() => import("../contacts/collectFacts.ts"))
        if (!source.reader.hasPages) yield* context.log("no crawled pages in this run folder: nothing to parse")
        const started = performance.now()
        let records = 0
        let withFacts = 0
        const withParsed = (record: Rec): Rec => {
          records++
          const facts = source.factsOf(record, pageFactsOf, (stored) => stored)
          if (facts !== undefined && facts.pages.length > 0) withFacts++
          return { ...record, page_facts: facts ?? null, ...identityColumns(facts) }
        }
        const finish = Effect.gen(function* () {
          const seconds = Math.max(1e-9, (performance.now() - started) / 1000)
          yield* context.measure("pages_parsed", source.reader.pagesParsed)
          yield* context.measure("parse_pages_per_s", Math.round(source.reader.pagesParsed / seconds))
          yield* context.log(`parsed ${source.reader.pagesParsed} pages of ${withFacts} sites (${records} records)`)
        })
        return Stream.map(input, withParsed).pipe(Stream.concat(Stream.fromEffect(finish).pipe(Stream.drain)))
      })
    )
})
