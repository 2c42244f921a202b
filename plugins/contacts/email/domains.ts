/**
 * What an email's domain says about who owns the address: the site's own domain, a free-mail
 * provider (small French businesses use them as their own address), a web host or site platform
 * (their support addresses are printed in legal notices), a public body (CNIL boilerplate), or a
 * tracker whose IDs look like addresses.
 */
import { domainToASCII } from "node:url"
import { disposableEmailBlocklistSet } from "disposable-email-domains-js"
import type { ThirdParty } from "../../parse/ParsedPage.ts"

/** True when `domain` is `site` or one of its subdomains (`mail.acme.fr` is on `acme.fr`). */
export const isOnDomain = (domain: string, site: string): boolean => {
  // Compared in ASCII form: a site's URL gives its host in punycode, its pages write "élise.fr".
  const bare = domainToASCII(site.toLowerCase().replace(/^www\./, "")) || site.toLowerCase()
  const own = domainToASCII(domain.toLowerCase()) || domain.toLowerCase()
  return own === bare || own.endsWith(`.${bare}`)
}

/** `domain` or any parent of it is in `set` (`fr.ovh.net` is in a set holding `ovh.net`). */
const inSet = (set: ReadonlySet<string>, domain: string): boolean => {
  let rest = domain
  for (;;) {
    if (set.has(rest)) return true
    const dot = rest.indexOf(".")
    if (dot < 0) return false
    rest = rest.slice(dot + 1)
  }
}

/** Mailbox providers: an address there is whoever printed it, never the provider's. */
const FREE_MAIL = new Set(
  [
    "gmail.com googlemail.com outlook.fr outlook.com hotmail.fr hotmail.com live.fr live.com msn.com",
    "yahoo.fr yahoo.com ymail.com aol.com aol.fr icloud.com me.com mac.com protonmail.com proton.me pm.me",
    "orange.fr wanadoo.fr free.fr sfr.fr neuf.fr cegetel.net club-internet.fr aliceadsl.fr alice.fr",
    "laposte.net bbox.fr numericable.fr noos.fr 9online.fr gmx.fr gmx.com gmx.de web.de mailo.com",
    "ik.me etik.com tutanota.com tuta.io zoho.com yandex.com mail.ru libertysurf.fr tiscali.fr",
    "hotmail.be outlook.be live.be yahoo.be skynet.be bluewin.ch hispeed.ch sunrise.ch videotron.ca"
  ]
    .join(" ")
    .split(" ")
)

export const isFreeMail = (domain: string): boolean => FREE_MAIL.has(domain)

/**
 * Web hosts, site platforms and public bodies whose addresses appear in legal notices and privacy
 * boilerplate. A subdomain counts (`support.ovh.com`). Free-mail domains are deliberately absent.
 */
const OWNER_BY_DOMAIN: ReadonlyArray<readonly [ThirdParty, string]> = [
  [
    "host",
    "ovh.net ovh.com ovh.fr ovhcloud.com kimsufi.com soyoustart.com o2switch.fr o2switch.net ionos.fr ionos.com " +
      "ionos.de 1and1.fr 1and1.com 1und1.de online.net online.fr scaleway.com gandi.net hostinger.com hostinger.fr " +
      "lws.fr lws-hosting.com infomaniak.com planethoster.com planethoster.info alwaysdata.com alwaysdata.net " +
      "ikoula.com ouvaton.coop pulseheberg.com phpnet.org amen.fr nuxit.com strato.fr strato.de hetzner.com " +
      "hetzner.de digitalocean.com linode.com bluehost.com siteground.com hostgator.com dreamhost.com " +
      "namecheap.com godaddy.com one.com github.com githubsupport.com netlify.com vercel.com render.com " +
      "heroku.com cloudflare.com amazonaws.com firebase.com"
  ],
  [
    "platform",
    "wix.com wixsite.com wordpress.com wordpress.org automattic.com jimdo.com jimdosite.com squarespace.com " +
      "shopify.com webflow.com webflow.io weebly.com e-monsite.com site123.com strikingly.com sitew.com " +
      "webnode.fr webnode.com wizishop.com prestashop.com blogger.com blogspot.com over-blog.com " +
      "simplesite.com hubspot.com mailchimp.com sendinblue.com brevo.com"
  ],
  ["other", "cnil.fr gouv.fr gov service-public.fr legifrance.fr europa.eu"]
]

const OWNER_SETS: ReadonlyArray<readonly [ThirdParty, ReadonlySet<string>]> = OWNER_BY_DOMAIN.map(
  ([owner, list]) => [owner, new Set(list.split(" "))] as const
)

/** Who an address on this domain belongs to when it is a known host, platform or public body. */
export const ownerOfDomain = (domain: string): ThirdParty | null => {
  for (const [owner, set] of OWNER_SETS) if (inSet(set, domain)) return owner
  return null
}

/** Error trackers whose DSNs and IDs read like addresses (`3f…9a@o123.ingest.sentry.io`). */
const TRACKERS = new Set(["sentry.io", "sentry.wixpress.com", "sentry-next.wixpress.com", "wixpress.com"])

export const isTrackerDomain = (domain: string): boolean => inSet(TRACKERS, domain)

let disposable: ReadonlySet<string> | undefined

/** From the maintained `disposable-email-domains-js` list; the set is built once (its helper rebuilds it per call). */
export const isDisposableDomain = (domain: string): boolean => {
  disposable ??= disposableEmailBlocklistSet()
  return disposable.has(domain)
}

/** Second-level labels under which a registrable name sits one level lower (`acme.co.uk`, `club.asso.fr`). */
const SECOND_LEVEL = new Set(["co", "com", "org", "net", "asso", "gouv", "ac", "gov", "edu", "nom", "tm"])

/** The registrable part of a host name, approximately (no public-suffix list): `mail.acme.fr` → `acme.fr`. */
export const registrableDomain = (host: string): string => {
  const labels = host.toLowerCase().replace(/\.$/, "").split(".")
  if (labels.length <= 2) return labels.join(".")
  const keep = SECOND_LEVEL.has(labels[labels.length - 2]!) ? 3 : 2
  return labels.slice(-keep).join(".")
}

/**
 * The host name a link points to, from its href as written: absolute URLs, protocol-relative ones
 * and schemeless `www.agence.fr` (which a browser would resolve as a relative path, but the author
 * meant a site).
 */
export const hostOfHref = (href: string): string | null => {
  const match = /^(?:https?:)?\/\/([^/?#:]+)|^(www\.[a-z0-9.-]+\.[a-z]{2,})(?:[/?#]|$)/i.exec(href.trim())
  const host = match?.[1] ?? match?.[2]
  return host === undefined ? null : host.toLowerCase().replace(/^www\./, "")
}
