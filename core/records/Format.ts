/**
 * The record-file format: one JSON object per line, sorted by a key field; and RecordFileError, what reading,
 * merging or sorting such a file fails with.
 */
import * as Data from "effect/Data"
import type { Rec } from "../Record.ts"

export class RecordFileError extends Data.TaggedError("RecordFileError")<{
  readonly path: string
  readonly line?: number
  readonly reason: "Unreadable" | "BadJson" | "NotSorted"
  readonly cause?: unknown
}> {
  override get message(): string {
    const where = this.line === undefined ? this.path : `${this.path}:${this.line}`
    const detail = this.cause === undefined ? "" : `: ${String((this.cause as Error)?.message ?? this.cause)}`
    if (this.reason === "NotSorted") return `record file ${where} is not sorted by key`
    return this.reason === "BadJson" ? `invalid JSON record at ${where}${detail}` : `cannot read ${where}${detail}`
  }
}

/** Records without a key sort first, as "". */
export const keyOf = (record: Rec, key: string): string => {
  const value = record[key]
  return value === undefined || value === null ? "" : typeof value === "string" ? value : String(value)
}

export const readFailure = (path: string) => (cause: unknown) =>
  cause instanceof RecordFileError ? cause : new RecordFileError({ path, reason: "Unreadable", cause })

export const parseRecord = (text: string, path: string, line: number): Rec => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    throw new RecordFileError({ path, line, reason: "BadJson", cause })
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RecordFileError({ path, line, reason: "BadJson", cause: new Error("not a JSON object") })
  }
  return value as Rec
}
