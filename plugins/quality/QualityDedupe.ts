/**
 * `quality.dedupe`: duplicate flags. A SIRET seen again is a duplicate of the first row; a website
 * domain or a phone that several unrelated companies (different SIRENs) share is flagged on each of
 * them, since it is more likely a directory, a franchise head office or an agency's number than each
 * company's own. Two passes over the record file: the first counts who shares what (memory bound
 * by the distinct domains and phones, not the rows), the second writes the flags.
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { Rec } from "../../core/Record.ts"
import { defineStep } from "../../core/Step.ts"
import { websiteHost } from "../web/PageStore.ts"

/** The host of a website value, without `www.`, lower case; null when not a usable address. */
export const domainOf = websiteHost

const phonesOf = (record: Rec): string[] => {
  const listed = Array.isArray(record.phones) ? record.phones : []
  const values = [...listed, record.phone].filter((value): value is string => typeof value === "string" && value !== "")
  return [...new Set(values)]
}

const sirenOf = (record: Rec): string =>
  typeof record.siren === "string" && record.siren !== "" ? record.siren : String(record.siret ?? "").slice(0, 9)

/** A site whose correlation failed is not the company's: its domain says nothing about sharing. */
const ownDomain = (record: Rec) => (record.match_status === "rejected" ? null : domainOf(record.website))

const addTo = (index: Map<string, Set<string>>, key: string, siren: string) => {
  const set = index.get(key)
  if (set === undefined) index.set(key, new Set([siren]))
  else set.add(siren)
}

/** Who shares what: fed every record once (`count`), then asked for each record's flags in order. */
export class DedupeIndex {
  readonly #domains = new Map<string, Set<string>>()
  readonly #phones = new Map<string, Set<string>>()
  #previousSiret: unknown

  count(record: Rec): void {
    const siren = sirenOf(record)
    const domain = ownDomain(record)
    if (domain !== null) addTo(this.#domains, domain, siren)
    for (const phone of phonesOf(record)) addTo(this.#phones, phone, siren)
  }

  /** The record's flags; records must come in SIRET order (a repeat follows its first row). */
  flags(record: Rec): { readonly duplicateOf: string | null; readonly flags: string[] } {
    const duplicate = record.siret === this.#previousSiret
    this.#previousSiret = record.siret
    const siren = sirenOf(record)
    const others = (set: Set<string> | undefined) => (set === undefined ? 0 : set.size - (set.has(siren) ? 1 : 0))
    const flags: string[] = []
    const domain = ownDomain(record)
    const domainShared = domain === null ? 0 : others(this.#domains.get(domain))
    if (domainShared > 0) flags.push(`shared_domain:${domainShared}`)
    const phoneShared = Math.max(0, ...phonesOf(record).map((phone) => others(this.#phones.get(phone))))
    if (phoneShared > 0) flags.push(`shared_phone:${phoneShared}`)
    return { duplicateOf: duplicate ? String(record.siret) : null, flags }
  }
}

export const qualityDedupe = defineStep({
  id: "quality.dedupe",
  description: "Flags duplicate SIRETs, and domains or phones shared by unrelated companies",
  kind: "transform",
  after: ["quality.score", "quality.checks", "enrich.*", "correlation.checks", "scraper.maps"],
  reads: {
    siret: { type: "string", description: "Establishment identifier" },
    siren: { type: "string", description: "Legal unit identifier", optional: true },
    website: { type: "string", description: "Website", optional: true },
    phone: { type: "string", description: "Main phone", optional: true },
    phones: { type: "string[]", description: "Phones", optional: true },
    match_status: { type: "string", description: "correlation.checks' verdict", optional: true }
  },
  writes: {
    duplicate_of: { type: "string", description: "The SIRET of the first row this row repeats (same SIRET)" },
    dedupe_flags: {
      type: "string[]",
      description:
        "shared_domain:<n> / shared_phone:<n>: the website's domain or a phone is also given for n other companies (other SIRENs)"
    }
  },
  version: "1",
  run: (input, context) =>
    Stream.unwrap(
      Effect.gen(function* () {
        const index = new DedupeIndex()
        yield* Stream.runForEach(input, (record) => Effect.sync(() => index.count(record)))
        const tally = { duplicates: 0, sharedDomain: 0, sharedPhone: 0 }
        const flag = (record: Rec): Rec => {
          const { duplicateOf, flags } = index.flags(record)
          if (duplicateOf !== null) tally.duplicates++
          if (flags.some((item) => item.startsWith("shared_domain"))) tally.sharedDomain++
          if (flags.some((item) => item.startsWith("shared_phone"))) tally.sharedPhone++
          return { ...record, duplicate_of: duplicateOf, dedupe_flags: flags.length === 0 ? null : flags }
        }
        const finish = Effect.suspend(() =>
          Effect.all([
            context.measure("duplicate_rows", tally.duplicates),
            context.measure("rows_with_shared_domain", tally.sharedDomain),
            context.measure("rows_with_shared_phone", tally.sharedPhone)
          ])
        )
        return Stream.map(input, flag).pipe(Stream.concat(Stream.fromEffect(finish).pipe(Stream.drain)))
      })
    )
})
