/**
 * `enrich.email`: the site's own email addresses (deobfuscated, placeholders and third parties'
 * addresses left out), classified generic or nominative (a person's address is personal data),
 * checked against the site's domain, disposable-domain lists and, when enabled, the domain's MX.
 */
import { isIP, isIPv4, isIPv6 } from "node:net"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { Rec } from "../../core/Record.ts"
import { defineStep } from "../../core/Step.ts"
import { ownByConfidence, provenance } from "./details.ts"
import type { EmailFound } from "./email/extractEmails.ts"
import { openFactsSource, SITE_FACTS_AFTER, SITE_FACTS_READS } from "./siteFacts.ts"

const Config = Schema.Struct({
  /** Look up each address's domain MX records (one query per domain, cached). */
  check_mx: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  /** DNS server for MX lookups, an IP address with an optional port: `1.1.1.1`, `127.0.0.1:5353`, `[::1]:53` (default: the system's resolvers). */
  resolver: Schema.optional(
    Schema.String.pipe(
      Schema.filter(
        (value) => isResolverAddress(value) || "expected an IP address with an optional port, e.g. 127.0.0.1:53"
      )
    )
  ),
  mx_timeout_ms: Schema.optionalWith(Schema.Int.pipe(Schema.between(100, 30_000)), { default: () => 2000 }),
  /** Keep only addresses on the site's own domain (free-mail addresses such as gmail left out). */
  require_site_domain: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** Records whose MX lookups run at once. */
  concurrency: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 256)), { default: () => 16 })
})
type EmailConfig = typeof Config.Type

const domainOf = (email: string) => email.slice(email.lastIndexOf("@") + 1)

/** What node:dns accepts as a server: an IP, `ip:port`, `[ipv6]` or `[ipv6]:port`. */
const isResolverAddress = (value: string): boolean => {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(value)
  if (bracketed !== null) return isIPv6(bracketed[1]!)
  if (isIP(value) !== 0) return true
  const withPort = /^([^:]+):(\d{1,5})$/.exec(value)
  return withPort !== null && isIPv4(withPort[1]!) && Number(withPort[2]) <= 65_535
}

/** Lookups answered "unknown" in a row, with no definite answer yet, before MX checks stop for the run. */
const UNREACHABLE_AFTER = 20

/** Generic addresses first (the ones to write to), then by confidence and value. */
export const orderedOwnEmails = (found: ReadonlyArray<EmailFound>) =>
  ownByConfidence(found, (email) => email.value).sort(
    (a, b) => Number(a.kind === "nominative") - Number(b.kind === "nominative")
  )

/**
 * The company's own addresses to export, in order. A company whose owner objected to diffusion
 * (SIRENE statut P) gets no personal data: a named person's address is left out, generic ones stay.
 */
export const exportableEmails = (
  record: Rec,
  found: ReadonlyArray<EmailFound>,
  options: { readonly requireSiteDomain?: boolean } = {}
) =>
  orderedOwnEmails(found).filter(
    (email) =>
      (record.diffusion !== "P" || email.kind !== "nominative") &&
      (!options.requireSiteDomain || email.onSiteDomain === true)
  )

