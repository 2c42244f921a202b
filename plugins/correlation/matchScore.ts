/**
 * Does a site belong to a registry company? A score from 0 to 1 built from evidence, each kept with
 * its weight so the score explains itself (docs/correlation.md). French law requires a company's
 * site to state its SIREN in the legal notice, so that is the strongest signal both ways: the
 * company's own SIREN makes the match, another company's SIREN on the site undoes it.
 */

import type { SiteEvidence } from "./evidence.ts"
import { foldName, nameSimilarity } from "./names.ts"

export interface CompanyFacts {
  readonly siren: string | null
  readonly siret: string | null
  readonly names: ReadonlyArray<string>
  readonly postcode: string | null
  readonly city: string | null
  /** A phone known from elsewhere (a Places provider), E.164. */
  readonly phone: string | null
}

export interface Evidence {
  readonly signal: "siren" | "siret" | "other_siren" | "name" | "postcode" | "city" | "phone" | "many_places"
  readonly weight: number
  readonly detail: string
}

export interface Match {
  readonly score: number
  readonly evidence: ReadonlyArray<Evidence>
}

/** The weights of docs/correlation.md. */
export const WEIGHTS = {
  siren: 0.7,
  siret: 0.1,
  otherSiren: -0.6,
  name: 0.3,
  postcode: 0.15,
  city: 0.1,
  phone: 0.2
} as const

/** Name similarity below this says nothing. */
const NAME_FLOOR = 0.5

/**
 * A site mentioning more postcodes than this is about many places (a directory page, a franchise
 * network, a chain's store list): finding the company's postcode or city on it proves nothing.
 */
export const MANY_PLACES = 3

export const matchScore = (company: CompanyFacts, site: SiteEvidence): Match => {
  const evidence: Evidence[] = []
  if (company.siren !== null && site.sirens.has(company.siren)) {
    evidence.push({ signal: "siren", weight: WEIGHTS.siren, detail: `the site states SIREN ${company.siren}` })
    if (company.siret !== null && site.sirets.has(company.siret)) {
      evidence.push({ signal: "siret", weight: WEIGHTS.siret, detail: `the site states SIRET ${company.siret}` })
    }
  } else if (site.sirens.size > 0) {
    const others = [...site.sirens].sort().join(", ")
    evidence.push({
      signal: "other_siren",
      weight: WEIGHTS.otherSiren,
      detail: `the site states another SIREN (${others})`
    })
  }
  const siteNames = site.domainLabel === null ? site.names : [...site.names, foldName(site.domainLabel)]
  let bestName = 0
  let bestOf = ""
  for (const name of company.names) {
    const folded = foldName(name)
    const similarity = nameSimilarity(folded, siteNames)
    if (similarity > bestName) {
      bestName = similarity
      bestOf = name
    }
  }
  if (bestName >= NAME_FLOOR) {
    const weight = Math.round(WEIGHTS.name * ((bestName - NAME_FLOOR) / (1 - NAME_FLOOR)) * 1000) / 1000
    evidence.push({ signal: "name", weight, detail: `"${bestOf}" matches the site's name (${bestName.toFixed(2)})` })
  }
  const manyPlaces = site.postcodes.size > MANY_PLACES
  if (manyPlaces) {
    evidence.push({
      signal: "many_places",
      weight: 0,
      detail: `the site mentions ${site.postcodes.size} postcodes: place does not count`
    })
  } else if (company.postcode !== null && site.postcodes.has(company.postcode)) {
    evidence.push({ signal: "postcode", weight: WEIGHTS.postcode, detail: `the site mentions ${company.postcode}` })
  }
  if (company.city !== null && !manyPlaces) {
    const city = foldName(company.city.replace(/\b\d+(e|er)?\b/g, ""), false)
    if (city.length >= 3 && ` ${site.text} `.includes(` ${city} `)) {
      evidence.push({ signal: "city", weight: WEIGHTS.city, detail: `the site mentions ${company.city}` })
    }
  }
  if (company.phone !== null && site.phones.has(company.phone)) {
    evidence.push({ signal: "phone", weight: WEIGHTS.phone, detail: `the site shows ${company.phone}` })
  }
  const total = evidence.reduce((sum, item) => sum + item.weight, 0)
  return { score: Math.round(Math.min(1, Math.max(0, total)) * 1000) / 1000, evidence }
}
