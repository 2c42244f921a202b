/**
 * `writeParquet`, loaded on first use: parquet-wasm and apache-arrow cost about 45 MB of memory once
 * imported, which a run that writes no Parquet (a crawl, `--explain`, `profiles`) should not pay.
 */
import type { writeParquet as WriteParquet } from "./parquet.ts"

export const writeParquet: typeof WriteParquet = async (...args) => (await import("./parquet.ts")).writeParquet(...args)
