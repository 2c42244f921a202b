/**
 * `enrich.domain` (alias `enrich.domains`): each company's website, when none was given. Candidates
 * come from `search_results` (when `http.serp` ran; directories and platforms never taken) and from
 * name heuristics (candidates.ts); heuristic domains without an address record are skipped by DNS
 * before any HTTP request; the rest are probed (the home page through the HttpFetcher, scored by
 * probe.ts: the site probe of the catalogue's `enrich.site_probe`), at most `max_candidates` per
 * company, and the best at or above `min_score` is kept.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { BudgetExceeded } from "../../core/Budget.ts"
import { HttpFetcher } from "../../core/http/HttpFetcher.ts"
import type { Rec } from "../../core/Record.ts"
import { defineStep, type StepService } from "../../core/Step.ts"
import { isSharedHost } from "../parse/sharedHosts.ts"
import { candidateDomains, coreWords } from "./candidates.ts"
import { type CompanyFacts, companyOf } from "./companyOf.ts"
import { type DnsAnswer, type DnsOptions, hasMx, resolvesAddress } from "./dns.ts"
import { type ProbeResult, type ProbeVerdict, scoreResponse } from "./probe.ts"

const Config = Schema.Struct({
  /** Candidate sites probed over HTTP per company (search results and heuristics together). @default 6 */
  max_candidates: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 50)), { default: () => 6 }),
  /** Search results considered per company, best ranked first. @default 3 */
  max_search_candidates: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 20)), { default: () => 3 }),
  /** Heuristic domains looked up in DNS per company (cheap: no HTTP). @default 18 */
  max_dns_lookups: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 100)), { default: () => 18 }),
  /** Name heuristics on (off: search results only). @default true */
  heuristics: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  /** Top-level domains tried by the heuristics, in order. @default ["fr", "com", "eu"] */
  tlds: Schema.optionalWith(Schema.Array(Schema.String), { default: () => ["fr", "com", "eu"] }),
  /** Also try the name followed by the city. @default true */
  with_city: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  /** Lowest probe score (0-1) for a site to be kept. @default 0.5 */
  min_score: Schema.optionalWith(Schema.Number.pipe(Schema.between(0, 1)), { default: () => 0.5 }),
  /** A candidate scoring this much ends the search for the company. @default 0.85 */
  accept_score: Schema.optionalWith(Schema.Number.pipe(Schema.between(0, 1)), { default: () => 0.85 }),
  /** Resolve heuristic domains (A/AAAA) before probing them, and record MX presence. @default true */
  dns_check: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  /** DNS server as "host:port" (default: the system's resolver). */
  dns_resolver: Schema.optional(Schema.String),
  /** Per DNS lookup, in ms. @default 2000 */
  dns_timeout_ms: Schema.optionalWith(Schema.Int.pipe(Schema.between(50, 30_000)), { default: () => 2000 }),
  /** Companies worked on at once. @default 16 */
  concurrency: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 512)), { default: () => 16 })
})
type DomainConfig = typeof Config.Type

export class EnrichDomain extends Context.Tag("plugin/discovery/EnrichDomain")<
  EnrichDomain,
  StepService<DomainConfig>
>() {}

interface Candidate {
  readonly domain: string
  readonly url: string
  readonly source: "search" | "heuristic"
  /** Search rank, for search candidates. */
  readonly rank?: number
}

interface Probed extends Candidate {
  readonly result: ProbeResult
  readonly homeUrl: string
}

const bareHost = (host: string): string =>
  host
    .toLowerCase()
    .replace(/\.$/, "")
    .replace(/^www\./, "")

