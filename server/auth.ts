/**
 * Bearer-token auth. Tokens come from the config file or FILON_API_TOKEN; a presented token is
 * compared with each one in constant time (on SHA-256 digests, so lengths leak nothing either),
 * and every token is tried whatever the outcome, so timing does not tell which one matched.
 */
import { createHash, timingSafeEqual } from "node:crypto"
import type { MiddlewareHandler } from "hono"

const digest = (value: string) => createHash("sha256").update(value).digest()

export const tokenMatcher = (tokens: ReadonlyArray<string>) => {
  const digests = tokens.map(digest)
  return (presented: string): boolean => {
    const candidate = digest(presented)
    let matched = false
    for (const known of digests) matched = timingSafeEqual(known, candidate) || matched
    return matched
  }
}

/** Refuses a request without a valid `Authorization: Bearer <token>` (401, with the scheme to use). */
export const bearerAuth = (tokens: ReadonlyArray<string>): MiddlewareHandler => {
  const matches = tokenMatcher(tokens)
  return async (c, next) => {
    const header = c.req.header("authorization") ?? ""
    const presented = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim()
    if (!presented || !matches(presented)) {
      c.header("WWW-Authenticate", 'Bearer realm="filon"')
      return c.json(
        {
          error: {
            status: 401,
            message: presented ? "invalid token" : "missing bearer token (Authorization: Bearer <token>)"
          }
        },
        401
      )
    }
    await next()
  }
}

/** Loopback hosts: the only ones a server without tokens may listen on. */
export const isLoopback = (host: string) =>
  host === "localhost" || host === "::1" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host)
