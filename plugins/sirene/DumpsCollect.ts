/**
 * `dumps.collect`: streams the SIRENE stock files (CSV, the published .zip, or Parquet) or a company list,
 * keeps the establishments the job asks for with filters applied on raw bytes, joins their legal
 * unit, masks what diffusion rules forbid, and passes bad lines on as rejects with their reason.
 */
import { basename } from "node:path"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { Filters } from "../../core/Job.ts"
import type { Rec } from "../../core/Record.ts"
import { defineStep, type FieldMap } from "../../core/Step.ts"
import { isPartiallyDiffusible, maskForDiffusion } from "../normalize/rules/diffusion.ts"
import { departmentsOfRegion } from "../normalize/rules/geo.ts"
import { ESTABLISHMENT_COLUMNS, LEGAL_UNIT_COLUMNS } from "./columns.ts"
import { columnIndexOf, compileFilter } from "./filters.ts"
import { type InputFile, listInputs, readCompanyList } from "./input/files.ts"
import { type JoinedUnits, unitsUnion } from "./joinedUnits.ts"
import { type KeptRows, keptConcat } from "./keptRows.ts"
import {
  type ScanWorker,
  scanEstablishmentsParallel,
  scanLegalUnitsParallel,
  startScanWorker
} from "./parallel/parallelScan.ts"
import {
  type KeptRow,
  type RawFields,
  type Reject,
  type ScanStats,
  scanEstablishments,
  scanLegalUnits
} from "./scan.ts"

/** The inputs cannot be used (no stock file, an unknown header, a missing column): bad usage, exit 2. */
export class CollectFailed extends Data.TaggedError("CollectFailed")<{ readonly reason: string }> {
  readonly usage = true
  override get message() {
    return this.reason
  }
}

const Config = Schema.Struct({
  /** The job's filters (bound from the job's `filters`), checked like the job's own, whatever sets them. */
  filters: Schema.optional(Filters),
  /**
   * Scans each large plain-CSV stock file in two halves, the second on a worker thread. Off by
   * default: on a 2-vCPU machine the two scans contend for memory bandwidth (5M rows: establishments
   * about 15% faster, legal units no faster) and the worker adds 20-40 MB; with real cores it pays.
   */
  parallel_scan: Schema.optionalWith(Schema.Boolean, { default: () => false })
})

const raw = (description: string) => ({ type: "string" as const, description, internal: true })

/** Raw registry columns travel to `normalize.standardize` but are never exported as they are. */
const rawFields: FieldMap = Object.fromEntries(
  [...ESTABLISHMENT_COLUMNS, ...LEGAL_UNIT_COLUMNS]
    .filter((name) => name !== "siret" && name !== "siren")
    .map((name) => [name, raw(`SIRENE column ${name}, as published`)])
)

export const writes: FieldMap = {
  siret: { type: "string", description: "Establishment identifier (SIREN + NIC), 14 digits" },
  siren: { type: "string", description: "Legal unit identifier, 9 digits" },
  ...rawFields,
  input_name: { type: "string", description: "Company name as given in a company-list input", internal: true },
  website: { type: "string", description: "Website as given in a company-list input", internal: true },
  source_file: raw("Input file the row came from"),
  source_line: { type: "integer", description: "Line of the row in its input file (header = 1)", internal: true },
  reject_reason: raw("Why the input line could not be used (rows with it go to normalized/rejects.csv)"),
  reject_detail: raw("Details of the reject"),
  reject_raw: raw("The rejected line as read")
}

/**
 * One object per record: the row's decoded columns (absent ones already left out) with its legal
 * unit's decoded into the same object. Only a partially diffusible row (about 2%) takes the masking
 * copy; the others have nothing to mask, and skipping the copy halves the garbage of the scan's
 * busiest loop.
 */
const recordOf = (row: KeptRow, joined: RawFields): Rec => {
  let record: Record<string, unknown> = joined
  if (isPartiallyDiffusible(record as RawFields)) {
    const masked = maskForDiffusion(record as RawFields)
    record = {}
    for (const [name, value] of Object.entries(masked)) if (value !== null && value !== undefined) record[name] = value
  }
  record.source_file = basename(row.file)
  record.source_line = row.line
  return record
}

const rejectRecord = (reject: Reject): Rec => ({
  siret: reject.siret,
  siren: reject.siret.slice(0, 9) || null,
  source_file: basename(reject.file),
  source_line: reject.line,
  reject_reason: reject.reason,
  reject_detail: reject.detail,
  reject_raw: reject.raw
})

