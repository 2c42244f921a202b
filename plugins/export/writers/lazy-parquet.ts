/**
 * `writeParquet`, loaded on first use: the writer and its encoder thread (parquet-wasm, about 55 MB once
 * its worker starts) are what a run that writes no Parquet (a crawl, `--explain`, `profiles`) should not pay.
 */
import type { writeParquet as WriteParquet } from "./parquet.ts"

export const writeParquet: typeof WriteParquet = async (...args) => (await import("./parquet.ts")).writeParquet(...args)

/**
 * The warm-up of the steps that write Parquet (`StepOptions.warmUp`): the encoder's thread starts now,
 * not at the step's first row group. Loads the writer's modules, not parquet-wasm on this thread.
 */
export const startParquetEncoder = (): void => {
  void import("./encoder/ParquetEncoder.ts").then(
    (encoder) => encoder.startEncoder(),
    // Nothing lost: the first write starts the encoder, and reports what stops it.
    () => undefined
  )
}
