/**
 * What a stock download reports while it runs, for a progress display (the CLI draws them on
 * stderr). Events are informative only: nothing depends on them being observed.
 */
export type DownloadEvent =
  /** The published checksum of a file, or none. */
  | { readonly type: "checksum"; readonly file: string; readonly url: string; readonly sha256: string | undefined }
  /** A local copy is being hashed to decide whether it is complete. */
  | { readonly type: "verify"; readonly file: string; readonly bytes: number }
  | { readonly type: "skip"; readonly file: string; readonly reason: string }
  /** A transfer attempt got its answer: `offset` bytes were already on disk. */
  | {
      readonly type: "start"
      readonly file: string
      readonly url: string
      readonly offset: number
      readonly total: number | undefined
      /** Why it starts from zero although bytes were on disk, if it does. */
      readonly restart?: string
    }
  /** `bytes` of `total` are on disk. */
  | { readonly type: "progress"; readonly file: string; readonly bytes: number; readonly total: number | undefined }
  | { readonly type: "retry"; readonly file: string; readonly attempt: number; readonly error: string }
  | {
      readonly type: "done"
      readonly file: string
      readonly bytes: number
      readonly sha256: string
      readonly verified: boolean
    }
  | { readonly type: "warning"; readonly file: string; readonly message: string }

export type DownloadListener = (event: DownloadEvent) => void
