/**
 * `writeParquet`, loaded on first use: the writer and its encoder thread (parquet-wasm, about 55 MB once
 * its worker starts) are what a run that writes no Parquet (a crawl, `--explain`, `profiles`) should not pay.
 */
import type { writeParquet as WriteParquet } from "./parquet.ts"

export const writeParquet: typeof WriteParquet = async (...args) => (await import("./parquet.ts")).writeParquet(...args)
