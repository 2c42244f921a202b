/**
 * The legal identity a site states about its publisher: SIREN, SIRET, VAT number, trade register,
 * APE code and the publisher's name, mostly from the legal notice ("mentions légales") and the
 * footer. Numbers of the host, the agency or the template author are kept apart (`thirdParty`),
 * never given as the site's own; look-alikes (ADELI/RPPS, RNA, ORIAS, services-à-la-personne,
 * phones, amounts) are not extracted at all.
 */
import { isValidSiren, isValidSiret } from "../../normalize/rules/identifiers.ts"
import type { Found, PagePart, ParsedPage, SitePages, ThirdParty } from "../../parse/ParsedPage.ts"
import { type BlockContext, partyAt } from "./context.ts"
import { fold } from "./fold.ts"
import { scanNaf } from "./naf.ts"
import { blockParties, KNOWN_HOST_SIRENS, type PartyCues, partyCues, partyNames } from "./parties.ts"
import { publisherUnderHeading, scanPublisher } from "./publisher.ts"
import { scanRcs } from "./rcs.ts"
import { type NumberHit, scanRegistrationNumbers } from "./registration.ts"
import { structuredValues } from "./structured.ts"
import { scanVat, vatKey } from "./vat.ts"

export type SirenFound = Found & {
  readonly valid: boolean
  readonly derivedFromSiret: boolean
  readonly asWritten: string
}
export type SiretFound = Found & { readonly valid: boolean; readonly asWritten: string }
export type VatFound = Found & { readonly keyConsistent: boolean | null; readonly asWritten: string }
export type RcsFound = Found<{ readonly city: string; readonly number: string | null }>

export interface Identity {
  readonly siren: ReadonlyArray<SirenFound>
  readonly siret: ReadonlyArray<SiretFound>
  /** Value "FR" + 11 characters, spaces removed. */
  readonly vat: ReadonlyArray<VatFound>
  readonly rcs: ReadonlyArray<RcsFound>
  /** The legal entity or person publishing the site ("SARL A PLUS C", "EI Antoine Lacronique"), when stated. */
  readonly publisher: Found | null
  /** APE/NAF code normalised "70.22Z". */
  readonly naf: ReadonlyArray<Found>
}

/** Values by key; a value found anywhere as a third party's is that third party's everywhere. */
class Values<F extends Found<unknown>> {
  private readonly byKey = new Map<string, F>()

  add(key: string, found: F) {
    const known = this.byKey.get(key)
    if (known === undefined) {
      this.byKey.set(key, found)
      return
    }
    // The host's SIRET printed again without its label is still the host's: once a value is
    // someone else's, it stays someone else's, with where it was seen as such.
    if (known.thirdParty === null && found.thirdParty !== null) this.byKey.set(key, found)
    else if (known.thirdParty === found.thirdParty && found.confidence > known.confidence) this.byKey.set(key, found)
  }

  has(key: string) {
    return this.byKey.has(key)
  }

  /** The site's own values first, the most confident first; page order otherwise. */
  list(): F[] {
    return [...this.byKey.values()].sort(
      (a, b) => Number(a.thirdParty !== null) - Number(b.thirdParty !== null) || b.confidence - a.confidence
    )
  }
}

/** Cheap tests of what a block may hold, before folding it: a SIREN has runs of three digits or more. */
const NUMBER_LIKE = /\d{3}/
const REGISTER_LIKE = /r\.?\s?c\.?\s?s|registre/i
const NAF_LIKE = /\b(naf|ape)\b/i

/** Blocks worth a publisher scan: those naming one of the publisher labels. */
const PUBLISHER_WORDS =
  /[ée]dit|propri[ée]t|raison sociale|d[ée]nomination|nom de l|entreprise individuelle|appartient/i

/**
 * Any of the above: most blocks hold none. Tested one by one, cheapest first: a single
 * case-insensitive alternation of all of them costs several times more on long lines.
 */
const anythingLike = (text: string) =>
  NUMBER_LIKE.test(text) || REGISTER_LIKE.test(text) || NAF_LIKE.test(text) || PUBLISHER_WORDS.test(text)

