/**
 * Places for the synthetic SIRENE stock: real commune codes with their real postcodes, from the
 * COG shipped in @etalab/decoupage-administratif, drawn by population (Paris, Lyon and Marseille by
 * arrondissement, as SIRENE codes them: 75101-75120, 69381-69389, 13201-13216). Metropolitan
 * France including Corsica, plus Guadeloupe, Martinique, Guyane, La Réunion and Mayotte.
 *
 * The COG has no coordinates: each commune gets a point near its department's prefecture
 * (deterministic offset from its code), in Lambert-93 for mainland France and Corsica and in the
 * local UTM zone for the overseas departments, as the stock files do.
 */
import { Alias, type Rng } from "./rng.ts"

interface RawCommune {
  readonly code: string
  readonly nom: string
  readonly type: string
  readonly departement: string
  readonly zone?: string
  readonly codesPostaux?: ReadonlyArray<string>
  readonly population?: number
}

export interface Commune {
  readonly code: string
  readonly department: string
  /** Upper case, no accents, as `libelleCommuneEtablissement`. */
  readonly label: string
  readonly postcodes: ReadonlyArray<string>
  /** Projected centre, metres; NaN when unknown. */
  readonly x: number
  readonly y: number
}

export interface Geo {
  readonly communes: ReadonlyArray<Commune>
  /** A commune drawn by weight, anywhere. */
  readonly draw: (rng: Rng) => Commune
  /** A commune drawn by weight within one of `departments` (all when empty). */
  readonly drawIn: (rng: Rng, departments: ReadonlyArray<string>) => Commune
  /** A commune drawn by weight within `department`. */
  readonly drawInDepartment: (rng: Rng, department: string) => Commune
}

/** Approximate prefecture positions [lat, lon] and spread (km) of each metropolitan department. */
const PREFECTURES: Record<string, readonly [number, number, number]> = {
  "01": [46.205, 5.226, 30],
  "02": [49.564, 3.62, 35],
  "03": [46.566, 3.333, 35],
  "04": [44.092, 6.236, 35],
  "05": [44.559, 6.079, 30],
  "06": [43.703, 7.266, 20],
  "07": [44.735, 4.599, 30],
  "08": [49.762, 4.726, 30],
  "09": [42.965, 1.607, 25],
  "10": [48.297, 4.074, 30],
  "11": [43.213, 2.349, 35],
  "12": [44.35, 2.575, 40],
  "13": [43.296, 5.37, 25],
  "14": [49.183, -0.371, 30],
  "15": [44.926, 2.44, 30],
  "16": [45.648, 0.156, 30],
  "17": [46.16, -1.151, 35],
  "18": [47.081, 2.399, 35],
  "19": [45.267, 1.77, 30],
  "2A": [41.919, 8.739, 30],
  "2B": [42.697, 9.451, 30],
  "21": [47.322, 5.041, 40],
  "22": [48.514, -2.765, 35],
  "23": [46.171, 1.871, 30],
  "24": [45.184, 0.721, 40],
  "25": [47.238, 6.024, 30],
  "26": [44.933, 4.892, 35],
  "27": [49.027, 1.151, 30],
  "28": [48.446, 1.489, 30],
  "29": [47.996, -4.102, 35],
  "30": [43.837, 4.36, 35],
  "31": [43.605, 1.444, 25],
  "32": [43.646, 0.586, 35],
  "33": [44.838, -0.579, 30],
  "34": [43.611, 3.877, 30],
  "35": [48.117, -1.678, 30],
  "36": [46.811, 1.686, 35],
  "37": [47.394, 0.685, 30],
  "38": [45.188, 5.724, 35],
  "39": [46.675, 5.555, 30],
  "40": [43.89, -0.5, 40],
  "41": [47.586, 1.335, 35],
  "42": [45.44, 4.387, 30],
  "43": [45.043, 3.885, 30],
  "44": [47.218, -1.554, 30],
  "45": [47.903, 1.909, 35],
  "46": [44.448, 1.441, 30],
  "47": [44.203, 0.616, 30],
  "48": [44.518, 3.5, 25],
  "49": [47.478, -0.563, 35],
  "50": [49.116, -1.091, 35],
  "51": [48.957, 4.363, 35],
  "52": [48.111, 5.139, 30],
  "53": [48.073, -0.77, 25],
  "54": [48.692, 6.184, 30],
  "55": [48.773, 5.16, 30],
  "56": [47.658, -2.76, 30],
  "57": [49.119, 6.176, 30],
  "58": [46.99, 3.159, 35],
  "59": [50.629, 3.057, 30],
  "60": [49.43, 2.081, 30],
  "61": [48.432, 0.091, 35],
  "62": [50.291, 2.777, 35],
  "63": [45.778, 3.087, 35],
  "64": [43.295, -0.371, 40],
  "65": [43.233, 0.078, 25],
  "66": [42.699, 2.895, 25],
  "67": [48.573, 7.752, 30],
  "68": [48.079, 7.358, 25],
  "69": [45.764, 4.836, 15],
  "70": [47.622, 6.155, 30],
  "71": [46.307, 4.829, 40],
  "72": [48.006, 0.199, 30],
  "73": [45.564, 5.917, 35],
  "74": [45.899, 6.129, 25],
  "75": [48.857, 2.352, 4],
  "76": [49.443, 1.099, 35],
  "77": [48.539, 2.661, 30],
  "78": [48.801, 2.13, 20],
  "79": [46.323, -0.459, 30],
  "80": [49.894, 2.296, 35],
  "81": [43.929, 2.148, 30],
  "82": [44.018, 1.355, 25],
  "83": [43.124, 5.928, 30],
  "84": [43.949, 4.806, 25],
  "85": [46.67, -1.426, 35],
  "86": [46.58, 0.34, 35],
  "87": [45.834, 1.261, 30],
  "88": [48.173, 6.45, 30],
  "89": [47.798, 3.567, 35],
  "90": [47.64, 6.863, 10],
  "91": [48.629, 2.441, 15],
  "92": [48.892, 2.207, 5],
  "93": [48.908, 2.44, 6],
  "94": [48.79, 2.455, 6],
  "95": [49.036, 2.076, 15]
}

