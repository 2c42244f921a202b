/**
 * Identifiers in machine-readable data: schema.org `vatID`, `taxID` and `identifier` of a JSON-LD
 * object or microdata item (an Organization, a LocalBusiness…), and its `legalName`.
 */
import type { ParsedPage } from "../../parse/ParsedPage.ts"

export interface StructuredValue {
  readonly property: "vatID" | "taxID" | "identifier" | "legalName"
  readonly value: string
  readonly via: "jsonld" | "microdata"
  readonly part: ParsedPage["microdata"][number]["part"]
}

const PROPERTIES = ["vatID", "taxID", "identifier", "legalName"] as const

/** Strings of a schema.org value: a string, an array of them, or a PropertyValue's `value`. */
const stringsOf = (value: unknown): string[] => {
  if (typeof value === "string") return [value]
  if (typeof value === "number") return [String(value)]
  if (Array.isArray(value)) return value.flatMap(stringsOf)
  if (typeof value === "object" && value !== null && "value" in value)
    return stringsOf((value as { value: unknown }).value)
  return []
}

/** Objects nested in a JSON-LD object (`publisher`, `provider`, `parentOrganization`…), itself first. */
const objectsIn = (node: unknown, depth = 0): Array<Record<string, unknown>> => {
  if (depth > 4 || typeof node !== "object" || node === null) return []
  if (Array.isArray(node)) return node.flatMap((member) => objectsIn(member, depth + 1))
  const record = node as Record<string, unknown>
  return [record, ...Object.values(record).flatMap((member) => objectsIn(member, depth + 1))]
}

export const structuredValues = (page: ParsedPage): StructuredValue[] => {
  const found: StructuredValue[] = []
  for (const root of page.jsonLd) {
    for (const object of objectsIn(root)) {
      for (const property of PROPERTIES) {
        for (const value of stringsOf(object[property])) found.push({ property, value, via: "jsonld", part: "main" })
      }
    }
  }
  for (const item of page.microdata) {
    for (const property of PROPERTIES) {
      for (const value of item.props[property] ?? []) found.push({ property, value, via: "microdata", part: item.part })
    }
  }
  return found
}
