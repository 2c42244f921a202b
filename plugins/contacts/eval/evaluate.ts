/**
 * `filon eval`: the extractors run on a labelled corpus (or the fixture web's ground truth) and are
 * scored per field against the targets of the extraction issue. Verification that needs the network
 * (MX, domain checks) is not extraction and is not run here.
 */

import type { ParsedPage } from "../../parse/ParsedPage.ts"
import { extractContacts } from "../extractContacts.ts"
import { type CorpusSite, loadCorpus, parseCorpusFile } from "./Corpus.ts"
import {
  FIELDS,
  type Field,
  type FieldScore,
  meets,
  ownValues,
  type SiteTruth,
  scoreField,
  type Target
} from "./score.ts"

/** Targets on real pages (issue 5). */
export const CORPUS_TARGETS: Readonly<Record<Field, Target>> = {
  emails: { precision: 0.97, recall: 0.95 },
  phones: { precision: 0.97, recall: 0.95 },
  siren: { precision: 0.98, recall: 0.98 },
  siret: { precision: 0.98, recall: 0.98 },
  social: { precision: 0.95, recall: 0.95 }
}

/** Targets on the fixture web (values reachable without breaking robots.txt). */
export const FIXTURE_TARGETS: Readonly<Partial<Record<Field, Target>>> = {
  emails: { precision: 0.98, recall: 0.98 },
  phones: { precision: 0.98, recall: 0.98 }
}

export interface FieldReport extends FieldScore {
  readonly target: Target | null
  readonly met: boolean | null
}

export interface EvalReport {
  readonly source: string
  readonly sites: number
  readonly pages: number
  readonly bytes: number
  /** What `seconds` covers: parse and extract, or the whole fixture-web run. */
  readonly timed: string
  readonly seconds: number
  readonly pages_per_s: number
  readonly fields: Readonly<Record<Field, FieldReport>>
  /** Every targeted field met its target. */
  readonly met: boolean
}

export interface ScoredSite {
  readonly truth: SiteTruth
  readonly found: Readonly<Record<Field, ReadonlyArray<string>>>
}

export const report = (
  source: string,
  scored: ReadonlyArray<ScoredSite>,
  figures: { readonly pages: number; readonly bytes: number; readonly seconds: number; readonly timed: string },
  targets: Readonly<Partial<Record<Field, Target>>>
): EvalReport => {
  const fields = Object.fromEntries(
    FIELDS.map((field) => {
      const score = scoreField(field, scored)
      const target = targets[field] ?? null
      return [field, { ...score, target, met: target === null ? null : meets(score, target) }]
    })
  ) as Record<Field, FieldReport>
  return {
    source,
    sites: scored.length,
    pages: figures.pages,
    bytes: figures.bytes,
    timed: figures.timed,
    seconds: Math.round(figures.seconds * 1000) / 1000,
    pages_per_s: Math.round(figures.pages / Math.max(figures.seconds, 1e-9)),
    fields,
    met: Object.values(fields).every((field) => field.met !== false)
  }
}

/** Parses and extracts every site of a corpus folder and scores the result. */
export const evaluateCorpus = (dir: string): EvalReport => evaluateSites(dir, loadCorpus(dir))

export const evaluateSites = (source: string, sites: ReadonlyArray<CorpusSite>): EvalReport => {
  let pages = 0
  let bytes = 0
  const started = performance.now()
  const scored = sites.map((site): ScoredSite => {
    const parsed: ParsedPage[] = site.files.map((file) => {
      bytes += Buffer.byteLength(file.html)
      return parseCorpusFile(site.truth.id, file)
    })
    pages += parsed.length
    return { truth: site.truth, found: ownValues(extractContacts({ domain: null, pages: parsed })) }
  })
  const seconds = (performance.now() - started) / 1000
  return report(source, scored, { pages, bytes, seconds, timed: "parse and extract" }, CORPUS_TARGETS)
}
