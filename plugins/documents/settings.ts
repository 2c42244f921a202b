/** Settings both document collectors take (profile `config`, job, CLI flags). */
import * as Schema from "effect/Schema"

export const collectorConfig = (defaults: { readonly maxDocuments: number; readonly maxBytes: number }) =>
  Schema.Struct({
    /** Documents fetched per site at most (the most telling first). */
    max_documents: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 20)), {
      default: () => defaults.maxDocuments
    }),
    /** Largest document kept, in bytes; a larger one is skipped and counted as too_large. */
    max_bytes: Schema.optionalWith(Schema.Int.pipe(Schema.between(1024, 100 * 1024 * 1024)), {
      default: () => defaults.maxBytes
    }),
    /** Sites worked on at once (requests in flight are bounded by the job's `http` settings). */
    sites_in_flight: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 1000)), { default: () => 32 })
  })