/** Where a publisher's name is read: what the site says of itself, not menus or forms. */
const PUBLISHER_PARTS: ReadonlySet<PagePart> = new Set(["legal", "main", "footer", "contact", "aside"])

/** How sure a derived SIREN is, relative to the SIRET it comes from. */
const DERIVED_FACTOR = 0.95
const VAT_CONFIDENCE = 0.9
const RCS_CONFIDENCE = 0.85
const NAF_CONFIDENCE = 0.85
const STRUCTURED_CONFIDENCE = 0.85

const hostOf = (siren: string): ThirdParty | null => (KNOWN_HOST_SIRENS.has(siren) ? "host" : null)

interface Publisher {
  readonly found: Found
  readonly strength: number
}

interface Collected {
  readonly siren: Values<SirenFound>
  readonly siret: Values<SiretFound>
  readonly vat: Values<VatFound>
  readonly rcs: Values<RcsFound>
  readonly naf: Values<Found>
  publisher: Publisher | null
}

/** Provenance of a value found at a position of a block; `party` when already known (a known host). */
type Where = (position: number, via: string, confidence: number, party: ThirdParty | null) => Omit<Found, "value">

/** SIRENs, SIRETs and VAT numbers of a block, with whose each is. */
const scanNumbers = (
  context: BlockContext,
  found: Where,
  into: Collected
): Array<NumberHit & { readonly thirdParty: ThirdParty | null }> => {
  const vats = scanVat(context.text)
  for (const vat of vats) {
    const where = found(vat.start, "text", VAT_CONFIDENCE, hostOf(vat.siren))
    into.vat.add(vat.value, { ...where, value: vat.value, keyConsistent: vat.keyConsistent, asWritten: vat.asWritten })
  }
  const hits = scanRegistrationNumbers(
    context,
    vats.map((vat) => [vat.start, vat.end] as const)
  )
  return hits.map((hit) => {
    const where = found(hit.start, "text", hit.confidence, hostOf(hit.digits.slice(0, 9)))
    const common = { ...where, value: hit.digits, valid: hit.valid, asWritten: hit.asWritten }
    if (hit.kind === "siren") into.siren.add(hit.digits, { ...common, derivedFromSiret: false })
    else into.siret.add(hit.digits, common)
    return { ...hit, thirdParty: where.thirdParty }
  })
}

const scanBlock = (context: BlockContext, into: Collected) => {
  const { page, text, folded, block } = context
  const found: Where = (position, via, confidence, party) => ({
    url: page.url,
    part: block.part,
    via,
    confidence,
    thirdParty: party ?? partyAt(context, position),
    fetchedAt: page.fetchedAt
  })

  const numbers = NUMBER_LIKE.test(text) ? scanNumbers(context, found, into) : []
  if (REGISTER_LIKE.test(text)) {
    for (const rcs of scanRcs(text, folded, numbers)) {
      const number = numbers.find((hit) => hit.digits.startsWith(rcs.number ?? "-"))
      const where = found(rcs.start, "text", RCS_CONFIDENCE, number?.thirdParty ?? null)
      into.rcs.add(`${fold(rcs.city)} ${rcs.number}`, { ...where, value: { city: rcs.city, number: rcs.number } })
    }
  }
  if (NAF_LIKE.test(text)) {
    for (const naf of scanNaf(text)) {
      into.naf.add(naf.value, { ...found(naf.start, "text", NAF_CONFIDENCE, null), value: naf.value })
    }
  }

  if (PUBLISHER_PARTS.has(block.part)) {
    const next = context.page.blocks[context.index + 1]
    const labelled = PUBLISHER_WORDS.test(text) ? scanPublisher(text, folded, next?.text) : []
    const underHeading =
      block.heading !== null && context.previous?.text === block.heading
        ? publisherUnderHeading(text, folded, block.heading)
        : null
    for (const hit of underHeading === null ? labelled : [...labelled, underHeading]) {
      if (into.publisher !== null && into.publisher.strength >= hit.strength) continue
      const where = found(hit.start, "text", 0.5 + 0.1 * hit.strength, null)
      if (where.thirdParty !== null) continue
      into.publisher = { found: { ...where, value: hit.value }, strength: hit.strength }
    }
  }
}