export const collect = async (
  inputs: ReadonlyArray<string>,
  filters: typeof Filters.Type | undefined,
  sample: number | undefined,
  log: (message: string, data?: Record<string, unknown>) => void,
  /** `parallelThreshold`: files smaller than this are scanned on one thread (default PARALLEL_THRESHOLD). */
  options: { readonly parallelScan?: boolean; readonly parallelThreshold?: number } = {}
): Promise<{ records: Iterable<Rec>; lines: number; seconds: number }> => {
  // The thread itself only starts if a file is large enough to be split.
  const worker = options.parallelScan ? startScanWorker() : undefined
  try {
    return await collectWith(worker && { worker, threshold: options.parallelThreshold }, inputs, filters, sample, log)
  } finally {
    worker?.close()
  }
}

const collectWith = async (
  parallel: { readonly worker: ScanWorker; readonly threshold: number | undefined } | undefined,
  inputs: ReadonlyArray<string>,
  filters: typeof Filters.Type | undefined,
  sample: number | undefined,
  log: (message: string, data?: Record<string, unknown>) => void
): Promise<{ records: Iterable<Rec>; lines: number; seconds: number }> => {
  const started = performance.now()
  const files = await listInputs(inputs)
  const establishments = files.filter((file) => file.header.role === "establishments")
  const legalUnits = files.filter((file) => file.header.role === "legal_units")
  const lists = files.filter((file) => file.header.role === "company_list")
  if (establishments.length === 0 && lists.length === 0) {
    throw new CollectFailed({
      reason: `no establishments stock (StockEtablissement) or company list among the inputs: ${files.map((file) => basename(file.path)).join(", ") || "none given (use --input)"}`
    })
  }
  if (establishments.length > 0 && legalUnits.length === 0) {
    throw new CollectFailed({
      reason:
        "the establishments stock needs the legal-units stock (StockUniteLegale) for names and the legal unit's state: add it with --input"
    })
  }
  const list = lists.length > 0 ? await readCompanyList(lists) : undefined
  const stats: ScanStats = { lines: 0, bytes: 0 }
  const kept: KeptRows[] = []
  const rejects: Reject[] = [...(list?.rejects ?? [])]
  const filter = (file: InputFile) =>
    compileFilter(filters, columnIndexOf(file.header), (region) => departmentsOfRegion(region))
  for (const file of establishments) {
    const fileStats: ScanStats = { lines: 0, bytes: 0 }
    const compiled = filter(file)
    const scan = {
      file: file.path,
      format: file.format,
      header: file.header,
      filter: list ? null : compiled,
      ...(list ? { sirets: new Set(list.rows.keys()) } : {}),
      ...(sample !== undefined ? { limit: sample } : {}),
      stats: fileStats
    }
    const result = parallel
      ? await scanEstablishmentsParallel(parallel.worker, {
          ...scan,
          filters,
          columnIndex: columnIndexOf(file.header),
          ...(parallel.threshold !== undefined ? { parallelThreshold: parallel.threshold } : {})
        })
      : await scanEstablishments(scan)
    kept.push(result.kept)
    rejects.push(...result.rejects)
    stats.lines += fileStats.lines
    log(
      `${basename(file.path)}: ${fileStats.lines} lines, ${result.kept.length} kept (${list ? "company list" : compiled.description}), ${result.rejects.length} rejected`
    )
  }
  const sirens = new Set<string>()
  for (const part of kept) for (const siren of part.sirens()) sirens.add(siren)
  const unitParts: JoinedUnits[] = []
  const unitRejects = new Map<string, Reject>()
  for (const file of legalUnits) {
    const fileStats: ScanStats = { lines: 0, bytes: 0 }
    const scan = { file: file.path, format: file.format, header: file.header, sirens, stats: fileStats }
    const result = parallel
      ? await scanLegalUnitsParallel(parallel.worker, {
          ...scan,
          ...(parallel.threshold !== undefined ? { parallelThreshold: parallel.threshold } : {})
        })
      : await scanLegalUnits(scan)
    unitParts.push(result.units)
    for (const [siren, reject] of result.rejects) unitRejects.set(siren, reject)
    stats.lines += fileStats.lines
    log(`${basename(file.path)}: ${fileStats.lines} lines, ${result.units.size} legal units joined`)
  }
  const activeUnitsOnly =
    establishments.length > 0 &&
    !list &&
    compileFilter(filters, columnIndexOf(establishments[0]!.header), () => []).activeLegalUnit
  return {
    records: buildRecords({
      kept: keptConcat(kept),
      units: unitsUnion(unitParts),
      unitRejects,
      rejects,
      list,
      activeUnitsOnly
    }),
    lines: stats.lines,
    seconds: (performance.now() - started) / 1000
  }
}

