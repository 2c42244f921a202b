/**
 * Which fields become dataset columns: every field declared upstream that is not internal, in
 * plan order (identifiers first), so the columns follow the steps' declarations, not the data.
 */
import { mkdir } from "node:fs/promises"
import { dirname } from "node:path"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { writeAtomic } from "../../core/AtomicFile.ts"
import type { Rec } from "../../core/Record.ts"
import { fieldProjector } from "../../core/records/FieldAccess.ts"
import type { DeclaredField, RecordInput, StepContext } from "../../core/Step.ts"
import { fanOut } from "../../core/StreamBridge.ts"
import { websiteHost } from "../web/PageStore.ts"
import { loadSuppression, type Suppression, scrubRecord } from "./Suppression.ts"
import { csvChunks } from "./writers/csv.ts"
import { writeParquet } from "./writers/parquet.ts"

export interface DatasetColumn {
  readonly name: string
  readonly type: DeclaredField["spec"]["type"]
  readonly description: string
  readonly personal: boolean
  readonly step: string
}

const FIRST = ["siret", "siren"]

export const datasetColumns = (fields: ReadonlyArray<DeclaredField>): DatasetColumn[] => {
  const columns = fields
    .filter((field) => !field.spec.internal)
    .map((field) => ({
      name: field.name,
      type: field.spec.type,
      description: field.spec.description,
      personal: field.spec.personal === true,
      step: field.step
    }))
  const rank = (name: string) => (FIRST.includes(name) ? FIRST.indexOf(name) : FIRST.length)
  return columns
    .map((column, index) => ({ column, index }))
    .sort((a, b) => rank(a.column.name) - rank(b.column.name) || a.index - b.index)
    .map(({ column }) => column)
}

/** One generated projection per column list (a list lives as long as its export). */
const projectors = new WeakMap<ReadonlyArray<DatasetColumn>, (record: Rec) => Record<string, unknown>>()

/** A record cut to the dataset columns (absent values as null). */
const projectRecord = (record: Rec, columns: ReadonlyArray<DatasetColumn>) => {
  let projector = projectors.get(columns)
  if (projector === undefined) {
    projector = fieldProjector(columns.map((column) => column.name))
    projectors.set(columns, projector)
  }
  return projector(record)
}

async function* project(records: AsyncIterable<Rec>, columns: ReadonlyArray<DatasetColumn>) {
  for await (const record of records) yield projectRecord(record, columns)
}

/** Records cut to the dataset columns (absent values as null). */
export const projectedStream = (
  input: RecordInput,
  columns: ReadonlyArray<DatasetColumn>,
  keep: (record: Rec) => boolean = () => true
) =>
  input.pipe(
    Stream.filter(keep),
    Stream.map((record) => projectRecord(record, columns))
  )

/**
 * Stages whose steps enrich records from the web: their fields go to dataset_enriched only, so that
 * dataset.{csv,parquet} keeps the registry columns whatever the profile (third-party enrichers
 * named `enrich.*`, `parse.*`… join in by their stage).
 */
const ENRICHMENT_STAGES = new Set([
  "http",
  "enrich",
  "crawl",
  "headless",
  "parse",
  "feeds",
  "pdf",
  "correlation",
  "scraper"
])

/**
 * True for a field written by an enrichment step (the step as the profile names it, e.g. `enrich.email`).
 * quality.clean_contacts (and its aliases) sorts web contacts, so its fields are enrichment too.
 */
export const isEnrichment = (column: Pick<DatasetColumn, "step">) =>
  ENRICHMENT_STAGES.has(column.step.split(".")[0] ?? "") || column.step.startsWith("quality.clean_contacts")

/**
 * What every export file gets of a record (GDPR): nothing when its SIREN is on the suppression list;
 * otherwise every suppressed email or domain scrubbed from every cell, and, for a company that
 * objected to diffusion (SIRENE statut P), no personal item (flagged `personal`, a nominative
 * address, a person's LinkedIn profile) in any cell.
 */
export const exportable = (record: Rec, suppression: Suppression): Rec | null => {
  if (suppression.suppressesCompany(record)) return null
  let scrubbed = scrubRecord(record, suppression)
  // A suppressed website: nothing taken from its pages stays, whatever domain the values are on.
  if (siteSuppressed(record, suppression)) scrubbed = withoutFields(scrubbed, FROM_THE_SITE)
  if (scrubbed.diffusion !== "P") return scrubbed
  // A company that objected to diffusion is often a sole trader: its numbers, profiles, Places
  // address and the evidence naming them identify a person.
  scrubbed = withoutFields(scrubbed, PERSONAL_WHEN_P)
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(scrubbed)) {
    if (!Array.isArray(value)) out[key] = isPersonalItem(value) ? null : value
    else {
      const kept = value.filter((item) => !isPersonalItem(item))
      out[key] = kept.length === 0 ? null : kept
    }
  }
  return out
}

/** Fields taken from a company's own pages (crawl and extraction). */
const FROM_THE_SITE = [
  "website",
  "domain",
  "email",
  "emails",
  "emails_nominative",
  "email_details",
  "email_mx",
  "phone",
  "phones",
  "phone_type",
  "phone_details",
  "fax_numbers",
  "linkedin_url",
  "social_urls",
  "social_details",
  "site_siren",
  "site_siret",
  "site_vat",
  "site_rcs",
  "site_publisher",
  "jsonld_type",
  "jsonld_name",
  "contacts",
  "contacts_clean",
  "contacts_rejected"
]

