/** Provenance of found values as dataset cells: snake_case objects, the same keys for every kind. */
import type { Found } from "../parse/ParsedPage.ts"

export const provenance = (found: Found<unknown>) => ({
  url: found.url,
  part: found.part,
  via: found.via,
  confidence: Math.round(found.confidence * 100) / 100,
  fetched_at: found.fetchedAt === null ? null : new Date(found.fetchedAt).toISOString()
})

/** Own values (not the host's, agency's…) in a stable order: most confident first, then by value. */
export const ownByConfidence = <T extends Found<unknown>>(found: ReadonlyArray<T>, key: (value: T) => string) =>
  found
    .filter((value) => value.thirdParty === null)
    .sort((a, b) => b.confidence - a.confidence || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
