/**
 * Can an address's domain receive mail? An MX lookup through `node:dns`, with an A/AAAA fallback
 * (RFC 5321 §5.1: a domain with no MX but an address record is its own mail exchanger).
 *
 * - true: MX records (other than a "null MX"), or none but an A/AAAA record;
 * - false: the domain does not exist (NXDOMAIN), has a null MX (RFC 7505: a single MX with
 *   exchange "." says "accepts no mail"), or has neither MX nor address records;
 * - null: no answer to rely on (timeout, SERVFAIL, refused, unreachable resolver).
 *
 * Definite answers are cached per resolver and domain for the life of the process (a company's mail
 * setup does not change during a run); unknown ones are not, so a later call can try again.
 */

import { type MxRecord, Resolver } from "node:dns"
import { domainToASCII } from "node:url"

export interface MxOptions {
  /** The DNS server as "host:port" (or "host"), instead of the system's. */
  readonly resolver?: string
  /** How long to wait for each lookup, in ms. @default 3000 */
  readonly timeoutMs?: number
}

type Lookup = "records" | "none" | "unknown"

/**
 * Codes for a definite "no such domain" (NXDOMAIN) or "no records of this type" (NODATA). Node
 * tells them apart (ENOTFOUND, ENODATA); Bun answers ENOTFOUND to both, so both lead to the
 * address-record fallback, which an NXDOMAIN fails in turn (one more query, the same answer).
 */
const NO_RECORDS = new Set(["ENOTFOUND", "ENODATA"])

const cache = new Map<string, Promise<boolean | null>>()

const classify = (error: NodeJS.ErrnoException | null, count: number): Lookup => {
  if (error === null) return count > 0 ? "records" : "none"
  if (NO_RECORDS.has(error.code ?? "")) return "none"
  return "unknown"
}

/** Runs one lookup, bounded by our own timer as well (a resolver's timeout is per try, and some ignore it). */
const lookup = <A>(
  resolver: Resolver,
  run: (done: (error: NodeJS.ErrnoException | null, records: A[]) => void) => void,
  timeoutMs: number
): Promise<{ result: Lookup; records: A[] }> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => {
      resolver.cancel()
      resolve({ result: "unknown", records: [] })
    }, timeoutMs)
    run((error, records) => {
      clearTimeout(timer)
      resolve({ result: classify(error, records?.length ?? 0), records: records ?? [] })
    })
  })

const check = async (domain: string, options: MxOptions): Promise<boolean | null> => {
  const timeoutMs = options.timeoutMs ?? 3000
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 })
  if (options.resolver !== undefined) resolver.setServers([options.resolver])
  const mx = await lookup<MxRecord>(resolver, (done) => resolver.resolveMx(domain, done), timeoutMs)
  if (mx.result === "records") return !mx.records.every((record) => record.exchange === "" || record.exchange === ".")
  if (mx.result === "unknown") return null
  const a = await lookup<string>(resolver, (done) => resolver.resolve4(domain, done), timeoutMs)
  if (a.result === "records") return true
  if (a.result === "unknown") return null
  const aaaa = await lookup<string>(resolver, (done) => resolver.resolve6(domain, done), timeoutMs)
  if (aaaa.result === "unknown") return null
  return aaaa.result === "records"
}

/** Whether `domain` accepts mail: true, false, or null when DNS gave no usable answer (see the module comment). */
export const checkMx = (domain: string, options: MxOptions = {}): Promise<boolean | null> => {
  // An internationalised domain is looked up in its ASCII (punycode) form, as mail servers see it.
  const normalised = domainToASCII(domain.trim().toLowerCase().replace(/\.$/, ""))
  if (normalised === "") return Promise.resolve(false)
  const key = `${options.resolver ?? "system"} ${normalised}`
  const cached = cache.get(key)
  if (cached !== undefined) return cached
  // A resolver the system refuses (a bad address) is no answer, not a failed run.
  const pending = check(normalised, options)
    .catch(() => null)
    .then((answer) => {
      if (answer === null) cache.delete(key)
      return answer
    })
  cache.set(key, pending)
  return pending
}
