/**
 * Extraction benchmark: parse + extract (parse.html's work: parseHtml, then emails, phones, social
 * profiles and the legal identity) on one core, against a naive reference in the same invocation
 * (mailto links plus an email regex and a phone regex over the raw HTML: what most scrapers do, and
 * the floor any real parser must stay within reach of). Pages: the labelled real-site corpus
 * (../shared/corpus/real-sites) and fixture-web pages (every page of --sites sites, fetched once
 * through the fixture server). Figures are medians of --runs runs; the order alternates.
 *
 * usage: bun run bench:extract [--runs 5] [--sites 200] [--rounds 5]
 * Target (issue 5): at least 1,000 pages/s per core for parse and extract.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { extractContacts } from "../plugins/contacts/extractContacts.ts"
import { parseHtml } from "../plugins/parse/parseHtml.ts"
import { startFixtureWeb } from "../plugins/web/fixture/FixtureWeb.ts"

const option = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`)
  return index === -1 ? fallback : Number(process.argv[index + 1] ?? fallback)
}
const runs = option("runs", 5)
const siteCount = option("sites", 200)
const rounds = option("rounds", 5)
const TARGET = 1000

const CORPUS = resolve(import.meta.dir, "../../shared/corpus/real-sites/pages")

interface Site {
  readonly pages: ReadonlyArray<{ readonly url: string; readonly html: string }>
}

const corpusSites = (): Site[] => {
  if (!existsSync(CORPUS)) return []
  return readdirSync(CORPUS).map((id) => ({
    pages: readdirSync(join(CORPUS, id)).map((file) => ({
      url: `file:///${id}/${file}`,
      html: readFileSync(join(CORPUS, id, file), "utf8")
    }))
  }))
}

const fixtureSites = async (count: number): Promise<Site[]> => {
  const web = await startFixtureWeb({ seed: 7, sites: count })
  try {
    const sites: Site[] = []
    for (const truth of web.truth) {
      const pages = []
      for (const page of truth.pages) {
        const url = `http://${truth.domain}${page.path}`
        const response = await fetch(url, { proxy: web.proxyUrl, headers: { "accept-encoding": "identity" } })
        pages.push({ url, html: await response.text() })
      }
      sites.push({ pages })
    }
    return sites
  } finally {
    await web.stop()
  }
}

const EMAIL = /[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}/gi
const PHONE = /(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}/g

/** The reference: what a naive scraper does with the raw HTML. */
const naive = (site: Site) => {
  const emails = new Set<string>()
  const phones = new Set<string>()
  for (const page of site.pages) {
    for (const match of page.html.matchAll(/href="mailto:([^"?]+)/gi)) emails.add(match[1]!.toLowerCase())
    for (const match of page.html.matchAll(EMAIL)) emails.add(match[0].toLowerCase())
    for (const match of page.html.matchAll(PHONE)) phones.add(match[0].replace(/\D/g, ""))
  }
  return emails.size + phones.size
}

const filon = (site: Site) => {
  const pages = site.pages.map((page) => parseHtml(page.html, { url: page.url }))
  const found = extractContacts({ domain: null, pages })
  return found.emails.length + found.phones.length
}

const pagesPerSecond = (sites: ReadonlyArray<Site>, extract: (site: Site) => number) => {
  const pages = sites.reduce((sum, site) => sum + site.pages.length, 0)
  let sink = 0
  const started = performance.now()
  for (let round = 0; round < rounds; round++) for (const site of sites) sink += extract(site)
  const seconds = (performance.now() - started) / 1000
  if (sink < 0) console.log(sink)
  return (pages * rounds) / seconds
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

const sets: Array<[string, Site[]]> = [
  ["real-site corpus", corpusSites()],
  [`fixture web (${siteCount} sites)`, await fixtureSites(siteCount)]
]

console.log(`parse + extract, one core, medians of ${runs} runs of ${rounds} rounds each`)
for (const [label, sites] of sets) {
  if (sites.length === 0) {
    console.log(`${label}: not found, skipped`)
    continue
  }
  const pages = sites.reduce((sum, site) => sum + site.pages.length, 0)
  const bytes = sites.reduce((sum, site) => sum + site.pages.reduce((total, page) => total + page.html.length, 0), 0)
  // Warm-up: JIT and the phone metadata.
  pagesPerSecond(sites.slice(0, 5), filon)
  const filonRuns: number[] = []
  const naiveRuns: number[] = []
  for (let run = 0; run < runs; run++) {
    if (run % 2 === 0) {
      filonRuns.push(pagesPerSecond(sites, filon))
      naiveRuns.push(pagesPerSecond(sites, naive))
    } else {
      naiveRuns.push(pagesPerSecond(sites, naive))
      filonRuns.push(pagesPerSecond(sites, filon))
    }
  }
  const ours = median(filonRuns)
  const reference = median(naiveRuns)
  console.log(
    `${label}: ${sites.length} sites, ${pages} pages, ${Math.round(bytes / pages / 1024)} KiB/page\n` +
      `  Filon parse + extract  ${Math.round(ours).toLocaleString("en")} pages/s  (target ${TARGET}: ${ours >= TARGET ? "met" : "NOT MET"})\n` +
      `  naive regex reference  ${Math.round(reference).toLocaleString("en")} pages/s  (Filon/naive ${(ours / reference).toFixed(2)})`
  )
}
