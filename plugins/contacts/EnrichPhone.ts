/**
 * `enrich.phone`: the site's own phone numbers in E.164 (overseas departments with their own
 * country codes), typed (landline, mobile, premium…), faxes and the host's or agency's numbers
 * kept apart.
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { Rec } from "../../core/Record.ts"
import { defineStep } from "../../core/Step.ts"
import { ownByConfidence, provenance } from "./details.ts"
import type { PhoneFound } from "./phone/extractPhones.ts"
import { openFactsSource, SITE_FACTS_AFTER, SITE_FACTS_READS } from "./siteFacts.ts"

/** Numbers to call first: landlines and mobiles before premium or unknown lines. */
const CALLABLE: ReadonlyArray<PhoneFound["type"]> = [
  "landline",
  "mobile",
  "voip",
  "toll_free",
  "shared_cost",
  "unknown",
  "premium"
]

export const orderedOwnPhones = (found: ReadonlyArray<PhoneFound>) =>
  ownByConfidence(
    found.filter((phone) => !phone.fax),
    (phone) => phone.value
  ).sort((a, b) => CALLABLE.indexOf(a.type) - CALLABLE.indexOf(b.type))

export const enrichPhoneStep = defineStep({
  id: "enrich.phone",
  description: "Phone numbers from each site's pages: E.164, type, region; faxes and third parties' numbers kept apart",
  kind: "transform",
  needs: ["crawl.site"],
  after: SITE_FACTS_AFTER,
  reads: {
    ...SITE_FACTS_READS
  },
  writes: {
    phone: { type: "string", description: "The company's main number (E.164), landlines and mobiles first" },
    phone_type: {
      type: "string",
      description: "Type of `phone`: landline, mobile, voip, toll_free, shared_cost, premium, unknown"
    },
    phones: { type: "string[]", description: "Every number the site gives as its own (E.164), faxes excluded" },
    fax_numbers: { type: "string[]", description: "Numbers the site labels as fax (E.164)" },
    phone_details: {
      type: "object[]",
      description: "Per number: type, region, as written, where it was found (url, part, via), confidence, fetched_at"
    },
    phones_third_party: {
      type: "string[]",
      description: "Numbers of the web host or agency seen on the site (not the company's)",
      internal: true
    }
  },
  version: "1",
  run: (input, context) =>
    Stream.unwrapScoped(
      Effect.gen(function* () {
        const source = yield* openFactsSource(context)
        const { extractPhones } = yield* Effect.promise(() => import("./phone/extractPhones.ts"))
        let withPhone = 0
        const enrich = (record: Rec): Rec => {
          const found = source.factsOf(record, extractPhones, (facts) => facts.phones) ?? []
          const own = orderedOwnPhones(found)
          const faxes = found.filter((phone) => phone.fax && phone.thirdParty === null).map((phone) => phone.value)
          const others = found.filter((phone) => phone.thirdParty !== null).map((phone) => phone.value)
          if (own.length > 0) withPhone++
          return {
            ...record,
            phone: own[0]?.value ?? null,
            phone_type: own[0]?.type ?? null,
            phones: own.length === 0 ? null : own.map((phone) => phone.value),
            fax_numbers: faxes.length === 0 ? null : [...new Set(faxes)],
            phone_details:
              own.length === 0
                ? null
                : own.map((phone) => ({
                    value: phone.value,
                    type: phone.type,
                    region: phone.region,
                    as_written: phone.asWritten,
                    ...provenance(phone)
                  })),
            phones_third_party: others.length === 0 ? null : [...new Set(others)]
          }
        }
        const finish = Effect.suspend(() => context.measure("records_with_phone", withPhone))
        return Stream.map(input, enrich).pipe(Stream.concat(Stream.fromEffect(finish).pipe(Stream.drain)))
      })
    )
})
