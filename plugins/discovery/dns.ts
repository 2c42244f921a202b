/**
 * DNS checks before probing: a candidate domain with no address record (NXDOMAIN, or neither A nor
 * AAAA) is skipped without an HTTP request; MX presence is recorded for the domain kept. The resolver
 * is the system's or the `dns_resolver` setting ("host:port"). Answers are cached per resolver and
 * domain for the life of the process; "unknown" (timeout, SERVFAIL) is not cached and never skips a
 * candidate.
 */
import { Resolver } from "node:dns"
import { domainToASCII } from "node:url"

export type DnsAnswer = "yes" | "no" | "unknown"

export interface DnsOptions {
  /** "host:port" or "host"; the system's resolver when absent. */
  readonly resolver?: string | undefined
  /** Per lookup, in ms. @default 2000 */
  readonly timeoutMs?: number
}

const NO_RECORDS = new Set(["ENOTFOUND", "ENODATA"])
const cache = new Map<string, Promise<DnsAnswer>>()

const query = (
  options: DnsOptions,
  run: (resolver: Resolver, done: (error: NodeJS.ErrnoException | null, records: unknown[]) => void) => void
): Promise<DnsAnswer> =>
  new Promise((resolve) => {
    const timeoutMs = options.timeoutMs ?? 2000
    const resolver = new Resolver({ timeout: timeoutMs, tries: 1 })
    try {
      if (options.resolver !== undefined) resolver.setServers([options.resolver])
    } catch {
      resolve("unknown")
      return
    }
    const timer = setTimeout(() => {
      resolver.cancel()
      resolve("unknown")
    }, timeoutMs)
    run(resolver, (error, records) => {
      clearTimeout(timer)
      if (error === null) resolve((records?.length ?? 0) > 0 ? "yes" : "no")
      else resolve(NO_RECORDS.has(error.code ?? "") ? "no" : "unknown")
    })
  })

const cached = (kind: string, domain: string, options: DnsOptions, lookup: (ascii: string) => Promise<DnsAnswer>) => {
  const ascii = domainToASCII(domain.trim().toLowerCase().replace(/\.$/, ""))
  if (ascii === "") return Promise.resolve<DnsAnswer>("no")
  const key = `${options.resolver ?? "system"} ${kind} ${ascii}`
  const hit = cache.get(key)
  if (hit !== undefined) return hit
  const pending = lookup(ascii)
    .catch((): DnsAnswer => "unknown")
    .then((answer) => {
      if (answer === "unknown") cache.delete(key)
      return answer
    })
  cache.set(key, pending)
  return pending
}

/** Does the domain have an address (A, else AAAA)? */
export const resolvesAddress = (domain: string, options: DnsOptions = {}): Promise<DnsAnswer> =>
  cached("address", domain, options, async (ascii) => {
    const a = await query(options, (resolver, done) => resolver.resolve4(ascii, done))
    if (a !== "no") return a
    return query(options, (resolver, done) => resolver.resolve6(ascii, done))
  })

/** Does the domain publish MX records? */
export const hasMx = (domain: string, options: DnsOptions = {}): Promise<DnsAnswer> =>
  cached("mx", domain, options, (ascii) => query(options, (resolver, done) => resolver.resolveMx(ascii, done)))
