/**
 * The synthetic SIRENE stock generator (bench/sirene/generate.ts) and the bundled demo sample built
 * with it (plugins/sirene/sample/, bench/sirene/make-sample.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import { createHash } from "node:crypto"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  ETABLISSEMENT_FILE,
  type GenerateResult,
  generateStock,
  luhnValid,
  type MalformedRow,
  UNITE_LEGALE_FILE
} from "../../../bench/sirene/generate.ts"
import { makeSample, SAMPLE_ETABLISSEMENT_FILE, SAMPLE_UNITE_LEGALE_FILE } from "../../../bench/sirene/make-sample.ts"

// Official column lists and orders (shared/domain/SIRENE.md, sections 2 and 3), written out here on purpose.
const UL_COLUMNS =
  `siren, statutDiffusionUniteLegale, unitePurgeeUniteLegale, dateCreationUniteLegale, sigleUniteLegale,
sexeUniteLegale, prenom1UniteLegale, prenom2UniteLegale, prenom3UniteLegale, prenom4UniteLegale, prenomUsuelUniteLegale,
pseudonymeUniteLegale, identifiantAssociationUniteLegale, trancheEffectifsUniteLegale, anneeEffectifsUniteLegale,
dateDernierTraitementUniteLegale, nombrePeriodesUniteLegale, categorieEntreprise, anneeCategorieEntreprise, dateDebut,
etatAdministratifUniteLegale, nomUniteLegale, nomUsageUniteLegale, denominationUniteLegale,
denominationUsuelle1UniteLegale, denominationUsuelle2UniteLegale, denominationUsuelle3UniteLegale,
categorieJuridiqueUniteLegale, activitePrincipaleUniteLegale, nomenclatureActivitePrincipaleUniteLegale,
nicSiegeUniteLegale, economieSocialeSolidaireUniteLegale, societeMissionUniteLegale, caractereEmployeurUniteLegale,
activitePrincipaleNAF25UniteLegale`.split(/,\s*/)

const ETAB_COLUMNS =
  `siren, nic, siret, statutDiffusionEtablissement, dateCreationEtablissement, trancheEffectifsEtablissement,
anneeEffectifsEtablissement, activitePrincipaleRegistreMetiersEtablissement, dateDernierTraitementEtablissement,
etablissementSiege, nombrePeriodesEtablissement, complementAdresseEtablissement, numeroVoieEtablissement,
indiceRepetitionEtablissement, dernierNumeroVoieEtablissement, indiceRepetitionDernierNumeroVoieEtablissement,
typeVoieEtablissement, libelleVoieEtablissement, codePostalEtablissement, libelleCommuneEtablissement,
libelleCommuneEtrangerEtablissement, distributionSpecialeEtablissement, codeCommuneEtablissement,
codeCedexEtablissement, libelleCedexEtablissement, codePaysEtrangerEtablissement, libellePaysEtrangerEtablissement,
identifiantAdresseEtablissement, coordonneeLambertAbscisseEtablissement, coordonneeLambertOrdonneeEtablissement,
complementAdresse2Etablissement, numeroVoie2Etablissement, indiceRepetition2Etablissement, typeVoie2Etablissement,
libelleVoie2Etablissement, codePostal2Etablissement, libelleCommune2Etablissement, libelleCommuneEtranger2Etablissement,
distributionSpeciale2Etablissement, codeCommune2Etablissement, codeCedex2Etablissement, libelleCedex2Etablissement,
codePaysEtranger2Etablissement, libellePaysEtranger2Etablissement, dateDebut, etatAdministratifEtablissement,
enseigne1Etablissement, enseigne2Etablissement, enseigne3Etablissement, denominationUsuelleEtablissement,
activitePrincipaleEtablissement, nomenclatureActivitePrincipaleEtablissement, caractereEmployeurEtablissement,
activitePrincipaleNAF25Etablissement`.split(/,\s*/)

/** Strict RFC 4180 parse of one line; null when the quoting is broken. */
const parseLine = (line: string): Array<string> | null => {
  const fields: Array<string> = []
  let at = 0
  for (;;) {
    if (line[at] === '"') {
      let value = ""
      at++
      for (;;) {
        const quote = line.indexOf('"', at)
        if (quote < 0) return null
        value += line.slice(at, quote)
        if (line[quote + 1] === '"') {
          value += '"'
          at = quote + 2
        } else {
          at = quote + 1
          break
        }
      }
      fields.push(value)
      if (at === line.length) return fields
      if (line[at] !== ",") return null
      at++
    } else {
      const comma = line.indexOf(",", at)
      const value = comma < 0 ? line.slice(at) : line.slice(at, comma)
      if (value.includes('"')) return null
      fields.push(value)
      if (comma < 0) return fields
      at = comma + 1
    }
  }
}