/** Overseas departments: local UTM centre (x, y) and spread (km). */
const OVERSEAS: Record<string, readonly [number, number, number]> = {
  "971": [657000, 1797000, 15],
  "972": [708000, 1616000, 10],
  "973": [353000, 542000, 25],
  "974": [338000, 7691000, 20],
  "976": [524000, 8587000, 6]
}

/** Geographic (GRS80) to Lambert-93, metres. */
export const lambert93 = (lat: number, lon: number): readonly [number, number] => {
  const e = 0.0818191910428158
  const n = 0.725607765053267
  const c = 11754255.426096
  const phi = (lat * Math.PI) / 180
  const sin = Math.sin(phi)
  const isometric = Math.log(Math.tan(Math.PI / 4 + phi / 2) * ((1 - e * sin) / (1 + e * sin)) ** (e / 2))
  const rho = c * Math.exp(-n * isometric)
  const gamma = n * (((lon - 3) * Math.PI) / 180)
  return [700000 + rho * Math.sin(gamma), 12655612.049876 - rho * Math.cos(gamma)]
}

/** A stable hash of a commune code, for its offset from the prefecture. */
const hash = (text: string): number => {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return h >>> 0
}

export const sireneLabel = (name: string): string =>
  name
    .replace(/ (\d+)(er|e) Arrondissement$/i, " $1")
    .replaceAll("\u0153", "oe")
    .replaceAll("\u0152", "OE")
    .replaceAll("æ", "ae")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toUpperCase()

const OVERSEAS_KEPT = new Set(Object.keys(OVERSEAS))
/** Communes SIRENE never uses: establishments are coded by arrondissement. */
const SPLIT_CITIES = new Set(["75056", "69123", "13055"])

