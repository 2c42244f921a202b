/** enrich.email's DNS settings and the checks that must never fail a run. */
import { describe, expect, test } from "bun:test"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { enrichEmailStep } from "../../../plugins/contacts/EnrichEmail.ts"
import { isOnDomain } from "../../../plugins/contacts/email/domains.ts"
import { checkMx } from "../../../plugins/contacts/email/mx.ts"

const decode = (settings: unknown) => Schema.decodeUnknownEither(enrichEmailStep.config)(settings)

describe("enrich.email settings", () => {
  test("resolver: an IP address with an optional port; a host name is refused with what is expected", () => {
    for (const good of ["1.1.1.1", "127.0.0.1:5353", "::1", "[::1]:53"])
      expect(Either.isRight(decode({ resolver: good }))).toBe(true)
    const bad = decode({ resolver: "dns.google" })
    expect(Either.isLeft(bad)).toBe(true)
    if (Either.isLeft(bad)) expect(String(bad.left)).toContain("expected an IP address with an optional port")
  })

  test("an MX lookup the system refuses is 'unknown', never a failure", async () => {
    expect(await checkMx("acme.fr", { resolver: "not-an-address", timeoutMs: 500 })).toBeNull()
    expect(await checkMx("", { timeoutMs: 500 })).toBe(false)
  })

  test("an internationalised domain matches the site's punycode host", () => {
    const host = new URL("https://www.boulangerie-élise.fr/").hostname
    expect(host).toStartWith("www.xn--")
    expect(isOnDomain("boulangerie-élise.fr", host)).toBe(true)
    expect(isOnDomain("autre.fr", host)).toBe(false)
  })
})

describe("enrich.email and the diffusion rule", () => {
  test("a company with diffusion P keeps its generic addresses and loses named people's", async () => {
    const { parseHtml } = await import("../../../plugins/parse/parseHtml.ts")
    const { extractEmails } = await import("../../../plugins/contacts/email/extractEmails.ts")
    const { exportableEmails } = await import("../../../plugins/contacts/EnrichEmail.ts")
    const pages = [
      parseHtml("<p>Écrivez à contact@acme.fr ou à celine.maillard@acme.fr</p>", { url: "https://acme.fr/contact" })
    ]
    const found = extractEmails({ domain: "acme.fr", pages })
    const values = (record: Record<string, unknown>) => exportableEmails(record, found).map((email) => email.value)
    expect(values({ diffusion: "O" })).toEqual(["contact@acme.fr", "celine.maillard@acme.fr"])
    expect(values({ diffusion: "P" })).toEqual(["contact@acme.fr"])
  })
})
