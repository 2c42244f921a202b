/**
 * Crawlee's CheerioCrawler for bench:crawl, under Node, with the settings crawl.site has where Crawlee
 * has them: 50 requests at most in flight, the fixture web as proxy, robots.txt obeyed, the home page of
 * each site then at most 5 pages linked from it (depth 1, same host), one per kind (contact, legal,
 * about, team, terms) chosen by URL path with the path patterns of plugins/web/Links.ts.
 *
 * usage: node bench/crawlee/crawl.mjs --proxy URL --truth FILE [--concurrency 50]
 * Storage goes to CRAWLEE_STORAGE_DIR (set by the bench), in memory only (persistStorage: false).
 * Prints one JSON line: {"pages","handled","failed","skipped_robots","seconds"}.
 *
 * Crawlee 3.18.1 fetches robots.txt (`respectRobotsTxtFile`) without the crawler's proxy
 * (`RobotsTxtFile.find(url)` in BasicCrawler.getRobotsTxtFileForUrl); the subclass below passes the
 * proxy, as a user crawling through a proxy would have to, so robots.txt reaches the fixture web.
 */
import { readFileSync } from "node:fs"
import { parseArgs } from "node:util"
import { CheerioCrawler, Configuration, log, ProxyConfiguration } from "@crawlee/cheerio"
import { RobotsTxtFile } from "@crawlee/utils"

const { values } = parseArgs({
  options: { proxy: { type: "string" }, truth: { type: "string" }, concurrency: { type: "string" } },
  strict: true
})
if (values.proxy === undefined || values.truth === undefined) {
  console.error("usage: node bench/crawlee/crawl.mjs --proxy URL --truth FILE [--concurrency 50]")
  process.exit(2)
}
const proxy = values.proxy
const concurrency = Number(values.concurrency ?? "50")
const domains = JSON.parse(readFileSync(values.truth, "utf8")).map((site) => site.domain)

/**
 * Path patterns per kind, as in plugins/web/Links.ts (RULES[].path), in its order: on a path alone the
 * first kind that matches wins there too (a `/contact/mentions-legales` page is a legal page).
 */
const KINDS = [
  [
    "legal",
    /mentions[-_]?l[eé]gales|mention[-_]?legale|informations?[-_]l[eé]gales|legal[-_]?notice|\/legal\b|impressum|imprint/
  ],
  [
    "contact",
    /contact|nous[-_]?(joindre|trouver|[ée]crire)|coordonn[ée]es|acces|plan[-_]d[-_]?acces|find[-_]us|reach[-_]us/
  ],
  [
    "about",
    /a[-_]?propos|qui[-_]?sommes[-_]?nous|notre[-_](soci[ée]t[ée]|histoire|entreprise|cabinet|agence)|about|l[-_]?entreprise|presentation|histoire|company\b/
  ],
  ["team", /[ée]quipe|team|collaborateurs|associ[ée]s|dirigeants?|people|staff/],
  ["terms", /\bcgv\b|cgu\b|conditions[-_]g[ée]n[ée]rales|terms|conditions[-_]of[-_]|tos\b/]
]
const NOT_A_PAGE = /\.(pdf|jpe?g|png|gif|webp|svg|zip|docx?|xlsx?|pptx?|mp[34]|avi|mov|css|js|ico|xml|rss|json)(\?|$)/i
const ANY_KIND = new RegExp(KINDS.map(([, pattern]) => pattern.source).join("|"), "i")

/** The kind of page a same-host URL leads to, from its path, or undefined. */
const kindOf = (url, host) => {
  let path
  try {
    const parsed = new URL(url)
    if (parsed.hostname !== host || NOT_A_PAGE.test(parsed.pathname)) return undefined
    path = decodeURIComponent(parsed.pathname).toLowerCase()
  } catch {
    return undefined
  }
  return KINDS.find(([, pattern]) => pattern.test(path))?.[0]
}

class ProxiedRobotsCrawler extends CheerioCrawler {
  async getRobotsTxtFileForUrl(url) {
    if (!this.respectRobotsTxtFile) return undefined
    try {
      const origin = new URL(url).origin
      const cached = this.robotsTxtFileCache.get(origin)
      if (cached) return cached
      const file = await RobotsTxtFile.find(url, proxy)
      this.robotsTxtFileCache.add(origin, file)
      return file
    } catch {
      return undefined
    }
  }
}

log.setLevel(log.LEVELS.ERROR)
let pages = 0
let failed = 0
let skippedRobots = 0
const crawler = new ProxiedRobotsCrawler(
  {
    maxConcurrency: concurrency,
    proxyConfiguration: new ProxyConfiguration({ proxyUrls: [proxy] }),
    respectRobotsTxtFile: true,
    onSkippedRequest: ({ reason }) => {
      if (reason === "robotsTxt") skippedRobots++
    },
    requestHandler: async ({ request, response, enqueueLinks }) => {
      if (response.statusCode === 200) pages++
      if (request.userData.depth !== 0) return
      // One URL per kind, same host, at most 5: the pages crawl.site looks for.
      const kinds = new Set()
      const host = new URL(request.loadedUrl ?? request.url).hostname
      await enqueueLinks({
        strategy: "same-hostname",
        regexps: [ANY_KIND],
        limit: 5,
        userData: { depth: 1 },
        transformRequestFunction: (options) => {
          const kind = kindOf(options.url, host)
          if (kind === undefined || kinds.has(kind)) return false
          kinds.add(kind)
          return options
        }
      })
    },
    failedRequestHandler: () => {
      failed++
    }
  },
  new Configuration({ persistStorage: false, purgeOnStart: true })
)

const started = performance.now()
const stats = await crawler.run(domains.map((domain) => ({ url: `http://${domain}/`, userData: { depth: 0 } })))
const seconds = (performance.now() - started) / 1000
console.log(
  JSON.stringify({
    pages,
    handled: stats.requestsFinished,
    failed,
    skipped_robots: skippedRobots,
    retries: stats.requestsRetries,
    seconds
  })
)
