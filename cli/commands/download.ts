/**
 * `download`: fetches the monthly SIRENE stock files into a folder (resumable, checksummed, with a
 * manifest.json), drawing byte progress on stderr; `--json` prints only the manifest.
 */
import { resolve } from "node:path"
import * as Effect from "effect/Effect"
import type { RetryPolicy } from "../../core/Retry.ts"
import { closestMatch } from "../../core/Suggest.ts"
import { ExitCode } from "../../core/Summary.ts"
import { downloadSettings } from "../../plugins/sirene/download/DownloadConfig.ts"
import type { DownloadEvent } from "../../plugins/sirene/download/DownloadEvent.ts"
import { downloadStock } from "../../plugins/sirene/download/DownloadStock.ts"
import type { Manifest } from "../../plugins/sirene/download/Manifest.ts"
import {
  defaultDestination,
  isMonth,
  isStockKind,
  STOCK_KINDS,
  type StockKind
} from "../../plugins/sirene/download/StockFiles.ts"
import { decodeArgs, type OptionSpecs, UsageError } from "../args.ts"
import type { CliIo } from "../io.ts"
import { reportFailure } from "./run.ts"

export const downloadOptions = {
  month: { kind: "string", value: "YYYY-MM", description: "the stock of that month (default: the current files)" },
  dest: {
    kind: "string",
    value: "DIR",
    description: "folder for the files (default <data dir>/sirene/<month|latest>)"
  },
  "base-url": {
    kind: "string",
    value: "URL",
    description: "where the files are published (default $FILON_SIRENE_BASE_URL, else data.gouv.fr)"
  },
  files: {
    kind: "strings",
    value: "LIST",
    description: `which files, comma-separated (default ${STOCK_KINDS.join(",")})`
  },
  json: { kind: "boolean", description: "print only the manifest (JSON) on stdout" }
} as const satisfies OptionSpecs

/** What tests (or callers) may change beyond the command line. */
export interface DownloadCommandOptions {
  readonly retry?: RetryPolicy
  readonly idleTimeoutMs?: number
  readonly now?: () => Date
  /** Draw progress as a redrawn line. @default the progress stream is a terminal */
  readonly tty?: boolean
  /** Without a terminal, one progress line this often. @default 5_000 */
  readonly progressIntervalMs?: number
}

const usage = (reason: string) => new UsageError({ command: "download", reason: `download: ${reason}` })

const checkMonth = (month: string | undefined) =>
  month === undefined || isMonth(month)
    ? Effect.succeed(month)
    : Effect.fail(usage(`--month expects YYYY-MM (e.g. 2025-11), got "${month}"`))