/** Fields left out for a company with diffusion status P (besides items flagged personal). */
const PERSONAL_WHEN_P = [
  "phone",
  "phones",
  "phone_type",
  "phone_details",
  "fax_numbers",
  "emails_nominative",
  "linkedin_url",
  "social_urls",
  "social_details",
  "site_publisher",
  "maps_phone",
  "maps_address",
  "maps_place_id",
  "match_evidence"
]

const withoutFields = (record: Rec, fields: ReadonlyArray<string>): Rec => {
  const out: Record<string, unknown> = { ...record }
  for (const field of fields) if (field in out) out[field] = null
  return out
}

/** The record's website is on a suppressed domain (or a sub-domain of one). */
const siteSuppressed = (record: Rec, suppression: Suppression): boolean => {
  const host = suppression.domains.size === 0 ? null : websiteHost(record.website)
  if (host === null) return false
  const labels = host.split(".")
  return labels.some((_, index) => suppression.domains.has(labels.slice(index).join(".")))
}

/** A person's LinkedIn profile (not a company page), as a URL. */
const PERSON_PROFILE = /linkedin\.com\/in\//i

/** A list item or cell that identifies a person: flagged personal, a named address, a person's profile. */
const isPersonalItem = (item: unknown): boolean => {
  if (typeof item === "string") return PERSON_PROFILE.test(item)
  if (typeof item !== "object" || item === null) return false
  const fields = item as { personal?: unknown; kind?: unknown; platform?: unknown; company_page?: unknown }
  return (
    fields.personal === true ||
    fields.kind === "nominative" ||
    (fields.platform === "linkedin" && fields.company_page === false)
  )
}

/** A Parquet-only file with several rows per record (e.g. contacts/contacts.parquet). */
export interface ExplodedFile {
  readonly path: string
  readonly columns: ReadonlyArray<DatasetColumn>
  readonly rowsOf: (record: Rec) => Iterable<Record<string, unknown>>
}

async function* explode(records: AsyncIterable<Rec>, file: ExplodedFile) {
  for await (const record of records) {
    for (const row of file.rowsOf(record)) yield projectRecord(row, file.columns)
  }
}

export interface DatasetFiles {
  readonly columns: ReadonlyArray<DatasetColumn>
  readonly csv: string
  readonly parquet: string
}

/**
 * Writes each dataset as CSV and Parquet (and each exploded file as Parquet) from one pass over the
 * input (every writer pulls from a bounded broadcast), and records the outputs. Records go through
 * `exportable` first: the job's suppression list and diffusion status apply to every file.
 */
export const writeDatasets = (
  context: StepContext<unknown>,
  input: RecordInput,
  datasets: ReadonlyArray<DatasetFiles>,
  keep: (record: Rec) => boolean = () => true,
  exploded: ReadonlyArray<ExplodedFile> = []
) =>
  Effect.gen(function* () {
    const suppression = yield* loadSuppression(context)
    const rows = datasets.map(() => 0)
    const explodedRows = exploded.map(() => 0)
    const kept = input.pipe(
      Stream.filter(keep),
      Stream.filterMap((record) => Option.fromNullable(exportable(record, suppression)))
    )
    yield* fanOut(kept, [
      ...datasets.flatMap((dataset, index) => [
        async (records: AsyncIterable<Rec>) => {
          const written = await writeParquet(
            context.path(dataset.parquet),
            dataset.columns,
            project(records, dataset.columns)
          )
          rows[index] = written.rows
        },
        async (records: AsyncIterable<Rec>) => {
          await Effect.runPromise(
            writeAtomic(context.path(dataset.csv), csvChunks(dataset.columns, project(records, dataset.columns)))
          )
        }
      ]),
      ...exploded.map((file, index) => async (records: AsyncIterable<Rec>) => {
        await mkdir(dirname(context.path(file.path)), { recursive: true })
        const written = await writeParquet(context.path(file.path), file.columns, explode(records, file))
        explodedRows[index] = written.rows
      })
    ])
    const written = []
    for (const [index, dataset] of datasets.entries()) {
      const meta = { rows: rows[index]!, schema: dataset.columns.map((column) => column.name) }
      const parquetOut = yield* context.recordOutput(dataset.parquet, meta)
      const csvOut = yield* context.recordOutput(dataset.csv, meta)
      written.push({ parquetOut, csvOut, rows: meta.rows })
    }
    const explodedOut = []
    for (const [index, file] of exploded.entries()) {
      const meta = { rows: explodedRows[index]!, schema: file.columns.map((column) => column.name) }
      explodedOut.push(yield* context.recordOutput(file.path, meta))
    }
    return Object.assign(written, { exploded: explodedOut })
  })

/** One dataset as CSV and Parquet. */
export const writeDatasetPair = (
  context: StepContext<unknown>,
  input: RecordInput,
  columns: ReadonlyArray<DatasetColumn>,
  paths: { readonly csv: string; readonly parquet: string },
  keep?: (record: Rec) => boolean
) => writeDatasets(context, input, [{ columns, ...paths }], keep).pipe(Effect.map((written) => written[0]!))
