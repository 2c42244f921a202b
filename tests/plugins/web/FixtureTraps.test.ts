/**
 * The traps of the fixture web (traps.ts), read from the rendered pages of a known seed: each trap is
 * on the pages it is meant for, its values are kept out of the company's ground truth and listed as
 * third-party values, the own emails are hidden the ways real sites hide them and can be recovered,
 * and the reachable sets match what the pages hold once robots.txt and JS rendering are accounted for.
 */
import { describe, expect, it } from "bun:test"
import { type FixtureWeb, startFixtureWeb } from "../../../plugins/web/fixture/FixtureWeb.ts"
import { countryCode, formatPhone, localizePhone } from "../../../plugins/web/fixture/phone.ts"
import { escapeHtml, pageValues, renderSitePath } from "../../../plugins/web/fixture/render.ts"
import { type GroundTruth, generateSites, groundTruth, type SiteSpec } from "../../../plugins/web/fixture/sites.ts"
import { AGENCIES, cfDecode, cfEncode, HOSTS, TRAP_SHARES } from "../../../plugins/web/fixture/traps.ts"

const SEED = 7
const COUNT = 200
const sites = generateSites({ seed: SEED, count: COUNT })
const truths = sites.map((site) => groundTruth(site, SEED))

const truthOf = (site: SiteSpec): GroundTruth => truths[site.index]!

const paths = (site: SiteSpec): string[] => [
  ...site.pages.map((page) => page.path),
  ...site.extras.map((extra) => extra.path)
]

const pathOf = (site: SiteSpec, kind: SiteSpec["pages"][number]["kind"]): string | undefined =>
  site.pages.find((page) => page.kind === kind)?.path

const html = (site: SiteSpec, path: string): string =>
  new TextDecoder(site.charset === "utf-8" ? "utf-8" : "windows-1252").decode(renderSitePath(site, path, SEED).body)

/** The content a browser shows: a JS-only page's script payload decoded, else the page itself. */
const rendered = (site: SiteSpec, path: string): string => {
  const page = html(site, path)
  const payload = /var data = "([^"]*)"/.exec(page)?.[1]
  return payload === undefined ? page : Buffer.from(payload, "base64").toString("utf-8")
}

const sitesWith = (trap: string): SiteSpec[] => sites.filter((site) => truthOf(site).traps.includes(trap))

const siteWith = (trap: string, predicate: (site: SiteSpec) => boolean = () => true): SiteSpec => {
  const site = sitesWith(trap).find(predicate)
  if (site === undefined) throw new Error(`no site with ${trap}`)
  return site
}

/** Numeric and the few named character references the fixture writes. */
const decodeEntities = (text: string): string =>
  text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&nbsp;/g, "\u00a0")
    .replace(/&amp;/g, "&")
    .replace(/&quot;/g, '"')

/** Cloudflare's data-cfemail by hand, independently of cfDecode: first byte the key, XOR the rest. */
const xorDecode = (hex: string): string => {
  const bytes = hex.match(/../g)!.map((pair) => Number.parseInt(pair, 16))
  return Buffer.from(bytes.slice(1).map((byte) => byte ^ bytes[0]!)).toString("utf-8")
}

/** The page's text with every obfuscation the fixture uses undone: what a careful extractor reads. */
const deobfuscated = (page: string): string =>
  decodeEntities(
    page
      .replace(/data-cfemail="([0-9a-f]+)"/g, (_, hex: string) => `>${xorDecode(hex)}<`)
      .replace(/<\/?span[^>]*>/g, "")
  )
    .replace(/\s*(\[at\]|\(arobase\))\s*/g, "@")
    .replace(/\s*\[point\]\s*/g, ".")

const hasEmail = (text: string, email: string): boolean =>
  new RegExp(`(?<![\\w.+-])${email.replace(/[.+]/g, "\\$&")}(?![\\w-])`).test(text)

const hasPhone = (text: string, display: string): boolean => text.includes(display)