const urlOf = (value: unknown): URL | undefined => {
  if (typeof value !== "string" || value.trim() === "") return undefined
  const text = value.trim()
  try {
    const url = new URL(/^https?:\/\//i.test(text) ? text : `http://${text}`)
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined
  } catch {
    return undefined
  }
}

/** Search results as candidates: their site's home page, directories and platforms left out. */
export const searchCandidates = (results: unknown, limit: number): Candidate[] => {
  if (!Array.isArray(results)) return []
  const out: Candidate[] = []
  const seen = new Set<string>()
  const ranked = [...results].sort((a, b) => Number(a?.rank ?? 99) - Number(b?.rank ?? 99))
  for (const result of ranked) {
    const url = urlOf((result as { url?: unknown })?.url)
    if (url === undefined || isSharedHost(url.hostname)) continue
    const domain = bareHost(url.hostname)
    if (seen.has(domain)) continue
    seen.add(domain)
    out.push({
      domain,
      url: `${url.protocol}//${url.host}/`,
      source: "search",
      rank: Number(result.rank) || out.length + 1
    })
    if (out.length >= limit) break
  }
  return out
}

/**
 * How well a domain spells the name: 0.1 when its label is the name's words exactly (hyphenated or
 * joined), 0.05 when it holds them all among other words, else 0.
 */
export const domainMatch = (domain: string, names: ReadonlyArray<string>): number => {
  const label = domain.split(".")[0] ?? ""
  const parts = label.split("-").filter((part) => part !== "")
  let best = 0
  for (const name of names) {
    const words = coreWords(name).filter((word) => word.length > 1 || /\d/.test(word))
    if (words.length === 0) continue
    if (label.replace(/-/g, "") === words.join("")) return 0.1
    const joined = label.replace(/-/g, "")
    if (words.every((word) => joined.includes(word))) {
      const extra = parts.filter((part) => /[a-z]/.test(part) && !words.some((word) => part.includes(word)))
      best = Math.max(best, extra.length === 0 ? 0.1 : 0.05)
    }
  }
  return best
}

const verdictKey = (verdict: ProbeVerdict | "dns_missing") => verdict

const make = Effect.gen(function* () {
  const fetcher = yield* HttpFetcher

  const probe = (candidate: Candidate, company: CompanyFacts): Effect.Effect<Probed, BudgetExceeded> =>
    fetcher
      .fetch({
        url: candidate.url,
        accept: ["text/html", "application/xhtml+xml"],
        hostClass: "site",
        maxBytes: 2_000_000
      })
      .pipe(
        Effect.map((response): Probed => {
          const result = scoreResponse(response, {
            names: company.names,
            siren: company.siren,
            city: company.city ?? undefined
          })
          const final = urlOf(response.finalUrl)
          // A redirect to another site (a platform, a group's site) is judged as that site.
          const finalDomain = final ? bareHost(final.hostname) : candidate.domain
          const bonus = result.verdict === "ok" ? domainMatch(finalDomain, company.names) : 0
          const searchBonus = candidate.source === "search" && (candidate.rank ?? 99) <= 3 ? 0.05 : 0
          const score =
            Math.round(Math.min(1, result.score + bonus + (result.verdict === "ok" ? searchBonus : 0)) * 100) / 100
          return {
            ...candidate,
            domain: finalDomain,
            homeUrl: final ? `${final.protocol}//${final.host}/` : candidate.url,
            result: {
              ...result,
              score,
              evidence: [
                ...result.evidence,
                ...(bonus > 0 ? [`domain spells the name +${bonus}`] : []),
                ...(searchBonus > 0 && result.verdict === "ok" ? [`search rank ${candidate.rank} +${searchBonus}`] : [])
              ]
            }
          }
        }),
        Effect.catchTag("FetchFailed", (error) =>
          Effect.succeed({
            ...candidate,
            homeUrl: candidate.url,
            result: {
              verdict: error.reason === "content_type" ? ("not_html" as const) : ("unreachable" as const),
              score: 0,
              evidence: [`${error.reason}: ${error.detail}`]
            }
          })
        )
      )

  const run: StepService<DomainConfig>["run"] = (input, context) => {
    const config = context.config
    const dns: DnsOptions = {
      resolver: config.dns_resolver,
      timeoutMs: config.dns_timeout_ms
    }
    const tally = {
      records: 0,
      given: 0,
      found: { search: 0, heuristic: 0 },
      none: 0,
      probes: 0,
      dns_lookups: 0,
      dns_skipped: 0,
      verdicts: {} as Record<string, number>
    }

    /** Heuristic candidates that resolve (or whose DNS answer is unknown), up to `room`. */
    const liveHeuristics = (company: CompanyFacts, taken: ReadonlySet<string>, room: number) =>
      Effect.gen(function* () {
        if (!config.heuristics || room <= 0) return [] as Candidate[]
        const domains = candidateDomains(company, { tlds: config.tlds, withCity: config.with_city }).filter(
          (domain) => !taken.has(domain)
        )
        if (!config.dns_check) {
          return domains
            .slice(0, room)
            .map((domain): Candidate => ({ domain, url: `http://${domain}/`, source: "heuristic" }))
        }
        const looked = domains.slice(0, config.max_dns_lookups)
        tally.dns_lookups += looked.length
        const answers = yield* Effect.forEach(looked, (domain) => Effect.promise(() => resolvesAddress(domain, dns)), {
          concurrency: 6
        })
        const live = looked.filter((_, index) => answers[index] !== "no")
        tally.dns_skipped += looked.length - live.length
        return live
          .slice(0, room)
          .map((domain): Candidate => ({ domain, url: `http://${domain}/`, source: "heuristic" }))
      })

    const discover = (record: Rec): Effect.Effect<Rec, BudgetExceeded> =>
      Effect.gen(function* () {
        tally.records++
        const given = urlOf(record.website)
        if (given !== undefined) {
          tally.given++
          return {
            ...record,
            domain: bareHost(given.hostname),
            website_source: "given",
            website_score: null,
            domain_mx: null,
            website_evidence: []
          }
        }
        const company = companyOf(record)
        const fromSearch = searchCandidates(record.search_results, config.max_search_candidates)
        const taken = new Set(fromSearch.map((candidate) => candidate.domain))
        const heuristics = yield* liveHeuristics(company, taken, config.max_candidates - fromSearch.length)
        const candidates = [...fromSearch, ...heuristics].slice(0, config.max_candidates)
        let best: Probed | undefined
        for (const candidate of candidates) {
          const probed = yield* probe(candidate, company)
          tally.probes++
          tally.verdicts[verdictKey(probed.result.verdict)] = (tally.verdicts[probed.result.verdict] ?? 0) + 1
          if (probed.result.verdict !== "ok" || probed.result.score < config.min_score) continue
          if (best === undefined || probed.result.score > best.result.score) best = probed
          if (best.result.score >= config.accept_score) break
        }
        if (best === undefined) {
          tally.none++
          return {
            ...record,
            domain: null,
            website_source: null,
            website_score: null,
            domain_mx: null,
            website_evidence: []
          }
        }
        tally.found[best.source]++
        const mx: DnsAnswer | undefined = config.dns_check
          ? yield* Effect.promise(() => hasMx(best.domain, dns))
          : undefined
        return {
          ...record,
          website: best.homeUrl,
          domain: best.domain,
          website_source: best.source,
          website_score: best.result.score,
          domain_mx: mx === undefined || mx === "unknown" ? null : mx === "yes",
          website_evidence: best.result.evidence
        }
      })

    const finish = Effect.gen(function* () {
      yield* context.writeOutput("reports/discovery_summary.json", [`${JSON.stringify(tally, null, 2)}\n`])
      yield* context.measure("discovery_found", tally.found.search + tally.found.heuristic)
      yield* context.log(
        `websites: ${tally.given} given, ${tally.found.search} from search, ${tally.found.heuristic} from heuristics, ${tally.none} not found`,
        { probes: tally.probes, dns_skipped: tally.dns_skipped }
      )
    })

    return Stream.mapEffect(input, discover, { concurrency: config.concurrency }).pipe(
      Stream.concat(Stream.fromEffect(finish).pipe(Stream.drain))
    )
  }

  return { run } satisfies StepService<DomainConfig>
})

export const EnrichDomainLive = Layer.effect(EnrichDomain, make)

export const enrichDomain = defineStep({
  id: "enrich.domain",
  aliases: ["enrich.domains"],
  description:
    "Each company's website when none is given: search results and name heuristics, DNS-checked, home pages probed and scored",
  kind: "transform",
  after: ["dumps.collect", "api.collect", "normalize.standardize", "http.serp"],
  reads: {
    siret: { type: "string", description: "Establishment identifier" },
    siren: { type: "string", description: "Legal unit identifier", optional: true },
    name: { type: "string", description: "Display name", optional: true },
    legal_name: { type: "string", description: "Legal name", optional: true },
    city: { type: "string", description: "City", optional: true },
    website: { type: "string", description: "Website given by a company list", optional: true },
    search_results: { type: "object[]", description: "Web-search results (http.serp)", optional: true }
  },
  writes: {
    website: {
      type: "string",
      description: "The company's website (home page URL): as given, or found by search or name heuristics"
    },
    domain: { type: "string", description: "The website's domain, without www." },
    website_source: {
      type: "string",
      description: "Where the website comes from: given (company list), search, heuristic; empty when none was found"
    },
    website_score: {
      type: "number",
      description: "0-1: how surely the found home page is the company's (name, SIREN, city on it; docs/discovery.md)"
    },
    domain_mx: { type: "boolean", description: "Whether the found domain publishes MX records (empty: not checked)" },
    website_evidence: {
      type: "string[]",
      description: "What website_score rests on",
      internal: true
    }
  },
  outputs: [
    {
      path: "reports/discovery_summary.json",
      description: "Websites given, found by search or heuristics, not found; probes, DNS lookups and verdicts"
    }
  ],
  config: Config,
  version: "1",
  tag: EnrichDomain
})
