/**
 * The monthly SIRENE stock files: which ones `filon download` knows, how they are named (current or
 * dated), where they are published and where they land on disk (SIRENE.md §1).
 */
import { join } from "node:path"

/** The stock files `filon download` fetches, by the name users pass to `--files`. */
export const STOCK_FILES = {
  etablissement: "StockEtablissement_utf8.zip",
  unite_legale: "StockUniteLegale_utf8.zip"
} as const

export type StockKind = keyof typeof STOCK_FILES

export const STOCK_KINDS = Object.keys(STOCK_FILES) as ReadonlyArray<StockKind>

export const isStockKind = (value: string): value is StockKind => Object.hasOwn(STOCK_FILES, value)

/** The data.gouv.fr object storage mirror of the stock files. */
export const DEFAULT_BASE_URL = "https://object.files.data.gouv.fr/data-pipeline-open/siren/stock/"

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/

/** True for `YYYY-MM` with a real month. */
export const isMonth = (value: string): boolean => MONTH.test(value)

/**
 * The published name of a stock file: `StockEtablissement_utf8.zip` for the current stock, or
 * `2025-11-01-StockEtablissement_utf8.zip` for the stock of a month (put online on its 1st).
 */
export const stockFileName = (kind: StockKind, month?: string): string =>
  month === undefined ? STOCK_FILES[kind] : `${month}-01-${STOCK_FILES[kind]}`

/** The base URL with exactly one trailing slash, so file names resolve beneath it. */
export const normalizeBaseUrl = (base: string): string => `${base.replace(/\/+$/, "")}/`

export const stockFileUrl = (baseUrl: string, name: string): string => new URL(name, normalizeBaseUrl(baseUrl)).href

/** `<dataDir>/sirene/<month or "latest">/`. */
export const defaultDestination = (dataDir: string, month?: string): string =>
  join(dataDir, "sirene", month ?? "latest")

const monthOf = (date: Date, monthsBack: number): string => {
  const shifted = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - monthsBack, 1))
  return `${shifted.getUTCFullYear()}-${String(shifted.getUTCMonth() + 1).padStart(2, "0")}`
}

/** The `--month` values most likely to exist on `now`: this month's stock and the one before. */
export const likelyMonths = (now: Date): readonly [string, string] => [monthOf(now, 0), monthOf(now, 1)]

/** What to tell a user whose file was not found. */
export const notFoundHint = (month: string | undefined, now: Date): string => {
  const [current, previous] = likelyMonths(now)
  const cadence = "the stock of month M is published on the 1st of M"
  return month === undefined
    ? `${cadence}; check --base-url, or ask for a dated stock with --month ${current} or --month ${previous}`
    : `${cadence}, so --month ${month} may not be online (yet, or any more); try --month ${current} or --month ${previous}, or leave out --month for the current files`
}