const checkKinds = (values: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<StockKind>, UsageError> => {
  const names = values
    .flatMap((value) => value.split(","))
    .map((name) => name.trim())
    .filter((name) => name !== "")
  if (names.length === 0) return Effect.succeed(STOCK_KINDS)
  const unknown = names.find((name) => !isStockKind(name))
  if (unknown !== undefined) {
    const suggestion = closestMatch(unknown, STOCK_KINDS)
    const hint = suggestion ? ` (did you mean ${suggestion}?)` : ""
    return Effect.fail(usage(`unknown file "${unknown}" in --files${hint}; known: ${STOCK_KINDS.join(", ")}`))
  }
  return Effect.succeed([...new Set(names)] as ReadonlyArray<StockKind>)
}

const checkBaseUrl = (base: string) => {
  const protocol = URL.canParse(base) ? new URL(base).protocol : ""
  return protocol === "http:" || protocol === "https:"
    ? Effect.succeed(base)
    : Effect.fail(usage(`the base URL must be an http(s) URL, got "${base}"`))
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toLocaleString("en", { maximumFractionDigits: 1 })} MB`

interface Live {
  readonly file: string
  readonly startedAt: number
  readonly offset: number
  bytes: number
  total: number | undefined
}

const describeLive = (live: Live) => {
  const seconds = Math.max((Date.now() - live.startedAt) / 1000, 0.001)
  const speed = (live.bytes - live.offset) / 1e6 / seconds
  const of =
    live.total !== undefined ? ` / ${megabytes(live.total)} (${((100 * live.bytes) / live.total).toFixed(1)}%)` : ""
  return `${live.file}: ${megabytes(live.bytes)}${of}, ${speed.toFixed(1)} MB/s`
}

const describeEvent = (event: DownloadEvent): string | undefined => {
  switch (event.type) {
    case "checksum":
      return event.sha256 === undefined
        ? `  ${event.file}: no checksum published; its sha256 will be recorded`
        : undefined
    case "verify":
      return `  ${event.file}: computing sha256 of ${megabytes(event.bytes)}`
    case "skip":
      return `↷ ${event.file}: ${event.reason}`
    case "start": {
      const size = event.total !== undefined ? ` of ${megabytes(event.total)}` : ""
      if (event.restart !== undefined) return `↓ ${event.file}: starting over${size} (${event.restart})`
      return event.offset > 0
        ? `↓ ${event.file}: resuming at ${megabytes(event.offset)}${size}`
        : `↓ ${event.file}: ${event.url}${event.total !== undefined ? ` (${megabytes(event.total)})` : ""}`
    }
    case "retry":
      return `↻ ${event.file}: ${event.error} (retry ${event.attempt})`
    case "done":
      return `✓ ${event.file}: ${megabytes(event.bytes)}, sha256 ${event.sha256}${event.verified ? " (verified)" : ""}`
    case "warning":
      return `! ${event.file}: ${event.message}`
    default:
      return undefined
  }
}

/** Event lines on stderr, plus the byte count of the running transfer: redrawn on a terminal, else every few seconds. */
const makeProgress = (io: CliIo, options: DownloadCommandOptions) => {
  const stream = io.progressStream
  const tty = options.tty ?? stream?.isTTY === true
  const interval = tty ? 200 : (options.progressIntervalMs ?? 5_000)
  let live: Live | undefined
  let drawnAt = 0
  let shown = false
  const clear = () => {
    if (shown) stream?.write("\r\x1b[2K")
    shown = false
  }
  const draw = () => {
    if (live === undefined || stream === undefined || Date.now() - drawnAt < interval) return
    drawnAt = Date.now()
    if (tty) {
      stream.write(`\r\x1b[2K  … ${describeLive(live)}`)
      shown = true
    } else stream.write(`  … ${describeLive(live)}\n`)
  }
  const onEvent = (event: DownloadEvent) => {
    if (event.type === "start") {
      live = { file: event.file, startedAt: Date.now(), offset: event.offset, bytes: event.offset, total: event.total }
      // The first figures come one interval in, when the speed means something.
      drawnAt = live.startedAt
    }
    if (event.type === "progress" && live !== undefined) {
      live.bytes = event.bytes
      live.total = event.total
      return draw()
    }
    const line = describeEvent(event)
    if (line === undefined) return
    clear()
    io.err(line)
  }
  return { onEvent, stop: Effect.sync(clear) }
}

const renderManifest = (dest: string, manifest: Manifest) =>
  [
    `${dest}:`,
    ...manifest.files.map(
      (file) =>
        `  ${file.name}  ${megabytes(file.bytes)}  sha256 ${file.sha256}${file.checksum_verified ? " (verified)" : ""}`
    )
  ].join("\n")

/** `filon download`: 0 when every file asked for is complete, 1 when one failed, 2 bad usage, 130 interrupted. */
export const downloadCommand = (io: CliIo, argv: ReadonlyArray<string>, options: DownloadCommandOptions = {}) =>
  Effect.gen(function* () {
    const args = yield* decodeArgs("download", argv, downloadOptions)
    if (args.positionals.length > 0) return yield* usage(`unexpected argument ${args.positionals[0]}`)
    const month = yield* checkMonth(args.month)
    const kinds = yield* checkKinds(args.files)
    const settings = yield* Effect.orDie(downloadSettings)
    const baseUrl = yield* checkBaseUrl(args["base-url"] ?? settings.baseUrl)
    const dest = resolve(io.cwd, args.dest ?? defaultDestination(settings.dataDir, month))
    const progress = makeProgress(io, options)
    const download = downloadStock({
      baseUrl,
      dest,
      kinds,
      onEvent: progress.onEvent,
      ...(month !== undefined ? { month } : {}),
      ...(options.retry !== undefined ? { retry: options.retry } : {}),
      ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
      ...(options.now !== undefined ? { now: options.now } : {})
    }).pipe(
      Effect.ensuring(progress.stop),
      Effect.map((manifest) => {
        io.out(args.json ? JSON.stringify(manifest, null, 2) : renderManifest(dest, manifest))
        return ExitCode.ok as number
      })
    )
    const interrupted = io.interrupted.pipe(
      Effect.zipRight(progress.stop),
      Effect.map(() => {
        io.err("interrupted: the partial download is kept; run the same command again to resume")
        return ExitCode.interrupted as number
      })
    )
    return yield* Effect.raceFirst(download, interrupted)
  }).pipe(Effect.catchAll(reportFailure(io, argv.includes("--json"))))