describe("trap shares", () => {
  it("are drawn on ceil(count × share) sites each, from their own streams", () => {
    expect(sites.filter((site) => site.traps.agency !== undefined).length).toBe(
      Math.ceil(COUNT * TRAP_SHARES.agencyCredit)
    )
    expect(sites.filter((site) => site.traps.obfuscation !== undefined).length).toBe(
      Math.ceil(COUNT * TRAP_SHARES.obfuscatedEmails)
    )
    expect(sites.filter((site) => site.traps.fax !== undefined).length).toBe(Math.ceil(COUNT * TRAP_SHARES.fax))
    expect(sites.filter((site) => site.traps.emailPlaceholder !== undefined).length).toBe(
      Math.ceil(COUNT * TRAP_SHARES.emailPlaceholder)
    )
    // Obfuscation only on sites a static fetch reads: a JS-only site's contacts are for the browser test.
    expect(sites.some((site) => site.jsOnly && site.traps.obfuscation !== undefined)).toBe(false)
    // Each style in turn, so each is present once the share covers five sites.
    for (const style of ["at", "arobase", "entities", "spans", "cloudflare"])
      expect(sitesWith(`obfuscatedEmails:${style}`).length).toBeGreaterThan(0)
    expect(JSON.stringify(generateSites({ seed: SEED, count: COUNT }))).toBe(JSON.stringify(sites))
  })

  it("never put a third-party value, a fax or a placeholder in the company's own values", () => {
    for (const truth of truths) {
      for (const email of truth.thirdPartyEmails) expect(truth.emails).not.toContain(email)
      for (const phone of [...truth.thirdPartyPhones, ...truth.fax]) expect(truth.phones).not.toContain(phone)
      for (const link of truth.thirdPartySocial) expect(Object.values(truth.social)).not.toContain(link)
      for (const email of truth.thirdPartyEmails) expect(email.endsWith(`@${truth.domain}`)).toBe(false)
    }
  })
})

describe("form placeholders and examples", () => {
  it("are in the contact form, their addresses third-party values", () => {
    const site = siteWith("emailPlaceholder", (candidate) => pathOf(candidate, "contact") !== undefined)
    const page = html(site, pathOf(site, "contact")!)
    const { text, email } = site.traps.emailPlaceholder!
    expect(page).toContain(`<input type="email" name="email" placeholder="${escapeHtml(text)}" required>`)
    expect(truthOf(site).thirdPartyEmails).toContain(email)
    expect(truthOf(site).emails).not.toContain(email)
  })

  it("show a visible example line under the email field", () => {
    const site = siteWith("exampleLine", (candidate) => !candidate.jsOnly)
    const where = pathOf(site, "contact") ?? site.homePath
    const { text, email } = site.traps.exampleLine!
    expect(html(site, where)).toContain(`<small class="hint">${escapeHtml(text)}</small>`)
    expect(text).toContain(email)
    expect(truthOf(site).thirdPartyEmails).toContain(email)
  })

  it("put a phone placeholder that is no company phone", () => {
    const site = siteWith("phonePlaceholder", (candidate) => !candidate.jsOnly)
    const placeholder = site.traps.phonePlaceholder!
    expect(html(site, pathOf(site, "contact")!)).toContain(`placeholder="${escapeHtml(placeholder.display)}"`)
    expect(truthOf(site).thirdPartyPhones).toContain(placeholder.e164)
    expect(truthOf(site).phones).not.toContain(placeholder.e164)
  })

  it("go in a newsletter form on the home page of a site without a contact page", () => {
    const site = siteWith(
      "emailPlaceholder",
      (candidate) => pathOf(candidate, "contact") === undefined && !candidate.jsOnly
    )
    const page = html(site, site.homePath)
    expect(page).toContain('<form class="newsletter"')
    expect(page).toContain(`placeholder="${escapeHtml(site.traps.emailPlaceholder!.text)}"`)
  })
})

