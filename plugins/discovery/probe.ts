/**
 * Is a home page the company's site? Pure functions over an answer already fetched: parked and
 * placeholder pages, directories and platforms are rejected; a live page scores by what it says of
 * the company (its name in the title or the text, its SIREN, its city).
 */
import type { FetchResponse } from "../../core/http/HttpFetcher.ts"
import { isSharedHost } from "../parse/sharedHosts.ts"
import { nameWords, significantWords } from "./candidates.ts"

/** Words of parked domains, "for sale" pages and registrars' or hosts' placeholders. */
const PARKED = [
  /domaine? (?:est )?(?:a|en) vendre/,
  /ce (?:nom de )?domaine (?:est|a ete|vient d etre) (?:a vendre|reserve|enregistre|parke)/,
  /nom de domaine (?:reserve|enregistre|parke)/,
  /this domain (?:name )?(?:is|may be) (?:for sale|parked|registered)/,
  /(?:buy|acheter|acquire) this domain/,
  /domain (?:is )?(?:for sale|parked)/,
  /\bparked (?:domain|free|by)\b/,
  /\bdomain parking\b/,
  /\b(?:sedo|sedoparking|bodis|parkingcrew|afternic|dan com|undeveloped|hugedomains)\b/,
  /(?:felicitations|congratulations).{0,80}(?:domaine|domain).{0,80}(?:cree|created|actif|active)/,
  /(?:site|page) (?:en construction|under construction|coming soon|bientot disponible)/,
  /\bwelcome to nginx\b/,
  /\bapache2? (?:ubuntu |debian )?default page\b/,
  /\bindex of \//,
  /\bplesk\b.{0,40}\bdefault page\b/,
  /\bthis site can t be reached\b/
]

export type ProbeVerdict = "ok" | "parked" | "directory" | "not_html" | "unreachable" | "http_error"

export interface ProbePage {
  /** The URL asked for. */
  readonly url: string
  /** After redirects. */
  readonly finalUrl: string
  readonly status: number
  readonly contentType: string | null
  readonly html: string
}

export interface Company {
  readonly names: ReadonlyArray<string>
  readonly siren?: string | undefined
  readonly city?: string | undefined
}

export interface ProbeResult {
  readonly verdict: ProbeVerdict
  /** 0-1: how surely the page is the company's (0 unless `verdict` is "ok"). */
  readonly score: number
  /** What the score rests on. */
  readonly evidence: ReadonlyArray<string>
}

/** Page text in the form names are compared in: lower-case ASCII words separated by single spaces. */
export const plainText = (html: string): string =>
  ` ${nameWords(
    html
      .replace(/<(script|style|noscript)\b[\s\S]*?<\/\1>/gi, " ")
      .replace(/<[^>]+>/g, " ")
      .replace(/&nbsp;|&#160;/gi, " ")
      .replace(/&amp;/gi, "&")
      .replace(/&#0?39;|&rsquo;|&apos;/gi, "'")
      .replace(/&[a-z]+;|&#\d+;/gi, " ")
  ).join(" ")} `

const titleOf = (html: string): string => {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1] ?? ""
  const h1 = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(html)?.[1] ?? ""
  return plainText(`${title} ${h1}`)
}

/** Parked, for sale, or a bare server or registrar placeholder. */
export const isParked = (html: string): boolean => {
  const text = plainText(html.slice(0, 200_000))
  return PARKED.some((pattern) => pattern.test(text))
}

const hostOf = (url: string): string => {
  try {
    return new URL(url).hostname.toLowerCase()
  } catch {
    return ""
  }
}

/** How many of the name's significant words appear, as whole words, in `text` (0-1). */
export const nameCoverage = (name: string, text: string): number => {
  const words = significantWords(name)
  if (words.length === 0) return 0
  const found = words.filter((word) => text.includes(` ${word} `)).length
  return found / words.length
}

/** SIREN (9 digits) written with or without spaces, or inside a SIRET or a VAT number. */
const mentionsSiren = (html: string, siren: string): boolean => {
  const digits = html.replace(/(\d)[\s\u00a0.]+(?=\d)/g, "$1")
  return digits.includes(siren)
}

/** Scores the HttpFetcher's answer for a home page (its body decoded when it is not an error). */
export const scoreResponse = (response: FetchResponse, company: Company): ProbeResult =>
  scorePage(
    {
      url: response.url,
      finalUrl: response.finalUrl,
      status: response.status,
      contentType: response.contentType,
      html: response.status < 400 ? response.text().text : ""
    },
    company
  )

/**
 * Scores a fetched home page for a company. "ok": the page is a live site; whether it is the
 * company's is the score's (the caller keeps it at or above its threshold).
 */
export const scorePage = (page: ProbePage, company: Company): ProbeResult => {
  if (isSharedHost(hostOf(page.finalUrl)) || isSharedHost(hostOf(page.url))) {
    return { verdict: "directory", score: 0, evidence: [`${hostOf(page.finalUrl)} is a directory or platform`] }
  }
  if (page.status >= 400) return { verdict: "http_error", score: 0, evidence: [`HTTP ${page.status}`] }
  const type = (page.contentType ?? "").toLowerCase()
  if (type !== "" && !type.includes("html")) return { verdict: "not_html", score: 0, evidence: [type] }
  if (isParked(page.html)) return { verdict: "parked", score: 0, evidence: ["parked or placeholder page"] }
  const text = plainText(page.html)
  const title = titleOf(page.html)
  const evidence: string[] = ["live HTML page +0.2"]
  let score = 0.2
  const bestTitle = Math.max(0, ...company.names.map((name) => nameCoverage(name, title)))
  const bestText = Math.max(0, ...company.names.map((name) => nameCoverage(name, text)))
  if (bestTitle === 1) {
    score += 0.45
    evidence.push("name in the title +0.45")
  } else if (bestText === 1) {
    score += 0.35
    evidence.push("name on the page +0.35")
  } else if (bestText >= 0.5) {
    score += 0.1
    evidence.push("part of the name on the page +0.1")
  }
  if (company.siren !== undefined && /^\d{9}$/.test(company.siren) && mentionsSiren(page.html, company.siren)) {
    score += 0.35
    evidence.push("SIREN on the page +0.35")
  }
  if (company.city !== undefined && company.city.trim() !== "") {
    const city = significantWords(company.city).join(" ")
    if (city !== "" && text.includes(` ${city} `)) {
      score += 0.1
      evidence.push("city on the page +0.1")
    }
  }
  const rounded = Math.round(Math.min(1, score) * 100) / 100
  return { verdict: "ok", score: rounded, evidence }
}
