/** Official-format SIRENE rows for tests, a single-entry zip writer, and a runner for the built-in steps. */
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { deflateRawSync } from "node:zlib"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { decodeJob } from "../../../core/Job.ts"
import { makeRegistry, Registry } from "../../../core/Registry.ts"
import { runProfile } from "../../../core/Runner.ts"
import type { RunSummary } from "../../../core/Summary.ts"
import { builtinPlugins } from "../../../plugins/index.ts"
import { OFFICIAL_ESTABLISHMENT_HEADER, OFFICIAL_LEGAL_UNIT_HEADER } from "../../../plugins/sirene/columns.ts"

const luhnOk = (digits: string) => {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i])
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}

/** A SIREN with a valid check digit from 8 digits. */
export const sirenOf = (eight: string) => {
  for (let d = 0; d <= 9; d++) if (luhnOk(`${eight}${d}`)) return `${eight}${d}`
  throw new Error("unreachable")
}

/** A SIRET with a valid check digit from a SIREN and 4 NIC digits. */
export const siretOf = (siren: string, four = "0001") => {
  for (let d = 0; d <= 9; d++) if (luhnOk(`${siren}${four}${d}`)) return `${siren}${four}${d}`
  throw new Error("unreachable")
}

const csvValue = (value: string) => (/[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value)

export type Row = Record<string, string>

export const establishment = (siret: string, values: Row = {}): Row => ({
  siren: siret.slice(0, 9),
  nic: siret.slice(9),
  siret,
  statutDiffusionEtablissement: "O",
  dateCreationEtablissement: "2015-03-01",
  trancheEffectifsEtablissement: "11",
  etablissementSiege: "true",
  numeroVoieEtablissement: "12",
  typeVoieEtablissement: "RUE",
  libelleVoieEtablissement: "DE LA PAIX",
  codePostalEtablissement: "75002",
  libelleCommuneEtablissement: "PARIS 2",
  codeCommuneEtablissement: "75102",
  etatAdministratifEtablissement: "A",
  activitePrincipaleEtablissement: "62.02A",
  nomenclatureActivitePrincipaleEtablissement: "NAFRev2",
  caractereEmployeurEtablissement: "O",
  activitePrincipaleNAF25Etablissement: "62.20Y",
  ...values
})

export const legalUnit = (siren: string, values: Row = {}): Row => ({
  siren,
  statutDiffusionUniteLegale: "O",
  unitePurgeeUniteLegale: "false",
  dateCreationUniteLegale: "2015-03-01",
  categorieEntreprise: "PME",
  etatAdministratifUniteLegale: "A",
  denominationUniteLegale: `SOCIETE ${siren}`,
  categorieJuridiqueUniteLegale: "5710",
  activitePrincipaleUniteLegale: "62.02A",
  nomenclatureActivitePrincipaleUniteLegale: "NAFRev2",
  nicSiegeUniteLegale: "00016",
  caractereEmployeurUniteLegale: "O",
  ...values
})

export const csvLine = (header: ReadonlyArray<string>, row: Row) =>
  header.map((name) => csvValue(row[name] ?? "")).join(",")

export const establishmentsCsv = (rows: ReadonlyArray<Row>, extraLines: ReadonlyArray<string> = []) =>
  `${[
    OFFICIAL_ESTABLISHMENT_HEADER.join(","),
    ...rows.map((row) => csvLine(OFFICIAL_ESTABLISHMENT_HEADER, row)),
    ...extraLines
  ].join("\n")}\n`

export const legalUnitsCsv = (rows: ReadonlyArray<Row>) =>
  [OFFICIAL_LEGAL_UNIT_HEADER.join(","), ...rows.map((row) => csvLine(OFFICIAL_LEGAL_UNIT_HEADER, row))].join("\n") +
  "\n"

/** A zip with one deflated entry, laid out as the published stock files are. */
export const zipOf = (name: string, content: Uint8Array) => {
  const data = deflateRawSync(content)
  const nameBytes = Buffer.from(name)
  const crc = Bun.hash.crc32(content)
  const local = Buffer.alloc(30)
  local.writeUInt32LE(0x04034b50, 0)
  local.writeUInt16LE(20, 4)
  local.writeUInt16LE(8, 8)
  local.writeUInt32LE(crc, 14)
  local.writeUInt32LE(data.length, 18)
  local.writeUInt32LE(content.length, 22)
  local.writeUInt16LE(nameBytes.length, 26)
  const central = Buffer.alloc(46)
  central.writeUInt32LE(0x02014b50, 0)
  central.writeUInt16LE(20, 4)
  central.writeUInt16LE(20, 6)
  central.writeUInt16LE(8, 10)
  central.writeUInt32LE(crc, 16)
  central.writeUInt32LE(data.length, 20)
  central.writeUInt32LE(content.length, 24)
  central.writeUInt16LE(nameBytes.length, 28)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(1, 8)
  end.writeUInt16LE(1, 10)
  end.writeUInt32LE(46 + nameBytes.length, 12)
  end.writeUInt32LE(30 + nameBytes.length + data.length, 16)
  return Buffer.concat([local, nameBytes, data, central, nameBytes, end])
}

export const tempDir = () => mkdtemp(join(tmpdir(), "filon-sirene-"))

export const writeInputs = async (dir: string, files: Record<string, string | Uint8Array>) => {
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content)
  return Object.keys(files).map((name) => join(dir, name))
}

/** Runs built-in steps on inputs with a job; returns the summary (refusals throw with their message). */
export const runSteps = async (options: {
  readonly steps: ReadonlyArray<string>
  readonly inputs: ReadonlyArray<string>
  readonly outDir: string
  readonly job?: Record<string, unknown>
  readonly resume?: boolean
  readonly only?: ReadonlyArray<string>
  readonly set?: ReadonlyArray<string>
}): Promise<RunSummary> => {
  const job = await Effect.runPromise(decodeJob({ niche: "test", ...options.job }, { file: "(test job)" }))
  const registry = await Effect.runPromise(makeRegistry(builtinPlugins))
  const result = await Effect.runPromise(
    Effect.either(
      runProfile({
        job,
        jobFile: null,
        profile: { id: "test", file: "(test)", description: "test", steps: options.steps, config: {} },
        inputs: options.inputs,
        outDir: options.outDir,
        resume: options.resume ?? false,
        workers: 1,
        ...(options.only ? { only: options.only } : {}),
        ...(options.set ? { set: options.set } : {})
      }).pipe(Effect.provideService(Registry, registry))
    )
  )
  if (Either.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

export const readJsonl = async (path: string) =>
  (await Bun.file(path).text())
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>)