/**
 * Records are built as they are pulled (a kept row is decoded, joined, masked and let go), in
 * stock order. The stock is sorted by SIRET, so rejects are merged in at their SIRET's place and
 * the record file is written straight through; an unsorted stock (or a company list) is sorted by
 * the runner with bounded memory.
 */
function* buildRecords(parts: {
  readonly kept: KeptRows
  readonly units: JoinedUnits
  readonly unitRejects: ReadonlyMap<string, Reject>
  readonly rejects: Reject[]
  readonly list: Awaited<ReturnType<typeof readCompanyList>> | undefined
  readonly activeUnitsOnly: boolean
}): Generator<Rec> {
  const { kept, units, unitRejects, list, activeUnitsOnly } = parts
  // Stable: rejects of one SIRET (or without one, "") stay in line order.
  const rejects = [...parts.rejects].sort((a, b) => (a.siret < b.siret ? -1 : a.siret > b.siret ? 1 : 0))
  let nextReject = 0
  /** The rejects that sort before `siret` (all that are left, without one), in order. */
  function* rejectsBefore(siret: string | undefined): Generator<Rec> {
    while (nextReject < rejects.length && (siret === undefined || rejects[nextReject]!.siret < siret))
      yield rejectRecord(rejects[nextReject++]!)
  }
  const found = new Set<string>()
  // Each row is handed out once and let go once its record exists.
  for (const row of kept) {
    const unitFields = units.get(row.siren)
    if (!unitFields) {
      const unreadable = unitRejects.get(row.siren)
      const reason = unreadable ? "legal_unit_unreadable" : "legal_unit_not_found"
      const detail = unreadable
        ? `legal unit ${row.siren} at ${basename(unreadable.file)}:${unreadable.line}: ${unreadable.detail}`
        : `legal unit ${row.siren} is not in the legal-units stock`
      const siret = row.fields().siret ?? ""
      yield* rejectsBefore(siret)
      yield rejectRecord({ file: row.file, line: row.line, reason, detail, siret, raw: "" })
      continue
    }
    // The unit's columns go straight into the row's object (`siren`, in both, is the join key).
    const joined = unitFields(row.fields())
    if (activeUnitsOnly && joined.etatAdministratifUniteLegale !== "A") continue
    const record = recordOf(row, joined)
    const siret = String(record.siret ?? "")
    yield* rejectsBefore(siret)
    const listed = list?.rows.get(siret)
    if (listed) found.add(siret)
    yield listed ? { ...record, input_name: listed.name, website: listed.website } : record
  }
  yield* rejectsBefore(undefined)
  // Company-list SIRETs absent from the stock (or given without any stock) go on as they are.
  for (const [siret, listed] of list?.rows ?? []) {
    if (!found.has(siret)) {
      yield {
        siret,
        siren: siret.slice(0, 9),
        input_name: listed.name,
        website: listed.website,
        source_file: listed.file,
        source_line: listed.line
      }
    }
  }
}

export const dumpsCollect = defineStep({
  id: "dumps.collect",
  description: "Streams the SIRENE stock files or a company list, filters on raw bytes, joins legal units.",
  kind: "source",
  writes,
  config: Config,
  fromJob: { filters: "filters" },
  run: (_input, context) =>
    Stream.unwrap(
      Effect.gen(function* () {
        const logs: Array<[string, Record<string, unknown> | undefined]> = []
        const result = yield* Effect.tryPromise({
          try: () =>
            collect(
              context.inputs,
              context.config.filters,
              context.sample,
              (message, data) => logs.push([message, data]),
              { parallelScan: context.config.parallel_scan }
            ),
          catch: (error) =>
            error instanceof CollectFailed
              ? error
              : new CollectFailed({ reason: (error as Error)?.message ?? String(error) })
        })
        for (const [message, data] of logs) yield* context.log(message, data)
        yield* context.measure("lines_per_s", Math.round(result.lines / Math.max(result.seconds, 1e-6)))
        yield* context.measure("input_lines", result.lines)
        return Stream.fromIterable(result.records)
      })
    )
})
