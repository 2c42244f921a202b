/**
 * Rebuilds the bundled demo sample in plugins/sirene/sample/ (`bun run demo` reads it):
 *
 *   bun bench/sirene/make-sample.ts [--out DIR]
 *
 * = a few real public rows (copied as published, aligned by column name on the current header,
 * newer columns left empty) merged with about 2,000 generated establishments (fixed seed, 0.2 %
 * malformed rows, IT activities over-represented in Île-de-France), sorted by siren / siret.
 * The output is deterministic. Malformed lines are listed in malformed.json (line numbers of the
 * merged files, header = line 1).
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import {
  ETABLISSEMENT_FILE,
  ETABLISSEMENT_HEADER,
  type FocusOptions,
  generateStock,
  type MalformedRow,
  UNITE_LEGALE_FILE,
  UNITE_LEGALE_HEADER
} from "./generate.ts"
import { malformedJson } from "./stock.ts"

export const SAMPLE_ETABLISSEMENT_FILE = "StockEtablissement_sample.csv"
export const SAMPLE_UNITE_LEGALE_FILE = "StockUniteLegale_sample.csv"
export const SAMPLE_SEED = 20261132
export const SAMPLE_ESTABLISHMENTS = 2000
export const SAMPLE_MALFORMED_RATE = 0.002

/** IT (NAF 62.0x, 63.11Z) in Île-de-France, for the demo job's filter. */
export const SAMPLE_FOCUS: FocusOptions = {
  share: 0.15,
  naf: { "62.01Z": 35, "62.02A": 35, "62.03Z": 5, "62.09Z": 10, "63.11Z": 15 },
  departments: ["75", "92", "93", "94", "77", "78", "91", "95"]
}

/** StockEtablissement layout before format 3.11 (48 columns): the layout of the real rows below. */
const ETABLISSEMENT_HEADER_48 = ETABLISSEMENT_HEADER.filter(
  (name) =>
    ![
      "dernierNumeroVoieEtablissement",
      "indiceRepetitionDernierNumeroVoieEtablissement",
      "identifiantAdresseEtablissement",
      "coordonneeLambertAbscisseEtablissement",
      "coordonneeLambertOrdonneeEtablissement",
      "activitePrincipaleNAF25Etablissement"
    ].includes(name)
)

/** StockUniteLegale layout of format 3.11 before NAF 2025 (34 columns). */
const UNITE_LEGALE_HEADER_34 = UNITE_LEGALE_HEADER.filter((name) => name !== "activitePrincipaleNAF25UniteLegale")

/**
 * Real StockEtablissement rows (statutDiffusion O), copied as published. Source:
 * github.com/darlok77/bigData, file mock.csv (first rows of the INSEE StockEtablissement_utf8.csv);
 * the first one also appears in github.com/fds-developers/siren,
 * src/test/java/com/fds/tests/opendata/siren/MainTests.java (stock of 1 August 2021).
 */
const REAL_ETABLISSEMENT_ROWS = [
  "000325175,00016,00032517500016,O,2000-09-26,,,3212ZZ,2015-03-18T00:58:59,false,3,,,,,MANIHI COTE MONTAGNE TUAMOTU,98770,MANIHI,,,98727,,,,,,,,,,,,,,,,,,,2009-05-27,F,,,,,32.12Z,NAFRev2,N",
  "000325175,00024,00032517500024,O,2008-05-20,,,,2011-12-12T09:40:04,false,2,,1,,PL,LEONCE DE SEYNES,84140,AVIGNON,,,84007,,,,,,,,,,,,,,,,,,,2011-10-21,F,TAHITI PERLES CREATIONS,,,,47.89Z,NAFRev2,N"
]

/**
 * The real StockUniteLegale row of the same unit (statutDiffusion O), copied as published in a
 * public description of StockUniteLegale ("StockUniteLegale file description (SIREN)", sample
 * records of the stock processed on 2024-03-22); see README.md for what is known of its source.
 */
const REAL_UNITE_LEGALE_ROWS = [
  "000325175,O,,2000-09-26,,M,THIERRY,,,,THIERRY,,,NN,,2024-03-22T14:26:06,6,PME,2023,2018-02-07,A,JANOYER,,,,,,1000,32.12Z,NAFRev2,00065,,,"
]

/** Re-lays out unquoted CSV rows from `from` columns onto `to` columns (missing columns empty). */
export const realign = (rows: ReadonlyArray<string>, from: ReadonlyArray<string>, to: ReadonlyArray<string>) =>
  rows.map((row) => {
    const fields = row.split(",")
    if (fields.length !== from.length) throw new Error(`expected ${from.length} fields, got ${fields.length}: ${row}`)
    const byName = new Map(from.map((name, index) => [name, fields[index]!]))
    return to.map((name) => byName.get(name) ?? "").join(",")
  })

const NEWLINE = 0x0a
const encoder = new TextEncoder()

