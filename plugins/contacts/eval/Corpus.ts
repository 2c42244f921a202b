/**
 * A labelled corpus folder (the layout of ../shared/corpus/real-sites): `labels.json`, an array of
 * sites with their expected values, and `pages/<id>/<file>`. Loading checks the layout and names the
 * file and field that break it.
 */
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import type { ParsedPage } from "../../parse/ParsedPage.ts"
import { parseHtml } from "../../parse/parseHtml.ts"
import type { Field, FieldTruth, SiteTruth } from "./score.ts"

export class CorpusInvalid extends Error {
  override readonly name = "CorpusInvalid"
}

export interface CorpusSite {
  readonly truth: SiteTruth
  /** The site's files, unparsed (parsing is part of what `eval` times). */
  readonly files: ReadonlyArray<{ readonly name: string; readonly html: string }>
}

/** A corpus file's page, at a `file:` URL naming the site and the file. */
export const parseCorpusFile = (site: string, file: { readonly name: string; readonly html: string }): ParsedPage =>
  parseHtml(file.html, { url: `file:///${encodeURIComponent(site)}/${encodeURIComponent(file.name)}` })

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value)

/** Every string in a label value (objects and arrays walked), for the neutral lists. */
const stringsIn = (value: unknown, key?: string): string[] => {
  if (typeof value === "string") return key === "note" || key === "source" || key === "reason" ? [] : [value]
  if (Array.isArray(value)) return value.flatMap((member) => stringsIn(member))
  if (isObject(value)) return Object.entries(value).flatMap(([name, member]) => stringsIn(member, name))
  return []
}

const valuesOf = (list: unknown, key: string, where: string): string[] => {
  if (list === undefined || list === null) return []
  if (!Array.isArray(list)) throw new CorpusInvalid(`${where}: expected an array`)
  return list.map((entry, index) => {
    const value = isObject(entry) ? entry[key] : undefined
    if (typeof value !== "string") throw new CorpusInvalid(`${where}[${index}].${key}: expected a string`)
    return value
  })
}

/** Reads the labels of one site into the truth the scorer compares with. */
export const siteTruth = (id: string, expected: Json, where: string): SiteTruth => {
  const neutral = [
    ...stringsIn(expected.runtime_only),
    ...stringsIn(expected.email_as_image),
    ...stringsIn(expected.acceptable_emails),
    ...stringsIn(expected.fax)
  ]
  const field = (own: string[]): FieldTruth => ({ own, neutral })
  const siret = valuesOf(expected.siret, "value", `${where}.siret`)
  // The corpus's labelling rule: "a SIREN that is not printed but is implied by a printed SIRET is
  // included". Some sites of the second labelling batch leave it out; the rule is applied to every
  // site alike, so an extractor is neither rewarded nor punished by which batch labelled a site.
  const siren = [
    ...new Set([
      ...valuesOf(expected.siren, "value", `${where}.siren`),
      ...siret.map((value) => value.replace(/\D/g, "").slice(0, 9))
    ])
  ]
  const fields: Partial<Record<Field, FieldTruth>> = {
    emails: field(valuesOf(expected.emails, "value", `${where}.emails`)),
    phones: field(valuesOf(expected.phones, "value", `${where}.phones`)),
    siren: field(siren),
    siret: field(siret),
    social: field(valuesOf(expected.social, "url", `${where}.social`))
  }
  return { id, fields }
}

export const loadCorpus = (dir: string): CorpusSite[] => {
  const labelsFile = join(dir, "labels.json")
  if (!existsSync(labelsFile))
    throw new CorpusInvalid(`${labelsFile}: not found (a corpus folder holds labels.json and pages/)`)
  let labels: unknown
  try {
    labels = JSON.parse(readFileSync(labelsFile, "utf8"))
  } catch (error) {
    throw new CorpusInvalid(`${labelsFile}: not valid JSON (${(error as Error).message})`)
  }
  if (!Array.isArray(labels)) throw new CorpusInvalid(`${labelsFile}: expected an array of sites`)
  return labels.map((entry, index) => {
    const where = `${labelsFile} [${index}]`
    if (!isObject(entry)) throw new CorpusInvalid(`${where}: expected an object`)
    const id = entry.id
    if (typeof id !== "string" || id === "" || id.includes("/") || id.includes("..")) {
      throw new CorpusInvalid(`${where}.id: expected a folder name under pages/`)
    }
    const files = entry.pages
    if (!Array.isArray(files) || files.some((file) => typeof file !== "string" || file.includes("/"))) {
      throw new CorpusInvalid(`${where} (${id}).pages: expected an array of file names`)
    }
    if (!isObject(entry.expected)) throw new CorpusInvalid(`${where} (${id}).expected: expected an object`)
    const read = (files as string[]).map((name) => {
      const path = join(dir, "pages", id, name)
      if (!existsSync(path)) throw new CorpusInvalid(`${path}: listed in ${labelsFile} (${id}) but not found`)
      return { name, html: readFileSync(path, "utf8") }
    })
    return { truth: siteTruth(id, entry.expected, `${where} (${id}).expected`), files: read }
  })
}
