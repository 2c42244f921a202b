/**
 * `parse.jsonld`: the organisation each site describes in schema.org data (JSON-LD, else
 * microdata): name, legal name, contacts, address, profiles, identifiers.
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { Rec } from "../../core/Record.ts"
import { defineStep } from "../../core/Step.ts"
import { openFactsSource } from "../contacts/siteFacts.ts"

export const parseJsonLdStep = defineStep({
  id: "parse.jsonld",
  description:
    "Reads the organisation each site describes in JSON-LD or microdata (schema.org Organization, LocalBusiness)",
  kind: "transform",
  needs: ["crawl.site"],
  after: ["crawl.site", "headless.collect", "feeds.collect", "parse.pdf", "parse.html"],
  reads: {
    website: { type: "string", description: "Website crawled", optional: true },
    page_facts: { type: "object", description: "Facts from parse.html", optional: true }
  },
  writes: {
    jsonld_org: {
      type: "object",
      description:
        "The schema.org organisation the site describes (type, names, contacts, address, sameAs, identifiers)",
      internal: true
    },
    jsonld_type: { type: "string", description: "schema.org type the site gives itself (LocalBusiness, Restaurant…)" },
    jsonld_name: { type: "string", description: "Name the site gives itself in schema.org data" }
  },
  version: "1",
  run: (input, context) =>
    Stream.unwrapScoped(
      Effect.gen(function* () {
        const source = yield* openFactsSource(context)
        const { organizationOf } = yield* Effect.promise(() => import("./organization.ts"))
        let found = 0
        const withOrganization = (record: Rec): Rec => {
          const organization =
            source.factsOf(
              record,
              (site) => organizationOf(site.pages),
              (facts) => facts.organization
            ) ?? null
          if (organization !== null) found++
          return {
            ...record,
            jsonld_org: organization,
            jsonld_type: organization?.type ?? null,
            jsonld_name: organization?.name ?? null
          }
        }
        const finish = Effect.suspend(() => context.measure("jsonld_organizations", found))
        return Stream.map(input, withOrganization).pipe(Stream.concat(Stream.fromEffect(finish).pipe(Stream.drain)))
      })
    )
})
