/**
 * The organisation a site describes about itself in schema.org data (JSON-LD or microdata):
 * Organization, LocalBusiness and their many subtypes (Restaurant, Dentist, Store…). The first
 * such description wins, JSON-LD before microdata (it is the form search engines read).
 */
import type { ParsedPage } from "./ParsedPage.ts"

export interface Organization {
  readonly type: string
  readonly name: string | null
  readonly legal_name: string | null
  readonly url: string | null
  readonly emails: ReadonlyArray<string>
  readonly telephones: ReadonlyArray<string>
  readonly address: {
    readonly street: string | null
    readonly postcode: string | null
    readonly city: string | null
    readonly country: string | null
  } | null
  readonly same_as: ReadonlyArray<string>
  /** vatID, taxID, siret/siren-like identifiers as written. */
  readonly identifiers: Readonly<Record<string, string>>
  /** The page it was read from. */
  readonly source_url: string
  readonly via: "jsonld" | "microdata"
}

/** Types that describe a business (schema.org Organization and LocalBusiness branches, as sites use them). */
const BUSINESS_TYPE =
  /organi[sz]ation|business|corporation|store|shop|restaurant|cafe|bakery|bar|hotel|lodging|service|agency|office|clinic|dentist|physician|medical|attorney|legal|notary|accountant|contractor|electrician|plumber|roofing|locksmith|salon|spa|gym|club|school|ngo|association|winery|brewery|farm|autorepair|autodealer|realestate|travel|insurance|bank|florist|library|museum/i

/** Types that are not a business however their name reads: an offer, a page, a person. */
const NOT_BUSINESS = new Set([
  "Service",
  "Product",
  "Offer",
  "WebSite",
  "WebPage",
  "Person",
  "Event",
  "Place",
  "Article"
])

const isBusinessType = (type: string): boolean => {
  const name = type.replace(/^https?:\/\/schema\.org\//, "")
  return !NOT_BUSINESS.has(name) && BUSINESS_TYPE.test(name)
}

const typesOf = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).filter((type): type is string => typeof type === "string")

const text = (value: unknown): string | null => {
  if (typeof value === "string") return value.trim() === "" ? null : value.trim()
  if (typeof value === "number") return String(value)
  if (Array.isArray(value)) return text(value[0])
  if (typeof value === "object" && value !== null && "@value" in value)
    return text((value as { "@value": unknown })["@value"])
  return null
}

const texts = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).map(text).filter((entry): entry is string => entry !== null)

const addressOf = (value: unknown): Organization["address"] => {
  const node = Array.isArray(value) ? value[0] : value
  if (typeof node === "string") return { street: node, postcode: null, city: null, country: null }
  if (typeof node !== "object" || node === null) return null
  const address = node as Record<string, unknown>
  const country = address.addressCountry
  return {
    street: text(address.streetAddress),
    postcode: text(address.postalCode),
    city: text(address.addressLocality),
    country:
      typeof country === "object" && country !== null ? text((country as Record<string, unknown>).name) : text(country)
  }
}

const IDENTIFIER_KEYS = ["vatID", "taxID", "leiCode", "duns", "siret", "siren", "identifier"]

const fromJsonLd = (node: Readonly<Record<string, unknown>>, url: string): Organization | null => {
  const types = typesOf(node["@type"])
  const type = types.find(isBusinessType)
  if (type === undefined) return null
  const identifiers: Record<string, string> = {}
  for (const key of IDENTIFIER_KEYS) {
    const value = text(node[key])
    if (value !== null) identifiers[key] = value
  }
  return {
    type,
    name: text(node.name),
    legal_name: text(node.legalName),
    url: text(node.url),
    emails: texts(node.email).map((email) => email.replace(/^mailto:/i, "")),
    telephones: texts(node.telephone),
    address: addressOf(node.address),
    same_as: texts(node.sameAs),
    identifiers,
    source_url: url,
    via: "jsonld"
  }
}

export const organizationOf = (pages: ReadonlyArray<ParsedPage>): Organization | null => {
  for (const page of pages) {
    for (const node of page.jsonLd) {
      const found = fromJsonLd(node, page.url)
      if (found !== null) return found
      // A WebSite or WebPage often nests its publisher or "about" organisation.
      // Not `author` or `provider`: on a WebSite they name the agency that built it.
      for (const key of ["publisher", "about", "mainEntity"]) {
        const nested = node[key]
        if (typeof nested === "object" && nested !== null && !Array.isArray(nested)) {
          const inner = fromJsonLd(nested as Record<string, unknown>, page.url)
          if (inner !== null) return inner
        }
      }
    }
  }
  for (const page of pages) {
    for (const item of page.microdata) {
      const type = item.type?.split("/").pop() ?? ""
      if (!isBusinessType(type)) continue
      const first = (name: string) => item.props[name]?.[0]?.trim() || null
      return {
        type,
        name: first("name"),
        legal_name: first("legalName"),
        url: first("url"),
        emails: (item.props.email ?? []).map((email) => email.replace(/^mailto:/i, "").trim()).filter(Boolean),
        telephones: (item.props.telephone ?? []).map((phone) => phone.trim()).filter(Boolean),
        address: null,
        same_as: item.props.sameAs ?? [],
        identifiers: Object.fromEntries(
          IDENTIFIER_KEYS.flatMap((key) => (first(key) === null ? [] : [[key, first(key)!]]))
        ),
        source_url: page.url,
        via: "microdata"
      }
    }
  }
  return null
}
