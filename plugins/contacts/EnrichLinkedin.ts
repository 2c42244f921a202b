/**
 * `enrich.linkedin` (alias `enrich.linkedin_clearbit_lite`): the company's LinkedIn page and its
 * other social profiles (Facebook, Instagram, X, YouTube, TikTok…), from its own pages: share
 * links, bare platform addresses, template placeholders and the agency's profiles left out.
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { Rec } from "../../core/Record.ts"
import { defineStep } from "../../core/Step.ts"
import { provenance } from "./details.ts"
import { openFactsSource, SITE_FACTS_AFTER, SITE_FACTS_READS } from "./siteFacts.ts"
import type { SocialFound } from "./social/extractSocial.ts"

/** The LinkedIn link to show: a company page before a person's profile, the most confident first. */
export const bestLinkedin = (own: ReadonlyArray<SocialFound>): SocialFound | undefined =>
  own
    .filter((link) => link.platform === "linkedin")
    .sort((a, b) => Number(b.companyPage) - Number(a.companyPage) || b.confidence - a.confidence)[0]

export const enrichLinkedinStep = defineStep({
  id: "enrich.linkedin",
  aliases: ["enrich.linkedin_clearbit_lite"],
  description:
    "LinkedIn company page and other social profiles linked from each site (share links and placeholders left out)",
  kind: "transform",
  needs: ["crawl.site"],
  after: SITE_FACTS_AFTER,
  reads: {
    ...SITE_FACTS_READS
  },
  writes: {
    linkedin_url: {
      type: "string",
      description:
        "The company's LinkedIn page (a company page before a person's profile), as https without tracking parameters"
    },
    social_urls: {
      type: "string[]",
      description:
        "Every social profile the site links as its own (LinkedIn, Facebook, Instagram, X, YouTube, TikTok…), by platform"
    },
    social_details: {
      type: "object[]",
      description: "Per profile: platform, company_page, where it was found (url, part, via), confidence, fetched_at"
    }
  },
  version: "1",
  run: (input, context) =>
    Stream.unwrapScoped(
      Effect.gen(function* () {
        const source = yield* openFactsSource(context)
        const { extractSocial, normalizeSocialUrl } = yield* Effect.promise(() => import("./social/extractSocial.ts"))
        let withLinkedin = 0
        const enrich = (record: Rec): Rec => {
          const found = source.factsOf(record, extractSocial, (facts) => facts.social) ?? []
          const own = found.filter((link) => link.thirdParty === null)
          const linkedin = bestLinkedin(own)
          if (linkedin !== undefined) withLinkedin++
          // Exported in one canonical form (https, no tracking parameters, no "#!/"); as written in details.
          return {
            ...record,
            linkedin_url: linkedin === undefined ? null : normalizeSocialUrl(linkedin.value),
            social_urls: own.length === 0 ? null : [...new Set(own.map((link) => normalizeSocialUrl(link.value)))],
            social_details:
              own.length === 0
                ? null
                : own.map((link) => ({
                    value: normalizeSocialUrl(link.value),
                    as_written: link.value,
                    platform: link.platform,
                    company_page: link.companyPage,
                    ...provenance(link)
                  }))
          }
        }
        const finish = Effect.suspend(() => context.measure("records_with_linkedin", withLinkedin))
        return Stream.map(input, enrich).pipe(Stream.concat(Stream.fromEffect(finish).pipe(Stream.drain)))
      })
    )
})
