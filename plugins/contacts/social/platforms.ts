/**
 * The social platforms recognised, by host: a link is a platform's when its host is the platform's
 * domain or a subdomain of it ("fr.linkedin.com", "fr-fr.facebook.com", "artist.bandcamp.com"),
 * except for the platform's own services on subdomains (developers, help, ads, embedded players…).
 *
 * Mainstream: linkedin, facebook, instagram, twitter (x.com), youtube, tiktok, pinterest, snapchat,
 * whatsapp, github. Niche, as small French businesses and associations link them: wattpad,
 * discord, scribay (writers), soundcloud, bandcamp, spotify, deezer (musicians), vimeo,
 * dailymotion, twitch (video), threads, bluesky, mastodon.social, tumblr, flickr, behance,
 * dribbble, medium, telegram, viadeo, linktree.
 */

export type SocialPlatform =
  | "linkedin"
  | "facebook"
  | "instagram"
  | "twitter"
  | "youtube"
  | "tiktok"
  | "pinterest"
  | "snapchat"
  | "whatsapp"
  | "github"
  | (string & {})

/** Platforms in the order results list them: the mainstream ones first, niche ones after. */
export const PLATFORM_ORDER: ReadonlyArray<SocialPlatform> = [
  "linkedin",
  "facebook",
  "instagram",
  "twitter",
  "youtube",
  "tiktok",
  "pinterest",
  "snapchat",
  "whatsapp",
  "github"
]

const DOMAINS: ReadonlyArray<readonly [string, SocialPlatform]> = [
  ["linkedin.com", "linkedin"],
  ["lnkd.in", "linkedin"],
  ["facebook.com", "facebook"],
  ["fb.com", "facebook"],
  ["fb.me", "facebook"],
  ["fb.watch", "facebook"],
  ["instagram.com", "instagram"],
  ["instagr.am", "instagram"],
  ["twitter.com", "twitter"],
  ["x.com", "twitter"],
  ["youtube.com", "youtube"],
  ["youtu.be", "youtube"],
  ["tiktok.com", "tiktok"],
  ["pinterest.com", "pinterest"],
  ["pinterest.fr", "pinterest"],
  ["pin.it", "pinterest"],
  ["snapchat.com", "snapchat"],
  ["whatsapp.com", "whatsapp"],
  ["wa.me", "whatsapp"],
  ["github.com", "github"],
  ["wattpad.com", "wattpad"],
  ["discord.gg", "discord"],
  ["discord.com", "discord"],
  ["scribay.com", "scribay"],
  ["soundcloud.com", "soundcloud"],
  ["bandcamp.com", "bandcamp"],
  ["open.spotify.com", "spotify"],
  ["deezer.com", "deezer"],
  ["vimeo.com", "vimeo"],
  ["dailymotion.com", "dailymotion"],
  ["twitch.tv", "twitch"],
  ["threads.net", "threads"],
  ["threads.com", "threads"],
  ["bsky.app", "bluesky"],
  ["mastodon.social", "mastodon"],
  ["tumblr.com", "tumblr"],
  ["flickr.com", "flickr"],
  ["behance.net", "behance"],
  ["dribbble.com", "dribbble"],
  ["medium.com", "medium"],
  ["t.me", "telegram"],
  ["viadeo.com", "viadeo"],
  ["linktr.ee", "linktree"]
]

/**
 * Subdomains that serve the platform itself, not its members' pages: developer and help sites,
 * ads and tracking pixels, link shims, embedded players and widgets.
 */
const SERVICE_SUBDOMAINS = new Set([
  "developers",
  "developer",
  "help",
  "support",
  "about",
  "business",
  "ads",
  "px",
  "analytics",
  "ct",
  "l",
  "lm",
  "platform",
  "api",
  "graph",
  "static",
  "blog",
  "newsroom",
  "engineering",
  "careers",
  "status",
  "player",
  "w",
  "embed",
  "widgets",
  "widget",
  "connect",
  "legal",
  "privacy",
  "policies",
  "transparency",
  "investor",
  "investors",
  "docs",
  "gist",
  "pages"
])

/** Locale and mobile prefixes that do not change the page ("fr.", "fr-fr.", "m.", "www.", "web."). */
const NEUTRAL_SUBDOMAIN = /^(www\d?|m|mobile|touch|web|[a-z]{2}|[a-z]{2}-[a-z]{2})$/

/** Platforms whose members have a subdomain of their own ("artist.bandcamp.com"): no locale prefixes. */
const MEMBER_SUBDOMAINS: ReadonlySet<SocialPlatform> = new Set(["bandcamp", "tumblr"])

export interface PlatformHost {
  readonly platform: SocialPlatform
  /** The platform's domain ("facebook.com" for "fr-fr.facebook.com"). */
  readonly domain: string
}

/** The platform a host belongs to, or null (not a platform, or one of its service subdomains). */
export const platformOfHost = (host: string): PlatformHost | null => {
  const name = host.toLowerCase().replace(/\.$/, "")
  for (const [domain, platform] of DOMAINS) {
    if (name === domain) return { platform, domain }
    if (!name.endsWith(`.${domain}`)) continue
    const sub = name.slice(0, -domain.length - 1)
    const first = sub.split(".")[0]!
    if (SERVICE_SUBDOMAINS.has(first)) return null
    return { platform, domain }
  }
  return null
}

/** The host without the prefixes that do not change the page, for a platform's host. */
export const canonicalHost = (host: string): string => {
  const name = host.toLowerCase().replace(/\.$/, "")
  const platform = platformOfHost(name)
  if (platform === null) return name.replace(/^(www\d?|m|mobile)\./, "")
  if (name === platform.domain) return name
  const sub = name.slice(0, -platform.domain.length - 1)
  const neutral = MEMBER_SUBDOMAINS.has(platform.platform) ? /^(www\d?|m)$/.test(sub) : NEUTRAL_SUBDOMAIN.test(sub)
  return neutral ? platform.domain : name
}