const centreOf = (code: string, department: string): readonly [number, number] => {
  const h = hash(code)
  const angle = ((h & 0xffff) / 0x10000) * 2 * Math.PI
  const spread = Math.sqrt(((h >>> 16) & 0xffff) / 0x10000)
  const overseas = OVERSEAS[department]
  if (overseas !== undefined) {
    const [x, y, km] = overseas
    return [x + Math.cos(angle) * spread * km * 1000, y + Math.sin(angle) * spread * km * 1000]
  }
  const prefecture = PREFECTURES[department]
  if (prefecture === undefined) return [Number.NaN, Number.NaN]
  const [lat, lon, km] = prefecture
  const [x, y] = lambert93(lat, lon)
  return [x + Math.cos(angle) * spread * km * 1000, y + Math.sin(angle) * spread * km * 1000]
}

/** Establishments per inhabitant is higher in big business districts. */
const businessWeight = (commune: RawCommune): number => {
  const population = commune.population ?? 0
  const department = commune.departement
  if (department === "75") return population * 2.5
  if (department === "92") return population * 1.4
  if (commune.code.startsWith("6938") || commune.code.startsWith("132")) return population * 1.3
  return population
}

interface Table {
  readonly indexes: Int32Array
  readonly alias: Alias
}

const buildTable = (indexes: ReadonlyArray<number>, weights: ReadonlyArray<number>): Table => ({
  indexes: Int32Array.from(indexes),
  alias: new Alias(indexes.map((index) => weights[index]!))
})

const drawFrom = (table: Table, rng: Rng): number => table.indexes[table.alias.draw(rng)]!

let cached: Promise<Geo> | undefined

export const loadGeo = (): Promise<Geo> => {
  cached ??= buildGeo()
  return cached
}

const buildGeo = async (): Promise<Geo> => {
  const path = Bun.resolveSync("@etalab/decoupage-administratif/data/communes.json", import.meta.dir)
  const raw = (await Bun.file(path).json()) as ReadonlyArray<RawCommune>
  const kept = raw.filter((commune) => {
    if (commune.type !== "commune-actuelle" && commune.type !== "arrondissement-municipal") return false
    if (SPLIT_CITIES.has(commune.code)) return false
    if ((commune.population ?? 0) <= 0 || (commune.codesPostaux?.length ?? 0) === 0) return false
    return commune.zone === "metro" || OVERSEAS_KEPT.has(commune.departement)
  })
  kept.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
  const communes: Array<Commune> = kept.map((commune) => {
    const [x, y] = centreOf(commune.code, commune.departement)
    return {
      code: commune.code,
      department: commune.departement,
      label: sireneLabel(commune.nom),
      postcodes: [...(commune.codesPostaux ?? [])].sort(),
      x,
      y
    }
  })
  const weights = kept.map(businessWeight)
  const all = buildTable(
    communes.map((_, index) => index),
    weights
  )
  const byDepartment = new Map<string, Array<number>>()
  communes.forEach((commune, index) => {
    const list = byDepartment.get(commune.department) ?? []
    list.push(index)
    byDepartment.set(commune.department, list)
  })
  const departmentTables = new Map<string, Table>()
  for (const [department, indexes] of byDepartment) departmentTables.set(department, buildTable(indexes, weights))
  const unionTables = new Map<string, Table>()

  const drawInDepartment = (rng: Rng, department: string): Commune => {
    const table = departmentTables.get(department)
    if (table === undefined) throw new Error(`unknown department ${department}`)
    return communes[drawFrom(table, rng)]!
  }

  return {
    communes,
    draw: (rng) => communes[drawFrom(all, rng)]!,
    drawInDepartment,
    drawIn: (rng, departments) => {
      if (departments.length === 0) return communes[drawFrom(all, rng)]!
      const key = departments.join(",")
      let table = unionTables.get(key)
      if (table === undefined) {
        const indexes = departments.flatMap((department) => {
          const list = byDepartment.get(department)
          if (list === undefined) throw new Error(`unknown department ${department}`)
          return list
        })
        table = buildTable(indexes, weights)
        unionTables.set(key, table)
      }
      return communes[drawFrom(table, rng)]!
    }
  }
}