/** The lines of a file as bytes (kept as bytes: some malformed lines are not valid UTF-8). */
const linesOf = (bytes: Uint8Array): Array<Uint8Array> => {
  const lines: Array<Uint8Array> = []
  let start = 0
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === NEWLINE) {
      lines.push(bytes.subarray(start, i))
      start = i + 1
    }
  }
  if (start < bytes.length) lines.push(bytes.subarray(start))
  return lines
}

const compareKeys = (a: Uint8Array, b: Uint8Array, length: number): number => {
  for (let i = 0; i < length; i++) {
    const x = a[i] ?? -1
    const y = b[i] ?? -1
    if (x !== y) return x - y
  }
  return 0
}

/**
 * Merges real lines into generated ones (both sorted; the key is the first `keyLength` bytes, i.e.
 * "siren" or "siren,nic"); returns the merged lines and the new number of each generated line.
 */
const merge = (generated: ReadonlyArray<Uint8Array>, real: ReadonlyArray<Uint8Array>, keyLength: number) => {
  const [header, ...body] = generated
  const lines: Array<Uint8Array> = [header!]
  const renumber = new Map<number, number>()
  const sortedReal = [...real].sort((a, b) => compareKeys(a, b, keyLength))
  let r = 0
  body.forEach((line, index) => {
    while (r < sortedReal.length && compareKeys(sortedReal[r]!, line, keyLength) < 0) lines.push(sortedReal[r++]!)
    lines.push(line)
    renumber.set(index + 2, lines.length)
  })
  while (r < sortedReal.length) lines.push(sortedReal[r++]!)
  return { lines, renumber }
}

const joinLines = (lines: ReadonlyArray<Uint8Array>): Uint8Array => {
  const size = lines.reduce((sum, line) => sum + line.length + 1, 0)
  const out = new Uint8Array(size)
  let at = 0
  for (const line of lines) {
    out.set(line, at)
    at += line.length
    out[at++] = NEWLINE
  }
  return out
}

export interface SampleResult {
  readonly etabFile: string
  readonly ulFile: string
  readonly establishments: number
  readonly legalUnits: number
  readonly malformed: ReadonlyArray<MalformedRow>
}

export const makeSample = async (outDir: string): Promise<SampleResult> => {
  const work = await mkdtemp(join(tmpdir(), "filon-sample-"))
  try {
    const generated = await generateStock({
      establishments: SAMPLE_ESTABLISHMENTS,
      seed: SAMPLE_SEED,
      dir: work,
      malformedRate: SAMPLE_MALFORMED_RATE,
      focus: SAMPLE_FOCUS,
      workers: 1
    })
    const realEtab = realign(REAL_ETABLISSEMENT_ROWS, ETABLISSEMENT_HEADER_48, ETABLISSEMENT_HEADER).map((row) =>
      encoder.encode(row)
    )
    const realUl = realign(REAL_UNITE_LEGALE_ROWS, UNITE_LEGALE_HEADER_34, UNITE_LEGALE_HEADER).map((row) =>
      encoder.encode(row)
    )
    const etab = merge(linesOf(await Bun.file(generated.etabFile).bytes()), realEtab, "000000000,00000".length)
    const ul = merge(linesOf(await Bun.file(generated.ulFile).bytes()), realUl, "000000000".length)

    await mkdir(outDir, { recursive: true })
    const etabFile = join(outDir, SAMPLE_ETABLISSEMENT_FILE)
    const ulFile = join(outDir, SAMPLE_UNITE_LEGALE_FILE)
    await writeFile(etabFile, joinLines(etab.lines))
    await writeFile(ulFile, joinLines(ul.lines))
    const malformed = generated.malformed.map((row) =>
      row.file === ETABLISSEMENT_FILE
        ? { file: SAMPLE_ETABLISSEMENT_FILE, line: etab.renumber.get(row.line)!, kind: row.kind }
        : row.file === UNITE_LEGALE_FILE
          ? { file: SAMPLE_UNITE_LEGALE_FILE, line: ul.renumber.get(row.line)!, kind: row.kind }
          : row
    )
    await writeFile(join(outDir, "malformed.json"), malformedJson(malformed))
    return {
      etabFile,
      ulFile,
      establishments: etab.lines.length - 1,
      legalUnits: ul.lines.length - 1,
      malformed
    }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

if (import.meta.main) {
  const args = process.argv.slice(2)
  const outAt = args.indexOf("--out")
  const outDir = resolve(outAt >= 0 ? args[outAt + 1]! : join(import.meta.dir, "../../plugins/sirene/sample"))
  const result = await makeSample(outDir)
  console.log(
    JSON.stringify(
      {
        ...result,
        malformed: result.malformed.length,
        etabBytes: Bun.file(result.etabFile).size,
        ulBytes: Bun.file(result.ulFile).size
      },
      null,
      2
    )
  )
}
