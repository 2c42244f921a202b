/**
 * Links to a platform that are not anyone's profile, each class with the reason it is left out:
 * - share and intent links ("facebook.com/sharer.php?u=…", "twitter.com/intent/tweet",
 *   "linkedin.com/shareArticle", "pinterest.com/pin/create", any "/share?…"): they share the page
 *   being read;
 * - click-to-chat links ("wa.me/33612345678", "api.whatsapp.com/send?phone=…"): a phone number,
 *   which the phone extractor reads, not a profile;
 * - bare platform addresses ("https://www.linkedin.com/", "facebook.com", "linkedin.com/company/"):
 *   icons left pointing at the platform;
 * - template placeholders ("VOTRE_PROFIL", "your-profile", "username", "{{ … }}", "example");
 * - the platform's own pages (policies, help, legal, login, search, hashtags…);
 * - embeds, plugins and tracking pixels ("facebook.com/plugins/…", "youtube.com/embed/…",
 *   "facebook.com/tr?…").
 */
import type { SocialPlatform } from "./platforms.ts"

export type Exclusion = "share" | "click-to-chat" | "bare" | "placeholder" | "platform-page" | "embed"

/** Paths (lower case, no trailing slash) of share and intent endpoints. */
const SHARE_PATH =
  /^\/(sharer|sharer\.php|share\.php|sharearticle|sharing|cws\/share|dialog|intent|pin\/create|share\/url|submit|widgets\/share|home\/share)(\/|$)/

/** First path segments that are the platform's own pages, on any platform. */
const PLATFORM_PAGES = new Set([
  "policies",
  "policy",
  "privacy",
  "privacy-policy",
  "legal",
  "terms",
  "tos",
  "help",
  "about",
  "settings",
  "login",
  "log-in",
  "signup",
  "sign-up",
  "register",
  "accounts",
  "account",
  "explore",
  "hashtag",
  "search",
  "results",
  "home",
  "notifications",
  "messages",
  "developers",
  "business",
  "ads",
  "advertising",
  "cookies",
  "safety",
  "careers",
  "pricing",
  "features",
  "marketplace",
  "gaming",
  "oauth",
  "checkpoint",
  "recover",
  "r.php",
  "rsrc.php",
  "reg",
  "feed",
  "trending",
  "directory",
  "download",
  "apps",
  "site",
  "contact",
  "t"
])

/** Platform-specific pages of the platform itself (first segment). */
const PLATFORM_PAGES_OF: Readonly<Record<string, ReadonlySet<string>>> = {
  facebook: new Set(["watch", "groups", "events", "gaming", "fundraisers", "pages", "people", "public"]),
  linkedin: new Set(["jobs", "learning", "pulse", "games", "signup", "uas", "checkpoint", "mynetwork"]),
  twitter: new Set(["i", "compose"]),
  youtube: new Set(["feed", "playlist", "premium", "kids"]),
  github: new Set(["features", "enterprise", "topics", "collections", "sponsors", "marketplace", "orgs", "team"])
}

/** Sections that need a name after them: "linkedin.com/company/" alone is a bare address. */
const SECTION_ROOTS = new Set([
  "company",
  "in",
  "pub",
  "school",
  "showcase",
  "groups",
  "pages",
  "people",
  "profile.php",
  "channel",
  "user",
  "c",
  "p",
  "reel",
  "stories",
  "author",
  "invite",
  "@"
])

/** Embeds, plugins and pixels, anywhere in the path. */
const EMBED_PATH = /^\/(plugins|embed|tr|i\/adsct|widgets?|iframe|player)(\/|$)|\/embed(\.js)?$/

/**
 * Words a template leaves where the profile's name goes: "VOTRE_PROFIL", "your-page",
 * "username", "example". Checked against each path segment and query value, case-folded.
 */
const PLACEHOLDER =
  /^(x+|test|page|profil|profile|compte|account|handle|username|user_name|pseudo|lien|link|url|nom|name|ici|here|company|entreprise|societe|lorem|ipsum|(john|jane)[-_.]?doe|jdoe|(your|votre)[-_ ]?(profil|profile|page|compte|account|handle|name|nom|username|user|pseudo|entreprise|company|societe|chaine|channel|id|lien|link).*|(my|mon|ma)[-_]?(profil|profile|page|compte|account|company|entreprise)|.*(example|exemple|placeholder).*)$/

/** The same words in a query value ("profile.php?id=VOTRE_ID"): only the unmistakable ones. */
const PLACEHOLDER_VALUE = /(votre|your[-_ ]?(profil|page|id|name|user)|example|exemple|placeholder|username)/

/** Template syntax left in a link: "{{ site.facebook }}", "<?php … ?>", "${facebook}", "[FACEBOOK]". */
const TEMPLATE_SYNTAX = /[{}<>[\]$]|%7b|%7d|%3c|%3e|%5b|%5d|%24/i

export const exclusionOf = (url: URL, platform: SocialPlatform, written: string): Exclusion | null => {
  if (TEMPLATE_SYNTAX.test(written)) return "placeholder"
  const path = url.pathname.toLowerCase().replace(/\/+$/, "")
  const host = url.hostname.toLowerCase()
  // "/share?u=…" shares; "facebook.com/share/1AbC/" is a short link to a page, kept.
  if (SHARE_PATH.test(path) || /\/share$/.test(path) || url.searchParams.has("share_url")) return "share"
  if (platform === "whatsapp" && (host === "wa.me" || host.endsWith("wa.me") || /^\/send/.test(path))) {
    return "click-to-chat"
  }
  if (EMBED_PATH.test(path)) return "embed"
  const segments = path.split("/").filter((segment) => segment !== "")
  if (segments.length === 0) return "bare"
  const first = segments[0]!
  if (PLATFORM_PAGES.has(first)) return "platform-page"
  if (PLATFORM_PAGES_OF[platform]?.has(first) && segments.length === 1) return "platform-page"
  // "facebook.com/profile.php" names its profile in `id`.
  if (segments.length === 1 && SECTION_ROOTS.has(first) && !(first === "profile.php" && url.searchParams.get("id"))) {
    return "bare"
  }
  const decoded = segments.map((segment) => {
    try {
      return decodeURIComponent(segment)
    } catch {
      return segment
    }
  })
  const named = decoded.filter((segment) => !SECTION_ROOTS.has(segment))
  if (named.some((segment) => PLACEHOLDER.test(segment.replace(/^@/, "")))) return "placeholder"
  for (const [, value] of url.searchParams) if (PLACEHOLDER_VALUE.test(value.toLowerCase())) return "placeholder"
  return null
}