describe("the host and the web agency", () => {
  it("put the host's phone, RCS and (on some sites) support address in the legal notice", () => {
    const withLegal = sites.filter((site) => pathOf(site, "legal") !== undefined)
    for (const site of withLegal.slice(0, 30)) {
      const page = html(site, pathOf(site, "legal")!)
      const { host } = site.traps
      expect(page).toContain(escapeHtml(host.mention))
      expect(page).toContain(host.rcs)
      expect(page).toContain(`Tél. : ${host.phone.display}`)
      expect(page).toContain("loi n° 2004-575")
      expect(truthOf(site).thirdPartyPhones).toContain(host.phone.e164)
    }
    expect(new Set(withLegal.map((site) => site.traps.host.name)).size).toBe(HOSTS.length)
    const site = siteWith("hostEmail")
    const { host } = site.traps
    expect(html(site, pathOf(site, "legal")!)).toContain(`Contact : <a href="mailto:${host.email}">${host.email}</a>`)
    expect(truthOf(site).thirdPartyEmails).toContain(host.email)
    expect(truthOf(site).emails).not.toContain(host.email)
  })

  it("credit the agency with its email, phone and LinkedIn under Conception / Réalisation in the legal notice", () => {
    const site = siteWith(
      "agencyCredit",
      (candidate) => candidate.traps.agency!.placement === "legal" && pathOf(candidate, "legal") !== undefined
    )
    const { agency } = site.traps.agency!
    const legal = html(site, pathOf(site, "legal")!)
    expect(legal).toContain("<h2>Conception / Réalisation</h2>")
    expect(legal).toContain(`<a href="mailto:${agency.email}">${agency.email}</a>`)
    expect(legal).toContain(agency.phone.display)
    expect(legal).toContain(`<a href="${agency.linkedin}" rel="noopener">LinkedIn</a>`)
    // Only in the legal notice: the home page keeps the plain credit line.
    expect(html(site, site.homePath)).not.toContain(agency.email)
    const truth = truthOf(site)
    expect(truth.thirdPartyEmails).toContain(agency.email)
    expect(truth.emails).not.toContain(agency.email)
    expect(truth.thirdPartyPhones).toContain(agency.phone.e164)
    expect(truth.phones).not.toContain(agency.phone.e164)
    expect(truth.thirdPartySocial).toEqual([agency.linkedin])
  })

  it("or in the footer of every page", () => {
    const site = siteWith("agencyCredit", (candidate) => candidate.traps.agency!.placement === "footer")
    const { agency } = site.traps.agency!
    for (const path of paths(site)) {
      const page = rendered(site, path)
      expect(page).toContain("Conception / Réalisation : ")
      expect(page).toContain(`mailto:${agency.email}`)
    }
    expect(AGENCIES.some((candidate) => candidate.email === agency.email)).toBe(true)
  })
})

describe("leftovers, asset names, share and platform links", () => {
  it("leave template placeholders and a Cloudflare placeholder without data", () => {
    const site = siteWith("templateLeftovers", (candidate) => !candidate.jsOnly)
    expect(html(site, site.homePath)).toContain("{{ site.email }}")
    expect(html(site, pathOf(site, "about") ?? site.homePath)).toContain("[email&#160;protected]</p>")
  })

  it("name a retina asset in the logo's src and in a caption", () => {
    const site = siteWith("assetNames", (candidate) => !candidate.jsOnly)
    const home = html(site, site.homePath)
    expect(home).toContain('<img src="/assets/img/logo@2x.png"')
    expect(home).toContain("<figcaption>atelier@2x.jpg</figcaption>")
    expect(truthOf(site).thirdPartyEmails.some((email) => email.includes("@2x"))).toBe(false)
  })

  it("add share links on the home page and the blog posts", () => {
    const site = siteWith("shareLinks", (candidate) => !candidate.jsOnly)
    const post = site.extras.find((extra) => extra.kind === "blog")!
    for (const page of [html(site, site.homePath), html(site, post.path)]) {
      expect(page).toContain("https://www.facebook.com/sharer/sharer.php?u=")
      expect(page).toContain("https://twitter.com/intent/tweet?url=")
      expect(page).toContain("https://www.linkedin.com/shareArticle?mini=true&amp;url=")
      expect(page).toContain('href="mailto:?subject=')
    }
  })

  it("link bare platforms for the networks the site has no account on", () => {
    const site = siteWith("barePlatformLinks", (candidate) => candidate.social.linkedin === undefined)
    expect(rendered(site, site.homePath)).toContain('<a href="https://www.linkedin.com/" rel="noopener">LinkedIn</a>')
    expect(truthOf(site).social.linkedin).toBeUndefined()
  })
})

