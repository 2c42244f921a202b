/**
 * robots.txt per origin, fetched once and shared by every request to that origin (concurrent
 * requests wait for the same fetch). Parsing is robots-parser's; what an unreachable robots.txt
 * means follows RFC 9309: a 4xx allows everything, a 5xx or a network failure disallows everything
 * (the site is in trouble; come back later).
 */
import robotsParser from "robots-parser"
import { untilAborted } from "./abortable.ts"

export interface RobotsRules {
  readonly allows: (url: string) => boolean
  /** Crawl-delay for our user agent, seconds. */
  readonly crawlDelay: number | undefined
  readonly sitemaps: ReadonlyArray<string>
  /** How the rules were obtained, for logs. */
  readonly source: "file" | "absent" | "unreachable"
}

/** The answer to a robots.txt request, as the fetcher got it. */
export type RobotsAnswer =
  | { readonly status: number; readonly text: string }
  | { readonly failed: string /* why the fetch failed */ }

export const allowAll: RobotsRules = { allows: () => true, crawlDelay: undefined, sitemaps: [], source: "absent" }
const disallowAll: RobotsRules = { allows: () => false, crawlDelay: undefined, sitemaps: [], source: "unreachable" }

/** Rules from a robots.txt answer, for `userAgent` (its product token is what groups match). */
export const rulesOf = (origin: string, answer: RobotsAnswer, userAgent: string): RobotsRules => {
  if ("failed" in answer) return disallowAll
  if (answer.status >= 400 && answer.status < 500) return allowAll
  if (answer.status >= 500) return disallowAll
  if (answer.status < 200 || answer.status >= 300) return allowAll
  const robot = robotsParser(`${origin}/robots.txt`, answer.text)
  const token = productToken(userAgent)
  return {
    allows: (url) => robot.isAllowed(url, token) !== false,
    crawlDelay: robot.getCrawlDelay(token),
    sitemaps: robot.getSitemaps(),
    source: "file"
  }
}

/** "FilonBot/0.1 (+https://…)" → "FilonBot": robots.txt groups name products, not whole strings. */
export const productToken = (userAgent: string): string => /^[^\s/]+/.exec(userAgent.trim())?.[0] ?? userAgent

/** Rules per origin, each fetched once; at most `capacity` origins remembered (oldest forgotten). */
export class RobotsCache {
  /** Undefined from an entry: its load failed or was given up; whoever waited loads again. */
  readonly #entries = new Map<string, Promise<RobotsRules | undefined>>()
  constructor(readonly capacity = 20_000) {}

  get size(): number {
    return this.#entries.size
  }

  /**
   * The rules of `origin`, loading them with `load` the first time; concurrent callers wait for the
   * same load. A load that answers something other than rules (a spent budget) or throws (given
   * up) is not kept: it is returned or thrown to its caller, and the next caller loads again.
   */
  async rulesFor<E>(
    origin: string,
    load: () => Promise<RobotsRules | E>,
    signal?: AbortSignal
  ): Promise<RobotsRules | E> {
    for (let known = this.#entries.get(origin); known !== undefined; known = this.#entries.get(origin)) {
      // A waiter whose request is abandoned stops waiting; the load goes on for the others.
      const rules = await untilAborted(known, signal)
      if (rules !== undefined) return rules
    }
    let settle!: (rules: RobotsRules | undefined) => void
    const entry = new Promise<RobotsRules | undefined>((resolve) => {
      settle = resolve
    })
    if (this.#entries.size >= this.capacity) {
      const oldest = this.#entries.keys().next().value
      if (oldest !== undefined) this.#entries.delete(oldest)
    }
    this.#entries.set(origin, entry)
    let outcome: RobotsRules | E | undefined
    try {
      outcome = await load()
      return outcome
    } finally {
      if (isRules(outcome)) settle(outcome)
      else {
        if (this.#entries.get(origin) === entry) this.#entries.delete(origin)
        settle(undefined)
      }
    }
  }
}

const isRules = (value: unknown): value is RobotsRules =>
  typeof value === "object" && value !== null && "allows" in value && "source" in value
