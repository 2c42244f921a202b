// Cheap test run on every crawled page: does its static HTML lack the content a browser would render?

/** Below this many visible characters, a page that has scripts is assumed to build its content with JavaScript. */
export const MIN_VISIBLE_CHARS = 200

/**
 * Below this many visible characters, a strong sign of a client-rendered app (an empty SPA mount point, a `<noscript>`
 * asking for JavaScript) is enough on its own: headers, menus and footers rarely exceed it.
 */
export const MAX_SHELL_CHARS = 1_000

/** Only the first this many characters of the HTML are examined, to keep the test linear and cheap on huge pages. */
export const MAX_INSPECTED_CHARS = 1_000_000

export interface BrowserNeed {
  readonly needed: boolean
  readonly reason: string
}

const invisibleBlocks =
  /<(script|style|noscript|template|svg|iframe|object)\b[^>]*>[\s\S]*?<\/\1\s*>|<!--[\s\S]*?-->|<head\b[^>]*>[\s\S]*?<\/head\s*>/gi
const tags = /<\/?[a-z!?][^>]*>/gi
const entities = /&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});/gi
const whitespace = /\s+/g
const scriptTag = /<script\b/gi
const emptyMount =
  /<(?:div|main|section)\b[^>]*\bid\s*=\s*["']?(root|app|__next|__nuxt|___gatsby|svelte|q-app)["']?[^>]*>\s*<\/(?:div|main|section)\s*>/i
const angularRoot = /<app-root\b[^>]*>\s*<\/app-root\s*>/i
const noscriptBlock = /<noscript\b[^>]*>([\s\S]*?)<\/noscript\s*>/gi
const asksForJavaScript =
  /javascript[\s\S]{0,80}(?:enable|activ|turn on|switch on|requir|need|nécessaire|necessaire|support)|(?:enable|activ|turn on|switch on|requir|need|nécessite|necessite|besoin)[\s\S]{0,80}javascript/i

/** The text a reader would see in `html`, whitespace collapsed (scripts, styles, comments, head and tags removed). */
export const visibleText = (html: string): string =>
  html
    .slice(0, MAX_INSPECTED_CHARS)
    .replace(invisibleBlocks, " ")
    .replace(tags, " ")
    .replace(entities, (entity) => (entity.toLowerCase() === "&nbsp;" ? " " : "_"))
    .replace(whitespace, " ")
    .trim()

const INVISIBLE = new Set(["script", "style", "noscript", "template", "svg", "iframe", "object", "head"])
const closers = new Map([...INVISIBLE].map((name) => [name, new RegExp(`</${name}\\s*>`, "gi")]))

const isSpace = (code: number) => code === 32 || (code >= 9 && code <= 13) || code === 160

/**
 * The length `visibleText(html)` would have, counted in one pass without building any string, and
 * stopping once `stopAt` is reached. It runs on every crawled page, so it must not allocate: the
 * regular-expression version makes four page-sized strings per call.
 */
export const visibleChars = (html: string, stopAt = Number.POSITIVE_INFINITY): number => {
  const end = Math.min(html.length, MAX_INSPECTED_CHARS)
  let count = 0
  let pendingSpace = false
  let i = 0
  const emit = () => {
    if (pendingSpace && count > 0) count++
    pendingSpace = false
    count++
  }
  while (i < end && count < stopAt) {
    const code = html.charCodeAt(i)
    if (code === 60 /* < */) {
      if (html.startsWith("<!--", i)) {
        const close = html.indexOf("-->", i + 4)
        i = close < 0 ? end : close + 3
        pendingSpace = true
        continue
      }
      const next = html.charCodeAt(i + 1)
      const opens = (next >= 65 && next <= 90) || (next >= 97 && next <= 122)
      if (opens || next === 47 /* / */ || next === 33 /* ! */ || next === 63 /* ? */) {
        if (opens) {
          let nameEnd = i + 1
          while (nameEnd < end && nameEnd - i <= 9) {
            const c = html.charCodeAt(nameEnd) | 32
            if (c < 97 || c > 122) break
            nameEnd++
          }
          const closer = closers.get(html.slice(i + 1, nameEnd).toLowerCase())
          if (closer !== undefined) {
            closer.lastIndex = nameEnd
            const found = closer.exec(html)
            i = found === null ? end : found.index + found[0].length
            pendingSpace = true
            continue
          }
        }
        const close = html.indexOf(">", i)
        i = close < 0 ? end : close + 1
        pendingSpace = true
        continue
      }
    }
    if (isSpace(code)) {
      pendingSpace = true
      i++
      continue
    }
    if (code === 38 /* & */) {
      const semicolon = html.indexOf(";", i)
      if (
        semicolon > i + 1 &&
        semicolon - i <= 33 &&
        /^&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});$/i.test(html.slice(i, semicolon + 1))
      ) {
        if (html.slice(i, semicolon + 1).toLowerCase() === "&nbsp;") pendingSpace = true
        else emit()
        i = semicolon + 1
        continue
      }
    }
    emit()
    i++
  }
  return count
}

const noscriptAsksForJavaScript = (html: string): boolean => {
  for (const match of html.matchAll(noscriptBlock)) {
    if (asksForJavaScript.test(match[1] ?? "")) return true
  }
  return false
}

/**
 * Whether static `html` lacks content that only a browser would render. Rules, first match wins:
 * 1. at least {@link MAX_SHELL_CHARS} visible characters → not needed;
 * 2. an empty SPA mount point (`<div id="root"></div>`, `#app`, `#__next`, `#__nuxt`, `<app-root></app-root>`…)
 *    → needed;
 * 3. a `<noscript>` asking to enable JavaScript → needed;
 * 4. fewer than {@link MIN_VISIBLE_CHARS} visible characters and at least one `<script>` → needed;
 * 5. otherwise → not needed (enough text, or nothing a script could add).
 */
export const needsBrowser = (html: string): BrowserNeed => {
  const inspected = html.length > MAX_INSPECTED_CHARS ? html.slice(0, MAX_INSPECTED_CHARS) : html
  // Most pages have plenty of text: counted without allocating, stopping at the threshold.
  if (visibleChars(inspected, MAX_SHELL_CHARS) >= MAX_SHELL_CHARS) {
    return { needed: false, reason: `at least ${MAX_SHELL_CHARS} visible chars` }
  }
  const chars = visibleText(inspected).length
  const mount = emptyMount.exec(inspected)
  if (mount) return { needed: true, reason: `empty SPA mount point #${mount[1]} (${chars} visible chars)` }
  if (angularRoot.test(inspected))
    return { needed: true, reason: `empty SPA mount point <app-root> (${chars} visible chars)` }
  if (noscriptAsksForJavaScript(inspected)) {
    return { needed: true, reason: `noscript asks to enable JavaScript (${chars} visible chars)` }
  }
  const scripts = inspected.match(scriptTag)?.length ?? 0
  if (chars < MIN_VISIBLE_CHARS && scripts > 0) {
    return { needed: true, reason: `${chars} visible chars < ${MIN_VISIBLE_CHARS} with ${scripts} script(s)` }
  }
  if (scripts === 0) return { needed: false, reason: `${chars} visible chars, no scripts` }
  return { needed: false, reason: `${chars} visible chars` }
}
