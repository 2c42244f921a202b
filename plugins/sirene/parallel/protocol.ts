/**
 * Messages between the main thread and the scan worker. Everything is plain data: the compiled
 * filter holds functions, so the worker is sent the job's filters and compiles them itself.
 */
import type { Job } from "../../../core/Job.ts"
import type { ColumnIndex } from "../filters.ts"
import type { Header } from "../input/roles.ts"
import type { PackedLines } from "../packedLines.ts"
import type { Reject, ScanRange, ScanStats } from "../scan.ts"

export interface EstablishmentsRequest {
  readonly kind: "establishments"
  readonly file: string
  readonly header: Header
  readonly range: ScanRange
  /** What the filter is compiled from, or null: keep every readable line. */
  readonly filter: { readonly filters: Job["filters"]; readonly columnIndex: ColumnIndex } | null
}

export interface LegalUnitsRequest {
  readonly kind: "legal_units"
  readonly file: string
  readonly header: Header
  readonly range: ScanRange
  /** The wanted SIRENs of 9 digits as numbers (4 bytes each, where a string costs tens)… */
  readonly numericSirens: Int32Array
  /** …and any others as they are. */
  readonly otherSirens: ReadonlyArray<string>
}

export type ScanRequest = EstablishmentsRequest | LegalUnitsRequest

export interface EstablishmentsReply {
  readonly kind: "establishments"
  readonly stats: ScanStats
  readonly kept: PackedLines
  readonly rejects: ReadonlyArray<Reject>
}

export interface LegalUnitsReply {
  readonly kind: "legal_units"
  readonly stats: ScanStats
  readonly units: PackedLines
  readonly rejects: ReadonlyArray<readonly [siren: string, reject: Reject]>
}

export type ScanReply = EstablishmentsReply | LegalUnitsReply | { readonly kind: "failed"; readonly error: string }