describe("obfuscated own emails", () => {
  const detailsPage = (site: SiteSpec) => pathOf(site, "contact") ?? site.homePath

  it("write each style as real sites do, never the plain address", () => {
    const email = (style: string) => siteWith(`obfuscatedEmails:${style}`).emails[0]!
    const expected: Record<string, (address: string) => string> = {
      at: (address) => address.replace("@", " [at] "),
      arobase: (address) => {
        const [local, domain] = address.split("@") as [string, string]
        return `${local.replaceAll(".", " [point] ")} (arobase) ${domain.replaceAll(".", " [point] ")}`
      },
      entities: (address) => address.replace("@", "&#64;").replaceAll(".", "&#46;"),
      spans: (address) => address.replace("@", "<span>@</span>")
    }
    for (const [style, written] of Object.entries(expected)) {
      const site = siteWith(`obfuscatedEmails:${style}`)
      expect(html(site, detailsPage(site))).toContain(written(email(style)))
    }
    for (const site of sites.filter((candidate) => candidate.traps.obfuscation !== undefined)) {
      for (const path of paths(site)) {
        const page = html(site, path)
        // No plain address anywhere (an entities href decodes to it, but is not written plainly).
        for (const address of site.emails) expect(hasEmail(page, address)).toBe(false)
      }
    }
  })

  it("protect addresses the Cloudflare way, which decodes back", () => {
    const site = siteWith("obfuscatedEmails:cloudflare")
    const page = html(site, detailsPage(site))
    const encoded = cfEncode(site.emails[0]!, site.traps.cfKey)
    expect(page).toContain(
      `<a href="/cdn-cgi/l/email-protection#${encoded}"><span class="__cf_email__" data-cfemail="${encoded}">[email&#160;protected]</span></a>`
    )
    expect(page).toContain("cloudflare-static/email-decode.min.js")
    expect(xorDecode(encoded)).toBe(site.emails[0]!)
    expect(Number.parseInt(encoded.slice(0, 2), 16)).toBe(site.traps.cfKey)
  })

  it("can all be recovered from the pages", () => {
    for (const site of sites.filter((candidate) => candidate.traps.obfuscation !== undefined)) {
      const text = deobfuscated(
        paths(site)
          .map((path) => html(site, path))
          .join("\n")
      )
      for (const email of site.emails) expect({ email, found: hasEmail(text, email) }).toEqual({ email, found: true })
    }
  })
})

describe("cfEncode and cfDecode", () => {
  it("round-trip any key, the first byte being the key", () => {
    for (const key of [0, 1, 0x5a, 0xa5, 255]) {
      for (const email of ["contact@boulangerie-martin-0042.fr", "j.dupont@exemple.fr", "hélène@café.fr"]) {
        const encoded = cfEncode(email, key)
        expect(encoded).toMatch(/^[0-9a-f]+$/)
        expect(encoded.slice(0, 2)).toBe(key.toString(16).padStart(2, "0"))
        expect(cfDecode(encoded)).toBe(email)
        expect(xorDecode(encoded)).toBe(email)
      }
    }
    // Worked by hand with key 0x5a: a (0x61) → 3b, @ (0x40) → 1a, b (0x62) → 38, . (0x2e) → 74, c (0x63) → 39.
    expect(cfEncode("a@b.c", 0x5a)).toBe("5a3b1a387439")
    expect(cfDecode("5a3b1a387439")).toBe("a@b.c")
  })
})

