/**
 * Hosts that carry pages of many companies: social networks, directories, link-in-bio services,
 * marketplaces and site builders' shared domains. A company-list `website` on one of them
 * (`https://www.facebook.com/BoulangerieA`) is not the company's own site: its pages, crawled once per
 * origin, would give every company on the host the same contacts, so extraction reads none there.
 */
import { platformOfHost } from "../contacts/social/platforms.ts"

const SHARED = [
  "pagesjaunes.fr",
  "societe.com",
  "pappers.fr",
  "infogreffe.fr",
  "verif.com",
  "manageo.fr",
  "annuaire-entreprises.data.gouv.fr",
  "entreprises.lefigaro.fr",
  "sites.google.com",
  "google.com",
  "business.site",
  "goo.gl",
  "linktr.ee",
  "doctolib.fr",
  "leboncoin.fr",
  "amazon.fr",
  "etsy.com",
  "tripadvisor.fr",
  "yelp.fr",
  "booking.com",
  "airbnb.fr",
  "wixsite.com",
  "wordpress.com",
  "blogspot.com",
  "over-blog.com",
  "jimdofree.com",
  "e-monsite.com",
  "webnode.fr",
  "github.io"
]

export const isSharedHost = (hostname: string): boolean => {
  const host = hostname.toLowerCase().replace(/\.$/, "")
  if (platformOfHost(host) !== null) return true
  return SHARED.some((domain) => host === domain || host.endsWith(`.${domain}`))
}
