/**
 * `package.export`: the dataset files (CSV and Parquet, sorted by SIRET, byte-identical for the
 * same inputs, job and code), the manifest, sha256.txt and a data dictionary generated from the
 * fields the steps declare, so it cannot drift from the code.
 */
import { readdir, rm, stat } from "node:fs/promises"
import { basename, join, relative } from "node:path"
import * as Effect from "effect/Effect"
import type { Rec } from "../../core/Record.ts"
import { defineStep, type RecordInput, type StepContext } from "../../core/Step.ts"
import { type DatasetColumn, datasetColumns, type ExplodedFile, isEnrichment, writeDatasets } from "./columns.ts"
import { codeVersions } from "./versions.ts"
import { renderSha256Txt } from "./writers/checksums.ts"
import { renderDataDictionary } from "./writers/dictionary.ts"

const FILES = {
  csv: "dataset.csv",
  parquet: "dataset.parquet",
  enrichedCsv: "dataset_enriched.csv",
  enrichedParquet: "dataset_enriched.parquet",
  manifest: "manifest.json",
  checksums: "sha256.txt",
  dictionary: "data_dictionary.md",
  contacts: "contacts/contacts.parquet",
  contactsClean: "contacts/contacts_clean.parquet"
} as const

/** One row per contact value: the columns of contacts/contacts.parquet and contacts/contacts_clean.parquet. */
const contactColumns = (step: string): DatasetColumn[] =>
  (
    [
      ["siret", "string", "Establishment identifier", false],
      ["siren", "string", "Legal unit identifier", false],
      ["type", "string", "email, phone, website or social", false],
      ["value", "string", "The contact value: email, phone (E.164), website or profile URL", true],
      [
        "kind",
        "string",
        "email: generic / nominative; phone: landline, mobile, premium…; social: platform; website: site",
        false
      ],
      [
        "personal",
        "boolean",
        "True when the value identifies a person (named address, mobile, a person's profile)",
        false
      ],
      ["source_step", "string", "The step that found the value (the first source when several did)", false],
      ["sources", "string[]", "Every step that gave the value", false],
      ["url", "string", "The page the value was found on", false],
      ["part", "string", "The part of that page (contact, legal, footer…)", false],
      ["via", "string", "How it was found (mailto link, text, JSON-LD, maps…)", false],
      ["confidence", "number", "Confidence of the value, 0-1", false],
      ["fetched_at", "datetime", "When the page was fetched", false],
      ["mx", "boolean", "Emails: the domain accepts mail (empty when not checked)", false],
      ["disposable", "boolean", "Emails: a disposable mail domain", false],
      ["on_site_domain", "boolean", "Emails: on the domain of the company's website", false]
    ] as const
  ).map(([name, type, description, personal]) => ({ name, type, description, personal, step }))

/** The rows of one record's contact list field (`contacts` or `contacts_clean`). */
const contactRows = (field: string) =>
  function* (record: Rec) {
    const items = record[field]
    if (!Array.isArray(items)) return
    const siren = typeof record.siren === "string" ? record.siren : String(record.siret ?? "").slice(0, 9)
    for (const item of items) {
      if (typeof item === "object" && item !== null) yield { ...item, siret: record.siret, siren }
    }
  }

/** The contact files of the steps in the profile: contacts.parquet (enrich.contacts), contacts_clean.parquet. */
const contactFiles = (context: StepContext<unknown>): ExplodedFile[] => {
  const writer = (field: string) => context.upstreamFields.find((declared) => declared.name === field)?.step
  const files: ExplodedFile[] = []
  for (const [field, path] of [
    ["contacts", FILES.contacts],
    ["contacts_clean", FILES.contactsClean]
  ] as const) {
    const step = writer(field)
    if (step !== undefined) files.push({ path, columns: contactColumns(step), rowsOf: contactRows(field) })
  }
  return files
}

/** "2025-11-01-StockEtablissement_utf8.zip" -> "2025-11": the month the stock describes, from the published name. */
const stockMonth = (file: string) => /(\d{4}-\d{2})-\d{2}-Stock/.exec(basename(file))?.[1] ?? null

/** Every input file (folders listed), with its size and the stock month its name gives. */
const describeInputs = (inputs: ReadonlyArray<string>) =>
  Effect.promise(async () => {
    const files: string[] = []
    for (const input of inputs) {
      const info = await stat(input).catch(() => undefined)
      if (info?.isDirectory()) {
        const names = (await readdir(input)).filter((name) => !name.startsWith(".")).sort()
        files.push(...names.map((name) => join(input, name)))
      } else files.push(input)
    }
    return Promise.all(
      files.map(async (path) => {
        const info = await stat(path).catch(() => undefined)
        return { path, bytes: info?.isFile() ? info.size : null, stock_month: stockMonth(path) }
      })
    )
  })

