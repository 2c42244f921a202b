/** The facts of one site's pages, for `page_facts` (loaded by the steps when they run, not at start-up). */
import { organizationOf } from "../parse/organization.ts"
import type { SitePages } from "../parse/ParsedPage.ts"
import { extractContacts } from "./extractContacts.ts"
import type { PageFacts } from "./PageFacts.ts"

export const pageFactsOf = (site: SitePages): PageFacts => ({
  domain: site.domain,
  pages: site.pages.map((page) => ({ url: page.url, kind: page.kind, fetched_at: page.fetchedAt })),
  organization: organizationOf(site.pages),
  ...extractContacts(site)
})