export const enrichEmailStep = defineStep<EmailConfig>({
  id: "enrich.email",
  description:
    "Emails from each site's pages: deobfuscated, placeholders and third parties' addresses left out, generic or nominative, domain, disposable and MX checks",
  kind: "transform",
  needs: ["crawl.site"],
  after: SITE_FACTS_AFTER,
  reads: {
    ...SITE_FACTS_READS,
    diffusion: { type: "string", description: "SIRENE diffusion status (P: no personal data)", optional: true }
  },
  writes: {
    email: { type: "string", description: "The best generic address of the company (contact@, info@…)" },
    emails: {
      type: "string[]",
      description: "Every address the site gives as its own: generic first, then nominative, most confident first",
      personal: true
    },
    emails_nominative: {
      type: "string[]",
      description: "Addresses of named people (prenom.nom@…): personal data",
      personal: true
    },
    email_mx: {
      type: "boolean",
      description: "The domain of `email` (or of the first address) accepts mail (MX records); empty when not checked"
    },
    email_details: {
      type: "object[]",
      description:
        "Per address: kind, on_site_domain, disposable, mx, where it was found (url, part, via), confidence, fetched_at",
      personal: true
    },
    emails_third_party: {
      type: "string[]",
      description: "Addresses of the web host, agency or platform seen on the site (not the company's)",
      internal: true
    }
  },
  config: Config,
  version: "1",
  run: (input, context) =>
    Stream.unwrapScoped(
      Effect.gen(function* () {
        const source = yield* openFactsSource(context)
        const { extractEmails } = yield* Effect.promise(() => import("./email/extractEmails.ts"))
        const { checkMx } = yield* Effect.promise(() => import("./email/mx.ts"))
        const config = context.config
        const mxByDomain = new Map<string, Promise<boolean | null>>()
        // Without a working resolver every lookup would wait its full timeout: after enough
        // unanswered lookups in a row, and no answer at all, the run stops asking (email_mx empty).
        const dns = { unknownInARow: 0, answered: 0, stopped: false }
        const mx = (domain: string): Promise<boolean | null> => {
          if (dns.stopped) return Promise.resolve(null)
          const known = mxByDomain.get(domain)
          if (known !== undefined) return known
          const lookup = checkMx(domain, {
            ...(config.resolver === undefined ? {} : { resolver: config.resolver }),
            timeoutMs: config.mx_timeout_ms
          }).then((answer) => {
            if (answer !== null) {
              dns.answered++
              dns.unknownInARow = 0
            } else if (++dns.unknownInARow >= UNREACHABLE_AFTER && dns.answered === 0) dns.stopped = true
            return answer
          })
          mxByDomain.set(domain, lookup)
          return lookup
        }
        let withEmail = 0
        const enrich = (record: Rec) =>
          Effect.promise(async (): Promise<Rec> => {
            const found = source.factsOf(record, extractEmails, (facts) => facts.emails) ?? []
            const own = exportableEmails(record, found, { requireSiteDomain: config.require_site_domain })
            const checked = await Promise.all(
              own.map(async (email) => ({
                email,
                mx: config.check_mx ? await mx(domainOf(email.value)) : null
              }))
            )
            const best = own.find((email) => email.kind === "generic") ?? null
            if (own.length > 0) withEmail++
            return {
              ...record,
              email: best?.value ?? null,
              emails: own.length === 0 ? null : own.map((email) => email.value),
              emails_nominative: own.some((email) => email.kind === "nominative")
                ? own.filter((email) => email.kind === "nominative").map((email) => email.value)
                : null,
              email_mx: checked.length === 0 ? null : (checked.find((entry) => entry.email === best) ?? checked[0]!).mx,
              email_details:
                own.length === 0
                  ? null
                  : checked.map(({ email, mx }) => ({
                      value: email.value,
                      kind: email.kind,
                      on_site_domain: email.onSiteDomain,
                      disposable: email.disposable,
                      mx,
                      obfuscation: email.obfuscation,
                      ...provenance(email)
                    })),
              emails_third_party: found.some((email) => email.thirdParty !== null)
                ? found.filter((email) => email.thirdParty !== null).map((email) => email.value)
                : null
            }
          })
        const finish = Effect.suspend(() =>
          Effect.all([
            context.measure("records_with_email", withEmail),
            context.measure("mx_domains_checked", mxByDomain.size),
            dns.stopped
              ? context.log(
                  `MX checks stopped: DNS answered none of ${UNREACHABLE_AFTER} lookups in a row (set enrich.email.resolver, or check_mx: false)`
                )
              : Effect.void
          ])
        )
        return input.pipe(
          Stream.mapEffect(enrich, { concurrency: config.check_mx ? config.concurrency : 1 }),
          Stream.concat(Stream.fromEffect(finish).pipe(Stream.drain))
        )
      })
    )
})
