/**
 * One form per profile, for comparing links: "https://fr-fr.facebook.com/Acme/?ref=bookmarks" and
 * "http://www.facebook.com/Acme" are the same page. https; host lower-cased without "www.", "m."
 * or a locale prefix ("fr.", "fr-fr."); no trailing slash; tracking and referral parameters and
 * the fragment dropped; parameters that name the page kept (`id` of facebook.com/profile.php,
 * `v` of a YouTube video).
 */
import { canonicalHost } from "./platforms.ts"

/** Query parameters that only say where a visitor came from or who shared the link. */
const TRACKING = new Set([
  "fbclid",
  "gclid",
  "igshid",
  "igsh",
  "mibextid",
  "ref",
  "ref_src",
  "ref_url",
  "refsrc",
  "fref",
  "hc_ref",
  "hl",
  "locale",
  "lang",
  "feature",
  "si",
  "s",
  "t",
  "trk",
  "trkinfo",
  "originalsubdomain",
  "sk",
  "lipi",
  "_rdr",
  "rdr",
  "__tn__",
  "__cft__",
  "__xts__",
  "_t",
  "_r",
  "app",
  "from",
  "source",
  "share",
  "sharer",
  "is_from_webapp",
  "sender_device",
  "sub_confirmation",
  "view_as",
  "paipv",
  "eav"
])

const isTracking = (name: string): boolean => {
  const lower = name.toLowerCase()
  return TRACKING.has(lower) || lower.startsWith("utm_") || lower.startsWith("_hs") || lower.startsWith("mc_")
}

/** A link written without its scheme: "//www.facebook.com/acme", "instagram.com/acme". */
export const withScheme = (url: string): string => {
  if (url.startsWith("//")) return `https:${url}`
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url) && /^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(\/|$)/i.test(url)) {
    return `https://${url}`
  }
  return url
}

export const normalizeSocialUrl = (url: string): string => {
  const trimmed = url.trim()
  let parsed: URL
  try {
    parsed = new URL(withScheme(trimmed))
  } catch {
    return trimmed
  }
  if (!/^https?:$/.test(parsed.protocol)) return trimmed
  if (parsed.hash.startsWith("#!/")) parsed = new URL(`${parsed.origin}${parsed.hash.slice(2)}`)
  const host = canonicalHost(parsed.hostname)
  const path = parsed.pathname.replace(/\/+$/, "")
  const kept = [...parsed.searchParams].filter(([name]) => !isTracking(name))
  const query = kept.length === 0 ? "" : `?${new URLSearchParams(kept).toString()}`
  return `https://${host}${path}${query}`
}
