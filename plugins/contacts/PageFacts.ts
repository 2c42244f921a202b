/**
 * `page_facts`: what one site's pages say, extracted once by parse.html and carried in the record
 * (compact: the found values with their provenance, not the pages) so each enrich step reads it
 * instead of parsing the pages again. Without parse.html in the profile, an enrich step extracts
 * what it needs from the run's page stores itself: the result is the same.
 */
import type { Organization } from "../parse/organization.ts"
import type { SiteContacts } from "./extractContacts.ts"

export interface PageFacts extends SiteContacts {
  readonly domain: string | null
  readonly pages: ReadonlyArray<{
    readonly url: string
    readonly kind: string | null
    readonly fetched_at: number | null
  }>
  readonly organization: Organization | null
}

/** The facts parse.html left in a record, if it did (shape checked: a record file is data from disk). */
export const storedFacts = (value: unknown): PageFacts | undefined => {
  if (typeof value !== "object" || value === null) return undefined
  const facts = value as Partial<PageFacts>
  return Array.isArray(facts.pages) &&
    Array.isArray(facts.emails) &&
    Array.isArray(facts.phones) &&
    Array.isArray(facts.social) &&
    typeof facts.identity === "object"
    ? (facts as PageFacts)
    : undefined
}