const scanPage = (page: ParsedPage, cues: PartyCues, into: Collected) => {
  const parties = blockParties(page)
  page.blocks.forEach((block, index) => {
    if (block.part === "form") return
    const text = block.text
    const previous = page.blocks[index - 1]
    const firstUnderHeading = block.heading !== null && previous?.text === block.heading
    if (!firstUnderHeading && !anythingLike(text)) return
    const context: BlockContext = {
      page,
      index,
      block,
      text,
      folded: fold(text),
      party: parties[index] ?? null,
      previous: page.blocks[index - 1],
      cues
    }
    scanBlock(context, into)
  })
  scanStructured(page, into)
}

/** schema.org identifiers: a VAT number, or a 9- or 14-digit taxID/identifier. */
const scanStructured = (page: ParsedPage, into: Collected) => {
  for (const { property, value, via, part } of structuredValues(page)) {
    const where = { url: page.url, part, via, confidence: STRUCTURED_CONFIDENCE, fetchedAt: page.fetchedAt }
    if (property === "legalName") {
      const name = value.trim()
      if (name !== "" && (into.publisher === null || into.publisher.strength < 2)) {
        into.publisher = { found: { ...where, thirdParty: null, value: name }, strength: 2 }
      }
      continue
    }
    const compact = value.replace(/[\s.\-\u00a0]/g, "").toUpperCase()
    const vat = /^FR([0-9A-HJ-NP-Z]{2})(\d{9})$/.exec(compact)
    if (vat !== null) {
      const [, key, siren] = vat as unknown as [string, string, string]
      into.vat.add(compact, {
        ...where,
        thirdParty: hostOf(siren),
        value: compact,
        keyConsistent: /^\d\d$/.test(key) ? Number(key) === vatKey(siren) : null,
        asWritten: value
      })
    } else if (/^\d{9}$/.test(compact)) {
      const common = { ...where, thirdParty: hostOf(compact), value: compact, asWritten: value }
      into.siren.add(compact, { ...common, valid: isValidSiren(compact), derivedFromSiret: false })
    } else if (/^\d{14}$/.test(compact)) {
      const common = { ...where, thirdParty: hostOf(compact.slice(0, 9)), value: compact, asWritten: value }
      into.siret.add(compact, { ...common, valid: isValidSiret(compact) })
    }
  }
}

/** The SIRET as written up to its ninth digit: "732 829 320 00074" → "732 829 320". */
const sirenPartOf = (asWritten: string): string => {
  const ninth = /^\D*(?:\d\D*){8}\d/.exec(asWritten)
  return ninth === null ? asWritten.replace(/\D/g, "").slice(0, 9) : ninth[0].replace(/^\D+/, "")
}

/** The SIREN a printed SIRET implies, where the SIREN itself is not printed. */
const deriveSirens = (into: Collected) => {
  for (const siret of into.siret.list()) {
    const siren = siret.value.slice(0, 9)
    if (into.siren.has(siren)) continue
    into.siren.add(siren, {
      ...siret,
      value: siren,
      via: "siret",
      confidence: siret.confidence * DERIVED_FACTOR,
      valid: isValidSiren(siren),
      derivedFromSiret: true,
      asWritten: sirenPartOf(siret.asWritten)
    })
  }
}

export const extractIdentity = (site: SitePages): Identity => {
  const cues = partyCues(partyNames(site))
  const into: Collected = {
    siren: new Values(),
    siret: new Values(),
    vat: new Values(),
    rcs: new Values(),
    naf: new Values(),
    publisher: null
  }
  for (const page of site.pages) scanPage(page, cues, into)
  deriveSirens(into)
  return {
    siren: into.siren.list(),
    siret: into.siret.list(),
    vat: into.vat.list(),
    rcs: into.rcs.list(),
    publisher: into.publisher?.found ?? null,
    naf: into.naf.list()
  }
}
