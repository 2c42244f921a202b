import type { PagePart, ThirdParty } from "../../parse/ParsedPage.ts"
import type { Evidence } from "./confidence.ts"
import type { Phone } from "./normalize.ts"

/**
 * What a place on a page says a number is: a phone ("Tél :", JSON-LD `telephone`), a fax ("Fax :",
 * `faxNumber`) or either (a bare number, a `tel:` link: sites wrap faxes in `tel:` links too).
 */
export type PhoneRole = "phone" | "fax" | "either"

/** One place a number was found on a page; extractPhones keeps the best place of each number. */
export interface PhoneOccurrence {
  readonly phone: Phone
  readonly asWritten: string
  readonly part: PagePart
  readonly via: "text" | "tel" | "whatsapp" | "jsonld" | "microdata"
  readonly evidence: Evidence
  readonly role: PhoneRole
  readonly thirdParty: ThirdParty | null
}