describe("phones and fax", () => {
  it("write the trap notations: no-break spaces, +33 (0) with dots, compact +33, 0033", () => {
    const forms: Record<string, RegExp> = {
      nbsp: /^0\d{1,3}(\u00a0\d\d)+$/,
      "intl-paren-dots": /^\+\d{2,3} \(0\)\d{1,3}(\.\d\d)+$/,
      "intl-compact": /^\+\d{11,12}$/,
      "intl-00": /^00\d{2,3} \d{1,3}( \d\d)+$/
    }
    for (const [style, form] of Object.entries(forms)) {
      const site = siteWith(`phoneNotation:${style}`, (candidate) => !candidate.jsOnly)
      expect(site.phones[0]!.display).toMatch(form)
      const page = html(site, pathOf(site, "contact") ?? site.homePath)
      expect(page).toContain(escapeHtml(site.phones[0]!.display).replaceAll("\u00a0", "&nbsp;"))
    }
  })

  it("link phones with malformed tel: hrefs on some sites", () => {
    const trunk = siteWith("malformedTelHref:trunk", (candidate) => !candidate.jsOnly)
    const phone = trunk.phones[0]!.e164
    const country = phone.startsWith("+33") ? "+33" : phone.slice(0, 4)
    expect(html(trunk, trunk.homePath)).toContain(`href="tel:${country}0${phone.slice(country.length)}"`)
    const national = siteWith("malformedTelHref:national", (candidate) => !candidate.jsOnly)
    expect(html(national, national.homePath)).toMatch(/href="tel:0\d{9}"/)
    const prefixed = siteWith("malformedTelHref:intl-00", (candidate) => !candidate.jsOnly)
    expect(html(prefixed, prefixed.homePath)).toMatch(/href="tel:00\d{11,12}"/)
  })

  it("label a fax number that is not a contact phone", () => {
    const site = siteWith("fax", (candidate) => !candidate.jsOnly && pathOf(candidate, "legal") !== undefined)
    const fax = site.traps.fax!
    const text = escapeHtml(fax.display).replaceAll("\u00a0", "&nbsp;")
    expect(html(site, pathOf(site, "contact") ?? site.homePath)).toContain(`Fax : ${text}`)
    expect(html(site, pathOf(site, "legal")!)).toContain(`Fax : ${text}`)
    const truth = truthOf(site)
    expect(truth.fax).toEqual([fax.e164])
    expect(truth.phones).not.toContain(fax.e164)
    expect(truth.reachable.phones).not.toContain(fax.e164)
  })

  it("give overseas companies their department's numbers, and metropolitan ones never", () => {
    for (const site of sites) {
      const overseas = site.address.postcode.startsWith("97")
      for (const phone of site.phones) expect(phone.e164.startsWith("+33")).toBe(!overseas)
    }
    const reunion = siteWith("overseas", (candidate) => candidate.address.postcode.startsWith("974"))
    expect(reunion.phones[0]!.e164).toMatch(/^\+262(262|692)\d{6}$/)
    const companies = generateSites({
      seed: 3,
      count: 1,
      companies: [
        { siret: "55208131766522", name: "Pêcheries de Guadeloupe", postcode: "97110", city: "Pointe-à-Pitre" }
      ]
    })
    expect(companies[0]!.phones[0]!.e164).toMatch(/^\+590(590|690)\d{6}$/)
    expect(localizePhone("0262123456", "75011")).toBe("0252123456")
    expect(localizePhone("0612345678", "97400")).toBe("0692345678")
    expect(countryCode("0596123456")).toBe("596")
    expect(formatPhone("0262123456", "intl")).toBe("+262 262 12 34 56")
    expect(formatPhone("0262123456", "spaces")).toBe("0262 12 34 56")
  })
})

describe("look-alike identifiers", () => {
  it("show an association's RNA number and an IBAN", () => {
    const rna = siteWith("rna", (candidate) => pathOf(candidate, "legal") !== undefined)
    expect(html(rna, pathOf(rna, "legal")!)).toMatch(/\(RNA W\d{9}\)/)
    const iban = siteWith("iban", (candidate) => pathOf(candidate, "terms") !== undefined)
    expect(html(iban, pathOf(iban, "terms")!)).toMatch(/IBAN FR\d{2}( \d{4}){5} \d{3}/)
    // A valid IBAN: mod 97 of the rearranged number is 1.
    const digits = iban.traps.iban!.replaceAll(" ", "")
    const rearranged = `${digits.slice(4)}1527${digits.slice(2, 4)}`
    expect(BigInt(rearranged) % 97n).toBe(1n)
  })
})

