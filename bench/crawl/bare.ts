/**
 * The bare Bun fetch loop of bench:crawl: what a naive crawler does, as the ceiling of request rate.
 * At most CONCURRENCY requests in flight, no robots.txt, no per-host limits, no retries; for each site
 * the home page, then the contact/legal/about/team/terms links found on it (the same choice as
 * crawl.site's, from plugins/web/Links.ts), every body kept in memory.
 *
 * usage: bun bench/crawl/bare.ts --proxy URL --truth FILE [--concurrency 50]
 * Prints one JSON line: {"pages","requests","failures","kept_mb","seconds"}.
 */
import { parseArgs } from "node:util"
import { extractLinks, pickPages, WANTED_KINDS } from "../../plugins/web/Links.ts"

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { proxy: { type: "string" }, truth: { type: "string" }, concurrency: { type: "string" } },
  strict: true
})
if (values.proxy === undefined || values.truth === undefined) {
  console.error("usage: bun bench/crawl/bare.ts --proxy URL --truth FILE [--concurrency 50]")
  process.exit(2)
}
const proxy = values.proxy
const concurrency = Number(values.concurrency ?? "50")
const domains = ((await Bun.file(values.truth).json()) as Array<{ domain: string }>).map((site) => site.domain)

/** A counting semaphore: every fetch, home or not, takes one of CONCURRENCY slots. */
let active = 0
const waiting: Array<() => void> = []
const limited = async <A>(task: () => Promise<A>): Promise<A> => {
  if (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve))
  else active++
  try {
    return await task()
  } finally {
    const next = waiting.shift()
    if (next) next()
    else active--
  }
}

const kept: Array<{ url: string; body: string }> = []
let pages = 0
let requests = 0
let failures = 0

const get = (url: string) =>
  limited(async () => {
    requests++
    try {
      const response = await fetch(url, { proxy })
      const body = await response.text()
      const html = (response.headers.get("content-type") ?? "").includes("html")
      if (response.status === 200 && html) pages++
      kept.push({ url: response.url, body })
      return { ok: response.status === 200, finalUrl: response.url, body }
    } catch {
      failures++
      return { ok: false, finalUrl: url, body: "" }
    }
  })

const started = performance.now()
await Promise.all(
  domains.map(async (domain) => {
    const home = await get(`http://${domain}/`)
    if (!home.ok) return
    const links = extractLinks(home.body, home.finalUrl)
    const picked = pickPages(links, home.finalUrl, WANTED_KINDS, new Set([`http://${domain}/`, home.finalUrl]))
    await Promise.all([...picked.values()].map((url) => get(url)))
  })
)
const seconds = (performance.now() - started) / 1000
const keptBytes = kept.reduce((sum, page) => sum + page.body.length, 0)
console.log(JSON.stringify({ pages, requests, failures, kept_mb: Math.round(keptBytes / 1048576), seconds }))