/** The lines of a file as bytes (some malformed lines are not valid UTF-8). */
const byteLines = (bytes: Uint8Array): Array<Uint8Array> => {
  const lines: Array<Uint8Array> = []
  let start = 0
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a) {
      lines.push(bytes.subarray(start, i))
      start = i + 1
    }
  }
  expect(start).toBe(bytes.length) // the file ends with \n
  return lines
}

const strict = new TextDecoder("utf-8", { fatal: true })
const validUtf8 = (bytes: Uint8Array): boolean => {
  try {
    strict.decode(bytes)
    return true
  } catch {
    return false
  }
}

const sha256 = async (path: string) =>
  createHash("sha256")
    .update(await readFile(path))
    .digest("hex")

interface Parsed {
  readonly header: Array<string>
  /** Well-formed data rows, by line number (header = 1). */
  readonly rows: Map<number, Array<string>>
  readonly lines: Array<Uint8Array>
}

const parseFile = async (path: string, broken: ReadonlySet<number>): Promise<Parsed> => {
  const lines = byteLines(new Uint8Array(await readFile(path)))
  const header = parseLine(strict.decode(lines[0]!))!
  const rows = new Map<number, Array<string>>()
  lines.forEach((bytes, index) => {
    const line = index + 1
    if (line === 1 || broken.has(line)) return
    rows.set(line, parseLine(strict.decode(bytes))!)
  })
  return { header, rows, lines }
}

const col = (header: ReadonlyArray<string>, name: string) => {
  const index = header.indexOf(name)
  if (index < 0) throw new Error(`no column ${name}`)
  return index
}

const share = (values: ReadonlyArray<boolean>) => values.filter(Boolean).length / values.length

let root = ""
let run: GenerateResult
let etab: Parsed
let ul: Parsed
const SIZE = 20_000
const RATE = 0.005