describe("ground-truth values from the pages", () => {
  it("record exactly the own values each page shows (static pages, read independently)", () => {
    for (const site of sites.slice(0, 60).filter((candidate) => !candidate.jsOnly)) {
      for (const path of paths(site)) {
        const values = pageValues(site, path, SEED)
        const text = deobfuscated(html(site, path))
        expect({ path, emails: site.emails.filter((email) => hasEmail(text, email)) }).toEqual({
          path,
          emails: site.emails.filter((email) => values.emails.has(email))
        })
        expect({
          path,
          phones: site.phones.filter((phone) => hasPhone(text, phone.display)).map((p) => p.e164)
        }).toEqual({ path, phones: site.phones.filter((phone) => values.phones.has(phone.e164)).map((p) => p.e164) })
      }
    }
  })

  it("are the same whether the filler paragraphs are rendered or not", () => {
    const asJson = (values: ReturnType<typeof pageValues>) =>
      JSON.stringify(
        Object.entries(values).map(([key, value]) => [key, value instanceof Set ? [...value].sort() : value])
      )
    for (const site of sites.slice(0, 40))
      for (const path of paths(site))
        expect(asJson(pageValues(site, path, SEED))).toBe(asJson(pageValues(site, path, SEED, { render: true })))
  })

  it("leave out of the reachable sets the values only on a robots-disallowed page", () => {
    const cases = sites.filter((site) => site.emails.length > truthOf(site).reachable.emails.length && !site.jsOnly)
    expect(cases.length).toBeGreaterThan(0)
    for (const site of cases) {
      const truth = truthOf(site)
      const hidden = site.emails.filter((email) => !truth.reachable.emails.includes(email))
      const disallowed = paths(site).filter((path) => truth.robotsDisallow.some((rule) => path.startsWith(rule)))
      const allowed = paths(site).filter((path) => !disallowed.includes(path))
      const onDisallowed = deobfuscated(disallowed.map((path) => html(site, path)).join("\n"))
      const onAllowed = deobfuscated(allowed.map((path) => html(site, path)).join("\n"))
      for (const email of hidden) {
        expect(hasEmail(onDisallowed, email)).toBe(true)
        expect(hasEmail(onAllowed, email)).toBe(false)
      }
      for (const email of truth.reachable.emails) expect(hasEmail(onAllowed, email)).toBe(true)
    }
  })

  it("count JS-only content as reachable for a browser, not for a static fetch", () => {
    const jsOnly = sites.filter(
      (site) => site.jsOnly && truthOf(site).robotsDisallow.every((rule) => rule === "/wp-admin/")
    )
    expect(jsOnly.length).toBeGreaterThan(0)
    for (const site of jsOnly) {
      const truth = truthOf(site)
      expect(truth.reachable.emails).toEqual(truth.emails)
      expect(truth.reachable.phones).toEqual(truth.phones)
      expect(truth.reachableStatic).toEqual({ emails: [], phones: [] })
      const statics = paths(site)
        .map((path) => html(site, path))
        .join("\n")
      const scripts = paths(site)
        .map((path) => rendered(site, path))
        .join("\n")
      for (const email of site.emails) {
        expect(hasEmail(statics, email)).toBe(false)
        expect(hasEmail(scripts, email)).toBe(true)
      }
    }
    for (const truth of truths.filter((candidate) => !candidate.jsOnly))
      expect(truth.reachableStatic).toEqual(truth.reachable)
  })
})

describe("through the server", () => {
  it("serves the trap pages and the new ground-truth fields", async () => {
    const web: FixtureWeb = await startFixtureWeb({ seed: SEED, sites: 40 })
    try {
      const site = web.sites.find((candidate) => candidate.traps.agency !== undefined && !candidate.jsOnly)!
      const truth = web.truth.find((entry) => entry.domain === site.domain)!
      const credit = site.traps.agency!
      const where = credit.placement === "legal" ? (pathOf(site, "legal") ?? site.homePath) : site.homePath
      const body = await (await fetch(`http://${site.domain}${where}`, { proxy: web.proxyUrl })).text()
      expect(body).toContain(credit.agency.email)
      expect(truth.thirdPartyEmails).toContain(credit.agency.email)
      expect(truth.emails).not.toContain(credit.agency.email)
      const served = (await (
        await fetch("http://fixture.control/truth", { proxy: web.proxyUrl })
      ).json()) as GroundTruth[]
      expect(served.find((entry) => entry.domain === site.domain)?.reachable).toEqual(truth.reachable)
    } finally {
      await web.stop()
    }
  })
})