/**
 * dataset.{csv,parquet}: the registry and quality columns. With enrichment steps in the profile,
 * dataset_enriched.{csv,parquet} as well: the same rows with every enrichment column added.
 */
const exportDataset = (context: StepContext<unknown>, input: RecordInput) =>
  Effect.gen(function* () {
    const all = datasetColumns(context.upstreamFields)
    const registry = all.filter((column) => !isEnrichment(column))
    const enriched = registry.length < all.length
    const contacts = contactFiles(context)
    const written = yield* writeDatasets(
      context,
      input,
      [
        { columns: registry, csv: FILES.csv, parquet: FILES.parquet },
        ...(enriched ? [{ columns: all, csv: FILES.enrichedCsv, parquet: FILES.enrichedParquet }] : [])
      ],
      undefined,
      contacts
    )
    // A run folder reused by a profile without enrichment (or without the contact steps): an older
    // run's files would sit beside this run's dataset, looking current.
    const stale = [
      ...(enriched ? [] : [FILES.enrichedCsv, FILES.enrichedParquet]),
      ...[FILES.contacts, FILES.contactsClean].filter((path) => !contacts.some((file) => file.path === path))
    ]
    yield* Effect.promise(() => Promise.all(stale.map((file) => rm(context.path(file), { force: true }))))
    const hasPremium = context.upstreamOutputs().some((output) => output.path.startsWith("dataset_premium."))
    const dictionary = renderDataDictionary({
      title: `Data dictionary — ${context.job.niche}`,
      generatedFrom: `profile ${context.profile.id}: the fields each step declares`,
      files: [
        { file: `${FILES.csv}, ${FILES.parquet}`, columns: registry },
        ...(enriched ? [{ file: `${FILES.enrichedCsv}, ${FILES.enrichedParquet}`, columns: all }] : []),
        ...(hasPremium ? [{ file: "dataset_premium.csv, dataset_premium.parquet", columns: all }] : []),
        ...contacts.map((file) => ({ file: file.path, columns: file.columns }))
      ]
    })
    const dictionaryOut = yield* context.writeOutput(FILES.dictionary, dictionary)
    return [
      ...written.flatMap(({ csvOut, parquetOut }) => [csvOut, parquetOut]),
      ...written.exploded,
      dictionaryOut
    ].map((output) => ({
      ...output,
      step: context.invokedAs
    }))
  })

export const packageExport = defineStep({
  id: "package.export",
  description:
    "Writes dataset.csv and dataset.parquet (dataset_enriched.* too when the profile enriches, contacts/*.parquet with the contact steps), manifest.json, sha256.txt and data_dictionary.md; honours the job's suppression_list.",
  kind: "sink",
  after: ["*"],
  readsJob: true,
  // 2: enrichment columns moved from dataset.* to dataset_enriched.*
  // 3: contacts/*.parquet, the suppression list and diffusion P applied to every file
  version: "3",
  reads: { siret: { type: "string", description: "Establishment identifier" } },
  outputs: Object.values(FILES).map((path) => ({
    path,
    description: `${path}`,
    ...(path.startsWith("dataset_enriched.") || path.startsWith("contacts/") ? { optional: true } : {})
  })),
  run: (input, context) =>
    Effect.gen(function* () {
      const own = yield* exportDataset(context, input)
      const upstream = context.upstreamOutputs()
      const outputs = [...upstream, ...own].sort((a, b) => (a.path < b.path ? -1 : 1))
      const manifest = {
        run_id: context.runId,
        niche: context.job.niche,
        profile: context.profile.id,
        job: context.job,
        versions: yield* Effect.promise(codeVersions),
        inputs: (yield* describeInputs(context.inputs)).map((entry) => ({
          ...entry,
          path: relative(context.runDir, entry.path)
        })),
        rows: {
          dataset: own.find((output) => output.path === FILES.csv)?.rows ?? 0,
          ...(own.some((output) => output.path === FILES.enrichedCsv)
            ? { dataset_enriched: own.find((output) => output.path === FILES.enrichedCsv)?.rows ?? 0 }
            : {})
        },
        files: outputs.map((output) => ({
          path: output.path,
          step: output.step,
          rows: output.rows ?? null,
          bytes: output.bytes,
          sha256: output.sha256
        }))
      }
      const manifestOut = yield* context.writeOutput(FILES.manifest, `${JSON.stringify(manifest, null, 2)}\n`)
      yield* context.writeOutput(
        FILES.checksums,
        renderSha256Txt([...outputs, manifestOut].map(({ path, sha256 }) => ({ path, sha256 })))
      )
      yield* context.log(`dataset: ${manifest.rows.dataset} rows in ${FILES.csv} and ${FILES.parquet}`)
    })
})
