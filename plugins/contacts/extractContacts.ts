/**
 * Everything the extractors find on one site's pages: the function the enrich steps, `filon eval`
 * and the benchmark share, so what is measured is what runs.
 */
import type { SitePages } from "../parse/ParsedPage.ts"
import { type EmailFound, extractEmails } from "./email/extractEmails.ts"
import { extractIdentity, type Identity } from "./identity/extractIdentity.ts"
import { extractPhones, type PhoneFound } from "./phone/extractPhones.ts"
import { extractSocial, type SocialFound } from "./social/extractSocial.ts"

export interface SiteContacts {
  readonly emails: ReadonlyArray<EmailFound>
  readonly phones: ReadonlyArray<PhoneFound>
  readonly social: ReadonlyArray<SocialFound>
  readonly identity: Identity
}

export const extractContacts = (site: SitePages): SiteContacts => ({
  emails: extractEmails(site),
  phones: extractPhones(site),
  social: extractSocial(site),
  identity: extractIdentity(site)
})
