/**
 * Messages between a Parquet write (this thread) and the encoder worker. Several files may be
 * written at once (the export fans one input out to several datasets): every message names its job.
 * Row groups travel as Arrow IPC streams and encoded bytes come back, both transferred, not copied.
 */

export type EncoderRequest =
  | { readonly kind: "open"; readonly job: number; readonly rowGroupRows: number }
  /** One row group, an Arrow IPC stream holding a single record batch. */
  | { readonly kind: "batch"; readonly job: number; readonly ipc: ArrayBuffer }
  /** No more row groups: the writer finishes the file (footer). */
  | { readonly kind: "end"; readonly job: number }
  /** Stop: the file is abandoned (the caller failed or stopped reading). */
  | { readonly kind: "cancel"; readonly job: number }
  /** The row count a written file's footer declares. */
  | { readonly kind: "footer"; readonly job: number; readonly path: string }

export type EncoderReply =
  /** The writer took the job's oldest row group: the next may be sent. */
  | { readonly kind: "taken"; readonly job: number }
  /** Encoded bytes of the file, in order. */
  | { readonly kind: "chunk"; readonly job: number; readonly bytes: ArrayBuffer }
  /** The file's last bytes were sent. */
  | { readonly kind: "done"; readonly job: number }
  | { readonly kind: "footer"; readonly job: number; readonly rows: number }
  | { readonly kind: "failed"; readonly job: number; readonly error: string }

/** An ArrayBuffer holding exactly these bytes, to transfer: a view over part of a larger buffer is copied. */
export const transferable = (bytes: Uint8Array): ArrayBuffer =>
  bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? (bytes.buffer as ArrayBuffer)
    : (bytes.slice().buffer as ArrayBuffer)

/** A thrown value as the text a reply carries. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))
