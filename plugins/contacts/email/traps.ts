/**
 * Things that look like addresses but are not anyone's mailbox: examples and form placeholders,
 * asset names, template leftovers, version strings, URLs with an @, tracker IDs. Each rule names
 * the pattern it stands for; none names a particular site.
 */
import { isTrackerDomain, registrableDomain } from "./domains.ts"
import { isFileExtension } from "./tlds.ts"

export type TrapReason = "example" | "placeholder" | "asset" | "template" | "version" | "url" | "tracker" | "malformed"

/** Registrable names used in examples and form hints: `exemple.com`, `domaine.fr`, `votre-site.fr`. */
const EXAMPLE_NAMES =
  /^(example|exemple|examples|domain|domaine|mydomain|yourdomain|votredomaine|mondomaine|nomdedomaine|nomdomaine|monsite|votresite|yoursite|mysite|tonsite|sitename|website|votreentreprise|monentreprise|yourcompany|nomdusite|votrenomdedomaine|yourwebsite|societe|entreprise|company|test|localhost|x+)$/

/** Words a form hint spells where the visitor's own value goes. */
const HINT = `(?:e-?mail|mail|adresse|address|courriel|nom|name|pr[eé]nom|firstname|lastname|identifiant|login|pseudo)`
const PERSON_HINT = `(?:pr[eé]nom|nom|name|firstname|first|lastname|last|surname|initiale)`

/**
 * Local parts that stand for "your address here": `votre-email@`, `your.name@`, `prenom.nom@`,
 * `john.doe@`. A bare `email@` or `contact@` is a real mailbox and is not caught here.
 */
const PLACEHOLDER_LOCAL = new RegExp(
  [
    `^(?:votre|vous|your|you|ton|mon|my)(?:[._-]?${HINT})*$`,
    `^${PERSON_HINT}(?:[._-]?${PERSON_HINT})*$`,
    `^(?:john|jane)[._-]?doe$|^jean[._-]?dupont$`,
    `^[a-z][._-]nom$|^x+(?:[._-]x+)*$|^(?:test|exemple|example|user|username|utilisateur|someone|quelquun|toto|foo)$`
  ].join("|")
)

/** Generic mailbox words that make an example when the domain is one too: `email@email.com`, `mail@mail.fr`. */
const MAILBOX_WORDS = new Set(["email", "e-mail", "mail", "adresse", "address", "courriel", "contact"])

/** The name a domain is registered under, hyphens dropped: `mail.votre-site.co.uk` → `votresite`. */
const name = (domain: string): string => (registrableDomain(domain).split(".")[0] ?? "").replace(/-/g, "")

/** Why `address` is not a real mailbox, or null. `text`/`start`/`end` locate it in the text it came from, if any. */
export const trapOf = (address: string, where?: { text: string; start: number; end: number }): TrapReason | null => {
  const at = address.lastIndexOf("@")
  const local = address.slice(0, at)
  const domain = address.slice(at + 1)
  const labels = domain.split(".")
  const tld = labels[labels.length - 1] ?? ""
  // RFC 5321 limits; anything longer is a hash or a run of glued text.
  if (at <= 0 || local.length > 64 || domain.length > 253 || labels.length < 2) return "malformed"
  // `logo@2x.png`, `banner@3x.webp`: retina asset names; any "TLD" that is a file extension.
  if (isFileExtension(tld) || /^\d+x$/.test(labels[0]!)) return "asset"
  // `lodash@4.17.21`-style package versions (npm/CDN URLs pasted as text).
  if (labels.filter((label) => /^\d+$/.test(label)).length >= 2) return "version"
  // Hex IDs (Sentry DSNs, Wix/analytics keys) and anything on a tracker's domain.
  if (isTrackerDomain(domain) || (/^[0-9a-f]{16,}$/.test(local) && /\d/.test(local))) return "tracker"
  const registrable = name(domain)
  if (EXAMPLE_NAMES.test(registrable)) return "example"
  if (PLACEHOLDER_LOCAL.test(local)) return "placeholder"
  if (MAILBOX_WORDS.has(local) && MAILBOX_WORDS.has(registrable)) return "example"
  if (where !== undefined) return trapInText(where.text, where.start, where.end)
  return null
}

/** Template expressions left in a page (`{{ site.email }}`, `{% … %}`, `<?php … ?>`, `${…}`). */
const TEMPLATE = /\{\{[^}]*\}\}|\{%[^%]*%\}|<\?[\s\S]*?\?>|\$\{[^}]*\}/g

/** Text that introduces an example rather than an address: "ex :", "par exemple", "e.g.", "format :". */
const EXAMPLE_INTRO = /(\bex\.?|\bexemple|\bexample|\be\.g\.|\bformat|\bsous la forme)\s*:?\s*[("«]?\s*$/i

/** Traps only the surrounding text shows: a URL holding an @, an example, an address inside a template expression. */
const trapInText = (text: string, start: number, end: number): TrapReason | null => {
  const tokenStart = Math.max(text.lastIndexOf(" ", start - 1), text.lastIndexOf("\n", start - 1)) + 1
  const before = text.slice(tokenStart, start)
  // `https://user:pass@host`, `www.site.fr/…@…`, `host:8080`: an @ inside a URL.
  if (/:\/\/|^www\./i.test(before) || /^:\d/.test(text.slice(end, end + 2))) return "url"
  if (EXAMPLE_INTRO.test(text.slice(Math.max(0, start - 30), start))) return "example"
  for (const match of text.matchAll(TEMPLATE)) {
    if (match.index < end && start < match.index + match[0].length) return "template"
  }
  return null
}