const brokenLines = (malformed: ReadonlyArray<MalformedRow>, file: string) =>
  new Set(malformed.filter((row) => row.file === file).map((row) => row.line))

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "filon-generator-"))
  run = await generateStock({ establishments: SIZE, seed: 11, dir: join(root, "a"), malformedRate: RATE })
  etab = await parseFile(run.etabFile, brokenLines(run.malformed, ETABLISSEMENT_FILE))
  ul = await parseFile(run.ulFile, brokenLines(run.malformed, UNITE_LEGALE_FILE))
})

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe("generateStock", () => {
  it("writes the official headers, in order: 54 and 35 columns, NAF 2025 last", () => {
    expect(ETAB_COLUMNS).toHaveLength(54)
    expect(UL_COLUMNS).toHaveLength(35)
    expect(etab.header).toEqual(ETAB_COLUMNS)
    expect(ul.header).toEqual(UL_COLUMNS)
    expect(strict.decode(etab.lines[0]!)).toBe(ETAB_COLUMNS.join(","))
    expect(strict.decode(ul.lines[0]!)).toBe(UL_COLUMNS.join(","))
  })

  it("counts what it wrote", () => {
    expect(run.establishments).toBe(SIZE)
    expect(etab.lines).toHaveLength(SIZE + 1)
    expect(ul.lines).toHaveLength(run.legalUnits + 1)
  })

  it("is deterministic: same seed and size, same bytes; another seed, other bytes", async () => {
    const again = await generateStock({ establishments: SIZE, seed: 11, dir: join(root, "b"), malformedRate: RATE })
    const other = await generateStock({ establishments: SIZE, seed: 12, dir: join(root, "c"), malformedRate: RATE })
    expect(await sha256(again.etabFile)).toBe(await sha256(run.etabFile))
    expect(await sha256(again.ulFile)).toBe(await sha256(run.ulFile))
    expect(await sha256(join(root, "b", "malformed.json"))).toBe(await sha256(join(root, "a", "malformed.json")))
    expect(again.malformed).toEqual(run.malformed)
    expect(await sha256(other.etabFile)).not.toBe(await sha256(run.etabFile))
  })

  it("gives the same bytes whatever the number of worker threads", async () => {
    const size = 150_000 // two chunks
    const one = await generateStock({ establishments: size, seed: 5, dir: join(root, "w1"), workers: 1 })
    const two = await generateStock({ establishments: size, seed: 5, dir: join(root, "w2"), workers: 2 })
    expect(await sha256(two.etabFile)).toBe(await sha256(one.etabFile))
    expect(await sha256(two.ulFile)).toBe(await sha256(one.ulFile))
    expect(two.malformed).toEqual(one.malformed)
    expect(two.legalUnits).toBe(one.legalUnits)
    // Chunks follow each other in SIREN order.
    for (const [path, keyLength] of [
      [two.etabFile, 15],
      [two.ulFile, 9]
    ] as const) {
      const lines = byteLines(new Uint8Array(await readFile(path)))
      const keys = lines.slice(1).map((line) => Buffer.from(line.subarray(0, keyLength)).toString("latin1"))
      for (let i = 1; i < keys.length; i++) expect(keys[i - 1]! < keys[i]!).toBe(true)
    }
  })

  it("writes the headers alone for no establishments", async () => {
    const empty = await generateStock({ establishments: 0, seed: 1, dir: join(root, "empty") })
    expect(empty).toMatchObject({ establishments: 0, legalUnits: 0, malformed: [] })
    expect(await Bun.file(empty.etabFile).text()).toBe(`${ETAB_COLUMNS.join(",")}\n`)
    expect(await Bun.file(empty.ulFile).text()).toBe(`${UL_COLUMNS.join(",")}\n`)
    expect(await Bun.file(join(root, "empty", "malformed.json")).json()).toEqual([])
  })

  it("has about 0.74 legal units per establishment, most units with one establishment", () => {
    expect(Math.abs(run.legalUnits / run.establishments - 0.74)).toBeLessThanOrEqual(0.05)
    const perUnit = new Map<string, number>()
    for (const line of etab.lines.slice(1)) {
      const siren = strict.decode(line.subarray(0, 9))
      perUnit.set(siren, (perUnit.get(siren) ?? 0) + 1)
    }
    const counts = [...perUnit.values()]
    expect(share(counts.map((count) => count === 1))).toBeGreaterThan(0.8)
    expect(Math.max(...counts)).toBeGreaterThan(10)
  })

  it("writes Luhn-valid SIRENs and SIRETs (SIRET = SIREN + NIC) except the rows broken on purpose", () => {
    const [siren, nic, siret] = ["siren", "nic", "siret"].map((name) => col(etab.header, name)) as [
      number,
      number,
      number
    ]
    for (const fields of etab.rows.values()) {
      expect(fields[siret]).toBe(`${fields[siren]}${fields[nic]}`)
      expect(luhnValid(fields[siren]!) && luhnValid(fields[siret]!)).toBe(true)
    }
    for (const fields of ul.rows.values()) expect(luhnValid(fields[0]!)).toBe(true)
  })

  it("sorts rows by SIRET and by SIREN, with unique SIRENs", () => {
    const siretOf = (line: Uint8Array) => strict.decode(line.subarray(0, 15)) // "siren,nic"
    for (let i = 2; i < etab.lines.length; i++) expect(siretOf(etab.lines[i - 1]!) < siretOf(etab.lines[i]!)).toBe(true)
    const sirenOf = (line: Uint8Array) => strict.decode(line.subarray(0, 9))
    for (let i = 2; i < ul.lines.length; i++) expect(sirenOf(ul.lines[i - 1]!) < sirenOf(ul.lines[i]!)).toBe(true)
  })

  it("joins: every establishment has its legal unit, whose nicSiege is a head office of it", () => {
    const units = new Set([...ul.rows.values()].map((fields) => fields[0]!))
    const ulSirens = new Set(ul.lines.slice(1).map((line) => strict.decode(line.subarray(0, 9))))
    const heads = new Set<string>()
    const siege = col(etab.header, "etablissementSiege")
    for (const fields of etab.rows.values()) {
      expect(ulSirens.has(fields[0]!)).toBe(true)
      if (fields[siege] === "true") heads.add(fields[2]!)
    }
    const nicSiege = col(ul.header, "nicSiegeUniteLegale")
    const headOffices = [...ul.rows.values()].filter((fields) => units.has(fields[0]!))
    const found = headOffices.filter((fields) => heads.has(`${fields[0]}${fields[nicSiege]}`)).length
    expect(found / headOffices.length).toBeGreaterThan(0.97) // a few head offices sit on broken lines or cut units
  })

  it("closes about a third: legal units C with all establishments F, plus some F establishments of active units", () => {
    const ulState = col(ul.header, "etatAdministratifUniteLegale")
    const etabState = col(etab.header, "etatAdministratifEtablissement")
    const unitState = new Map([...ul.rows.values()].map((fields) => [fields[0]!, fields[ulState]!]))
    const units = [...ul.rows.values()]
    const establishments = [...etab.rows.values()]
    expect(new Set(units.map((fields) => fields[ulState]))).toEqual(new Set(["A", "C"]))
    expect(share(units.map((fields) => fields[ulState] === "C"))).toBeWithin(0.28, 0.38)
    expect(share(establishments.map((fields) => fields[etabState] === "F"))).toBeWithin(0.3, 0.45)
    for (const fields of establishments) if (unitState.get(fields[0]!) === "C") expect(fields[etabState]).toBe("F")
    const closedOfActive = establishments.filter(
      (fields) => unitState.get(fields[0]!) === "A" && fields[etabState] === "F"
    ).length
    expect(closedOfActive).toBeGreaterThan(0)
  })

  it("marks about 2 % partially diffusible (P), with [ND] in personal and address fields and no coordinates", () => {
    const ulStatus = col(ul.header, "statutDiffusionUniteLegale")
    const etabStatus = col(etab.header, "statutDiffusionEtablissement")
    const units = [...ul.rows.values()]
    const establishments = [...etab.rows.values()]
    expect(share(units.map((fields) => fields[ulStatus] === "P"))).toBeWithin(0.014, 0.026)
    expect(share(establishments.map((fields) => fields[etabStatus] === "P"))).toBeWithin(0.012, 0.03)
    expect(new Set(units.map((fields) => fields[ulStatus]))).toEqual(new Set(["O", "P", "N"]))

    const category = col(ul.header, "categorieJuridiqueUniteLegale")
    const personal = ["nomUniteLegale", "prenom1UniteLegale", "prenomUsuelUniteLegale", "sexeUniteLegale"].map((name) =>
      col(ul.header, name)
    )
    const maskedPeople = units.filter((fields) => fields[ulStatus] === "P" && fields[category] === "1000")
    expect(maskedPeople.length).toBeGreaterThan(0)
    for (const fields of maskedPeople) for (const index of personal) expect(fields[index]).toBe("[ND]")
    const people = units.filter((fields) => fields[ulStatus] === "O" && fields[category] === "1000")
    for (const fields of people) {
      expect(fields[col(ul.header, "nomUniteLegale")]).not.toBe("")
      expect(fields[col(ul.header, "denominationUniteLegale")]).toBe("")
    }

    const street = col(etab.header, "libelleVoieEtablissement")
    const numero = col(etab.header, "numeroVoieEtablissement")
    const lambert = ["coordonneeLambertAbscisseEtablissement", "coordonneeLambertOrdonneeEtablissement"].map((name) =>
      col(etab.header, name)
    )
    const masked = establishments.filter((fields) => fields[etabStatus] === "P")
    for (const fields of masked) {
      expect(fields[street]).toBe("[ND]")
      expect(fields[numero]).toBe("[ND]")
      for (const index of lambert) expect(fields[index]).toBe("")
    }
    const open = establishments.filter((fields) => fields[etabStatus] === "O")
    expect(share(open.map((fields) => fields[lambert[0]!] !== ""))).toBeGreaterThan(0.8)
    for (const fields of open) expect(fields.includes("[ND]")).toBe(false)
  })

  it("uses realistic codes: NAF nomenclatures, departments, dates, booleans", () => {
    const naf = col(etab.header, "activitePrincipaleEtablissement")
    const nomenclature = col(etab.header, "nomenclatureActivitePrincipaleEtablissement")
    const naf25 = col(etab.header, "activitePrincipaleNAF25Etablissement")
    const commune = col(etab.header, "codeCommuneEtablissement")
    const postcode = col(etab.header, "codePostalEtablissement")
    const created = col(etab.header, "dateCreationEtablissement")
    const processed = col(etab.header, "dateDernierTraitementEtablissement")
    const siege = col(etab.header, "etablissementSiege")
    const employer = col(etab.header, "caractereEmployeurEtablissement")
    const establishments = [...etab.rows.values()]
    const rev2 = establishments.filter((fields) => fields[nomenclature] === "NAFRev2")
    expect(rev2.length / establishments.length).toBeGreaterThan(0.8)
    expect(new Set(rev2.map((fields) => fields[naf])).size).toBeGreaterThan(150)
    for (const fields of rev2) expect(fields[naf]).toMatch(/^\d{2}\.\d{2}[A-Z]$/)
    for (const fields of establishments) {
      if (fields[nomenclature] === "NAFRev1" || fields[nomenclature] === "NAF1993")
        expect(fields[naf]).toMatch(/^\d{2}\.\d[A-Z]$/)
      if (fields[naf25] !== "") {
        expect(fields[nomenclature]).toBe("NAFRev2")
        expect(fields[naf25]).toMatch(/^\d{2}\.\d{2}[A-Z]$/)
      }
      if (fields[created] !== "") expect(fields[created]).toMatch(/^\d{4}-\d{2}-\d{2}$/)
      expect(fields[processed]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/)
      expect(["true", "false"]).toContain(fields[siege]!)
      expect(["O", "N", ""]).toContain(fields[employer]!)
      if (fields[commune] !== "") expect(fields[commune]).toMatch(/^(\d{5}|2[AB]\d{3})$/)
    }
    const nomenclatures = new Set(establishments.map((fields) => fields[nomenclature]))
    expect(nomenclatures).toEqual(new Set(["NAFRev2", "NAFRev1", "NAF1993", "NAP"]))
    const paris = establishments.filter((fields) => fields[commune]!.startsWith("751"))
    expect(paris.length).toBeGreaterThan(0)
    for (const fields of paris) {
      expect(Number(fields[commune]!.slice(3))).toBeWithin(1, 21)
      expect(fields[postcode]).toMatch(/^75(0\d\d|116)$/) // 75116: the second postcode of the 16th
    }
    const departments = new Set(establishments.map((fields) => fields[commune]!.slice(0, 2)))
    for (const department of ["75", "13", "69", "31", "2A", "2B", "97"]) expect(departments.has(department)).toBe(true)
  })

  it("quotes only the fields that need it, and some need it", () => {
    const lines = [...etab.lines.slice(1), ...ul.lines.slice(1)].filter((line) => validUtf8(line))
    const quoted = lines.map((line) => strict.decode(line)).filter((line) => line.includes('"'))
    expect(quoted.length).toBeGreaterThan(0)
    const quotedFields = quoted
      .map(parseLine)
      .filter((fields) => fields !== null)
      .flat()
      .filter((field) => field.includes(",") || field.includes('"'))
    expect(quotedFields.some((field) => field.includes(","))).toBe(true)
    expect(quotedFields.some((field) => field.includes('"'))).toBe(true)
    // Nothing is quoted without a reason.
    for (const line of quoted) expect(/(^|,)"[^",\n]*"(,|$)/.test(line)).toBe(false)
  })

  it("records the malformed rows at their line, broken the stated way, and only those", async () => {
    const sidecar = (await Bun.file(join(root, "a", "malformed.json")).json()) as Array<MalformedRow>
    expect(sidecar).toEqual([...run.malformed])
    const kinds = new Set(run.malformed.map((row) => `${row.file}:${row.kind}`))
    for (const kind of ["stray_quote", "column_count", "invalid_utf8", "invalid_siret_checksum"])
      expect(kinds.has(`${ETABLISSEMENT_FILE}:${kind}`)).toBe(true)
    for (const kind of ["stray_quote", "column_count", "invalid_utf8"])
      expect(kinds.has(`${UNITE_LEGALE_FILE}:${kind}`)).toBe(true)
    expect(run.malformed.length / (run.establishments + run.legalUnits)).toBeWithin(RATE / 2, RATE * 2)

    for (const row of run.malformed) {
      const file = row.file === ETABLISSEMENT_FILE ? etab : ul
      const width = file.header.length
      const bytes = file.lines[row.line - 1]!
      expect(row.line).toBeGreaterThan(1)
      switch (row.kind) {
        case "invalid_utf8":
          expect(validUtf8(bytes)).toBe(false)
          expect(Buffer.from(bytes).includes(Buffer.from([0xc3, 0x28]))).toBe(true)
          break
        case "stray_quote": {
          const text = strict.decode(bytes)
          expect(text.split('"')).toHaveLength(2) // one quote, inside a field
          expect(text).not.toMatch(/(^|,)"/)
          expect(parseLine(text)).toBeNull()
          break
        }
        case "column_count": {
          const fields = parseLine(strict.decode(bytes))
          expect(fields).not.toBeNull()
          expect(Math.abs(fields!.length - width)).toBe(1)
          break
        }
        case "invalid_siret_checksum": {
          const fields = parseLine(strict.decode(bytes))!
          expect(fields).toHaveLength(width)
          expect(fields[2]).toBe(`${fields[0]}${fields[1]}`)
          expect(luhnValid(fields[0]!)).toBe(true)
          expect(luhnValid(fields[2]!)).toBe(false)
          break
        }
      }
    }
    // Every other line is well formed: valid UTF-8, strict CSV, the header's width.
    for (const file of [etab, ul]) {
      expect(file.rows.size).toBeGreaterThan(0)
      for (const fields of file.rows.values()) expect(fields).toHaveLength(file.header.length)
    }
  })
})

describe("demo sample", () => {
  const sample = join(import.meta.dir, "../../../plugins/sirene/sample")

  it("is what make-sample.ts builds (regenerated byte for byte)", async () => {
    const rebuilt = await makeSample(join(root, "sample"))
    expect(await sha256(rebuilt.etabFile)).toBe(await sha256(join(sample, SAMPLE_ETABLISSEMENT_FILE)))
    expect(await sha256(rebuilt.ulFile)).toBe(await sha256(join(sample, SAMPLE_UNITE_LEGALE_FILE)))
    expect(await Bun.file(join(sample, "malformed.json")).json()).toEqual([...rebuilt.malformed])
  })

  it("has the official headers, small files, the real rows first, sorted by SIRET", async () => {
    const broken = (await Bun.file(join(sample, "malformed.json")).json()) as Array<MalformedRow>
    const etabSample = await parseFile(
      join(sample, SAMPLE_ETABLISSEMENT_FILE),
      brokenLines(broken, SAMPLE_ETABLISSEMENT_FILE)
    )
    const ulSample = await parseFile(
      join(sample, SAMPLE_UNITE_LEGALE_FILE),
      brokenLines(broken, SAMPLE_UNITE_LEGALE_FILE)
    )
    expect(etabSample.header).toEqual(ETAB_COLUMNS)
    expect(ulSample.header).toEqual(UL_COLUMNS)
    expect(Bun.file(join(sample, SAMPLE_ETABLISSEMENT_FILE)).size).toBeLessThan(1_000_000)
    expect(Bun.file(join(sample, SAMPLE_UNITE_LEGALE_FILE)).size).toBeLessThan(1_000_000)
    expect(etabSample.rows.get(2)!.slice(0, 3)).toEqual(["000325175", "00016", "00032517500016"])
    expect(ulSample.rows.get(2)![0]).toBe("000325175")
    const siretOf = (line: Uint8Array) => strict.decode(line.subarray(0, 15))
    for (let i = 2; i < etabSample.lines.length; i++)
      expect(siretOf(etabSample.lines[i - 1]!) < siretOf(etabSample.lines[i]!)).toBe(true)

    // The demo filter (NAF 62* or 63.11Z, Île-de-France, active establishment of an active unit) keeps 100-300 rows.
    const state = new Map([...ulSample.rows.values()].map((fields) => [fields[0]!, fields[20]!]))
    const h = etabSample.header
    const kept = [...etabSample.rows.values()].filter((fields) => {
      const naf = fields[col(h, "activitePrincipaleEtablissement")]!
      return (
        fields[col(h, "nomenclatureActivitePrincipaleEtablissement")] === "NAFRev2" &&
        (naf.startsWith("62") || naf === "63.11Z") &&
        ["75", "77", "78", "91", "92", "93", "94", "95"].includes(
          fields[col(h, "codeCommuneEtablissement")]!.slice(0, 2)
        ) &&
        fields[col(h, "etatAdministratifEtablissement")] === "A" &&
        state.get(fields[0]!) === "A"
      )
    }).length
    expect(kept).toBeWithin(100, 301)
  })
})
