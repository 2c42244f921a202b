/**
 * What a site says that can tie it to a registry company: the SIREN/SIRET its legal notice states
 * as its own, the names it gives itself (title, schema.org name, publisher, domain), the postcodes
 * and places its text mentions, and its phones.
 */
import { extractIdentity } from "../contacts/identity/extractIdentity.ts"
import { extractPhones } from "../contacts/phone/extractPhones.ts"
import { organizationOf } from "../parse/organization.ts"
import type { SitePages } from "../parse/ParsedPage.ts"
import { foldName } from "./names.ts"

export interface SiteEvidence {
  readonly sirens: ReadonlySet<string>
  readonly sirets: ReadonlySet<string>
  /** Names the site gives itself, folded (accents, case, legal forms removed). */
  readonly names: ReadonlyArray<string>
  /** The registrable part of the site's domain ("boulangerie-martin" for boulangerie-martin.fr). */
  readonly domainLabel: string | null
  /** Five-digit tokens of the visible text (postcodes among them). */
  readonly postcodes: ReadonlySet<string>
  /** The visible text, folded, for place names (bounded). */
  readonly text: string
  readonly phones: ReadonlySet<string>
  readonly pages: number
}

const TEXT_LIMIT = 200_000

export const siteEvidence = (site: SitePages): SiteEvidence => {
  const identity = extractIdentity(site)
  const own = <T extends { readonly thirdParty: unknown; readonly value: string }>(found: ReadonlyArray<T>) =>
    new Set(found.filter((value) => value.thirdParty === null).map((value) => value.value))
  const sirets = own(identity.siret)
  const sirens = new Set([...own(identity.siren), ...[...sirets].map((siret) => siret.slice(0, 9))])
  const organization = organizationOf(site.pages)
  const names = [
    ...site.pages.map((page) => page.title),
    organization?.name ?? "",
    organization?.legal_name ?? "",
    identity.publisher?.thirdParty === null ? identity.publisher.value : ""
  ]
    .map((name) => foldName(name))
    .filter((name) => name.length >= 2)
  let text = ""
  const postcodes = new Set<string>()
  for (const page of site.pages) {
    for (const block of page.blocks) {
      if (block.part === "host" || block.part === "credits" || block.part === "form") continue
      for (const match of block.text.matchAll(/(?<!\d)\d{5}(?!\d)/g)) postcodes.add(match[0])
      if (text.length < TEXT_LIMIT) text += ` ${block.text}`
    }
  }
  const phones = new Set(
    extractPhones(site)
      .filter((phone) => phone.thirdParty === null && !phone.fax)
      .map((phone) => phone.value)
  )
  const domainLabel = site.domain === null ? null : (site.domain.split(".").slice(-2, -1)[0] ?? null)
  return {
    sirens,
    sirets,
    names,
    domainLabel,
    postcodes,
    text: foldName(text, false),
    phones,
    pages: site.pages.length
  }
}
