/** Records are the plain, JSON-compatible objects that flow between steps, keyed by SIRET. */
export type Rec = Readonly<Record<string, unknown>>

/** The field every record is keyed and sorted by (one dataset row per establishment). */
export const RECORD_KEY = "siret"
