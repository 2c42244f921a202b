/**
 * robots.txt per origin, fetched once and shared by every request to that origin (concurrent
 * requests wait for the same fetch). Parsing is robots-parser's; what an unreachable robots.txt
 * means follows RFC 9309: a 4xx allows everything, a 5xx or a network failure disallows everything
 * (the site is in trouble; come back later).
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import robotsParser from "robots-parser"

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
  /** Undefined in a deferred: its load was interrupted; whoever waited loads again. */
  readonly #entries = new Map<string, Deferred.Deferred<RobotsRules | undefined>>()
  constructor(readonly capacity = 20_000) {}

  get size(): number {
    return this.#entries.size
  }

  /** The rules of `origin`, loading them with `load` the first time. */
  rulesFor<E>(origin: string, load: Effect.Effect<RobotsRules, E>): Effect.Effect<RobotsRules, E> {
    return Effect.suspend((): Effect.Effect<RobotsRules, E> => {
      const known = this.#entries.get(origin)
      if (known !== undefined) {
        return Deferred.await(known).pipe(
          Effect.flatMap((rules) => (rules === undefined ? this.rulesFor(origin, load) : Effect.succeed(rules)))
        )
      }
      const deferred = Deferred.unsafeMake<RobotsRules | undefined>(FiberId.none)
      if (this.#entries.size >= this.capacity) {
        const oldest = this.#entries.keys().next().value
        if (oldest !== undefined) this.#entries.delete(oldest)
      }
      this.#entries.set(origin, deferred)
      return load.pipe(
        // A failed or interrupted load must not leave waiters hanging: the next caller loads again.
        Effect.onExit((exit) =>
          exit._tag === "Success"
            ? Effect.void
            : Effect.sync(() => this.#entries.delete(origin)).pipe(
                Effect.zipRight(Deferred.succeed(deferred, undefined))
              )
        ),
        Effect.tap((rules) => Deferred.succeed(deferred, rules))
      )
    })
  }
}
