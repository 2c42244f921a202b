/**
 * Domains the site credits to someone else: the sites its host and agency lines link to
 * ("Créateur : <a href="www.agence.fr">Agence</a>"). An address on such a domain is that party's
 * wherever it appears, even on a line labelled as the publisher's (agencies often name one of their
 * own staff as webmaster or publication manager).
 */
import type { SitePages, ThirdParty } from "../../parse/ParsedPage.ts"
import { hostOfHref, isFreeMail, isOnDomain, registrableDomain } from "./domains.ts"
import { linkContext } from "./occurrences.ts"
import { ownerOfContext } from "./thirdParty.ts"

/**
 * Registrable domain → the party its credit links name, among `candidates` (the registrable domains
 * of the addresses in question; other links are not looked at), for domains never linked as the
 * site's own.
 */
export const creditedDomains = (site: SitePages, candidates: ReadonlySet<string>): ReadonlyMap<string, ThirdParty> => {
  const credited = new Map<string, ThirdParty>()
  const ownLinked = new Set<string>()
  if (candidates.size === 0) return credited
  for (const page of site.pages) {
    for (const link of page.links) {
      const host = hostOfHref(link.href)
      if (host === null) continue
      const domain = registrableDomain(host)
      if (!candidates.has(domain)) continue
      const owner = ownerOfContext(linkContext(page, link))
      if (owner === "host" || owner === "agency" || owner === "template") {
        if (!credited.has(domain)) credited.set(domain, owner)
      } else if (link.part !== "nav") {
        ownLinked.add(domain)
      }
    }
  }
  for (const domain of credited.keys()) {
    const isSite = site.domain !== null && isOnDomain(domain, site.domain)
    if (ownLinked.has(domain) || isFreeMail(domain) || isSite) credited.delete(domain)
  }
  return credited
}
