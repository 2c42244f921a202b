/**
 * `package.export`: the dataset files (CSV and Parquet, sorted by SIRET, byte-identical for the
 * same inputs, job and code), the manifest, sha256.txt and a data dictionary generated from the
 * fields the steps declare, so it cannot drift from the code.
 */
import { readdir, rm, stat } from "node:fs/promises"
import { basename, join, relative } from "node:path"
import * as Effect from "effect/Effect"
import { defineStep, type RecordInput, type StepContext } from "../../core/Step.ts"
import { datasetColumns, isEnrichment, writeDatasets } from "./columns.ts"
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
  dictionary: "data_dictionary.md"
} as const

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
    const written = yield* writeDatasets(context, input, [
      { columns: registry, csv: FILES.csv, parquet: FILES.parquet },
      ...(enriched ? [{ columns: all, csv: FILES.enrichedCsv, parquet: FILES.enrichedParquet }] : [])
    ])
    if (!enriched) {
      // A run folder reused by a profile without enrichment: an older run's enriched files would sit
      // beside this run's dataset, looking current.
      yield* Effect.promise(() =>
        Promise.all([FILES.enrichedCsv, FILES.enrichedParquet].map((file) => rm(context.path(file), { force: true })))
      )
    }
    const hasPremium = context.upstreamOutputs().some((output) => output.path.startsWith("dataset_premium."))
    const dictionary = renderDataDictionary({
      title: `Data dictionary — ${context.job.niche}`,
      generatedFrom: `profile ${context.profile.id}: the fields each step declares`,
      files: [
        { file: `${FILES.csv}, ${FILES.parquet}`, columns: registry },
        ...(enriched ? [{ file: `${FILES.enrichedCsv}, ${FILES.enrichedParquet}`, columns: all }] : []),
        ...(hasPremium ? [{ file: "dataset_premium.csv, dataset_premium.parquet", columns: all }] : [])
      ]
    })
    const dictionaryOut = yield* context.writeOutput(FILES.dictionary, dictionary)
    return [...written.flatMap(({ csvOut, parquetOut }) => [csvOut, parquetOut]), dictionaryOut].map((output) => ({
      ...output,
      step: context.invokedAs
    }))
  })

export const packageExport = defineStep({
  id: "package.export",
  description:
    "Writes dataset.csv and dataset.parquet (dataset_enriched.* too when the profile enriches), manifest.json, sha256.txt and data_dictionary.md.",
  kind: "sink",
  after: ["*"],
  readsJob: true,
  // 2: enrichment columns moved from dataset.* to dataset_enriched.*
  version: "2",
  reads: { siret: { type: "string", description: "Establishment identifier" } },
  outputs: Object.values(FILES).map((path) => ({
    path,
    description: `${path}`,
    ...(path.startsWith("dataset_enriched.") ? { optional: true } : {})
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
