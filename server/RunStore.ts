/**
 * The server's run history in SQLite (bun:sqlite, WAL): runs (request, status, summary), their
 * step lines and their events. A run is written here before its 202 is sent, so an accepted run
 * survives a crash or restart; the row is the queue's truth, not the memory.
 */
import { Database, type Statement } from "bun:sqlite"
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import type { RunEvent } from "../core/EventLog.ts"
import type { RunSummary } from "../core/Summary.ts"

export type ServerRunStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled"

export const FINISHED: ReadonlySet<ServerRunStatus> = new Set(["succeeded", "failed", "cancelled"])

/** What the server needs to start (or restart) a run: the request as accepted, paths resolved. */
export interface StoredRequest {
  readonly job: unknown
  readonly job_file: string | null
  readonly profile: string
  readonly inputs: ReadonlyArray<string>
  readonly out_dir: string
  readonly options: {
    readonly sample?: number | undefined
    readonly resume?: boolean | undefined
    readonly workers?: number | undefined
    readonly set?: ReadonlyArray<string> | undefined
    readonly budgets?: Readonly<Record<string, number>> | undefined
  }
}

export interface StoredRun {
  readonly run_id: string
  readonly status: ServerRunStatus
  readonly niche: string
  readonly profile: string
  readonly created_at: string
  readonly started_at: string | null
  readonly ended_at: string | null
  readonly exit_code: number | null
  readonly idempotency_key: string | null
  readonly request_digest: string
  readonly request: StoredRequest
  readonly summary: RunSummary | null
  /** Why a run failed without a summary (refused at start, server restarted). */
  readonly error: string | null
}

export interface StoredStep {
  readonly name: string
  readonly status: string
  readonly rows_in: number | null
  readonly rows_out: number | null
  readonly duration_s: number | null
  readonly detail: string | null
}

export interface RunFilter {
  readonly status?: ServerRunStatus | undefined
  readonly niche?: string | undefined
  /** ISO dates (or date-times) on created_at, inclusive. */
  readonly since?: string | undefined
  readonly until?: string | undefined
  readonly limit: number
  /** The last run_id of the previous page (runs are listed newest first). */
  readonly after?: string | undefined
}

interface RunRow {
  run_id: string
  status: ServerRunStatus
  niche: string
  profile: string
  created_at: string
  started_at: string | null
  ended_at: string | null
  exit_code: number | null
  idempotency_key: string | null
  request_digest: string
  request: string
  summary: string | null
  error: string | null
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    niche TEXT NOT NULL,
    profile TEXT NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    ended_at TEXT,
    exit_code INTEGER,
    idempotency_key TEXT UNIQUE,
    request_digest TEXT NOT NULL,
    request TEXT NOT NULL,
    summary TEXT,
    error TEXT
  );
  CREATE INDEX IF NOT EXISTS runs_status ON runs (status, seq);
  CREATE TABLE IF NOT EXISTS steps (
    run_id TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    rows_in INTEGER,
    rows_out INTEGER,
    duration_s REAL,
    detail TEXT,
    PRIMARY KEY (run_id, name)
  );
  CREATE TABLE IF NOT EXISTS events (
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    event TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
  );
`

const fromRow = (row: RunRow): StoredRun => ({
  ...row,
  request: JSON.parse(row.request) as StoredRequest,
  summary: row.summary === null ? null : (JSON.parse(row.summary) as RunSummary)
})

export class IdempotencyConflict extends Error {
  constructor(readonly existing: StoredRun) {
    super(`Idempotency-Key already used by run ${existing.run_id} for a different request`)
  }
}

export class RunStore {
  readonly #db: Database
  readonly #insertRun: Statement
  readonly #byId: Statement<RunRow, [string]>
  readonly #byKey: Statement<RunRow, [string]>
  readonly #insertEvent: Statement
  readonly #upsertStep: Statement

  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true })
    this.#db = new Database(file, { create: true })
    // WAL: readers (GET /runs, SSE replays) never wait for the writer; NORMAL is durable across process crashes.
    this.#db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;")
    this.#db.exec(SCHEMA)
    this.#insertRun = this.#db.prepare(
      `INSERT INTO runs (run_id, status, niche, profile, created_at, idempotency_key, request_digest, request)
       VALUES (?, 'queued', ?, ?, ?, ?, ?, ?)`
    )
    this.#byId = this.#db.prepare("SELECT * FROM runs WHERE run_id = ?")
    this.#byKey = this.#db.prepare("SELECT * FROM runs WHERE idempotency_key = ?")
    this.#insertEvent = this.#db.prepare("INSERT OR IGNORE INTO events (run_id, seq, event) VALUES (?, ?, ?)")
    this.#upsertStep = this.#db.prepare(
      `INSERT INTO steps (run_id, name, status, rows_in, rows_out, duration_s, detail) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, name) DO UPDATE SET status = excluded.status, rows_in = excluded.rows_in,
         rows_out = excluded.rows_out, duration_s = excluded.duration_s, detail = excluded.detail`
    )
  }

  /**
   * Records an accepted run; with an Idempotency-Key already seen, returns that run instead (or
   * fails with IdempotencyConflict when the key came with a different request).
   */
  accept(run: {
    readonly run_id: string
    readonly niche: string
    readonly profile: string
    readonly idempotency_key: string | null
    readonly request_digest: string
    readonly request: StoredRequest
  }): { readonly run: StoredRun; readonly replayed: boolean } {
    return this.#db.transaction(() => {
      if (run.idempotency_key !== null) {
        const seen = this.#byKey.get(run.idempotency_key)
        if (seen) {
          const existing = fromRow(seen)
          if (existing.request_digest !== run.request_digest) throw new IdempotencyConflict(existing)
          return { run: existing, replayed: true }
        }
      }
      this.#insertRun.run(
        run.run_id,
        run.niche,
        run.profile,
        new Date().toISOString(),
        run.idempotency_key,
        run.request_digest,
        JSON.stringify(run.request)
      )
      return { run: fromRow(this.#byId.get(run.run_id)!), replayed: false }
    })()
  }

  get(runId: string): StoredRun | undefined {
    const row = this.#byId.get(runId)
    return row ? fromRow(row) : undefined
  }

  byIdempotencyKey(key: string): StoredRun | undefined {
    const row = this.#byKey.get(key)
    return row ? fromRow(row) : undefined
  }

  /** Runs in a status, oldest first (the queue's order). */
  withStatus(status: ServerRunStatus): ReadonlyArray<StoredRun> {
    return this.#db.query<RunRow, [string]>("SELECT * FROM runs WHERE status = ? ORDER BY seq").all(status).map(fromRow)
  }

  /** Newest first, filtered, one page; `next` is the cursor of the following page. */
  list(filter: RunFilter): { readonly runs: ReadonlyArray<StoredRun>; readonly next: string | null } {
    const where: string[] = []
    const params: Array<string | number> = []
    if (filter.status) {
      where.push("status = ?")
      params.push(filter.status)
    }
    if (filter.niche) {
      where.push("niche = ?")
      params.push(filter.niche)
    }
    if (filter.since) {
      where.push("created_at >= ?")
      params.push(filter.since)
    }
    if (filter.until) {
      // A bare date covers its whole day.
      where.push("created_at <= ?")
      params.push(filter.until.length === 10 ? `${filter.until}T23:59:59.999Z` : filter.until)
    }
    if (filter.after) {
      where.push("seq < (SELECT seq FROM runs WHERE run_id = ?)")
      params.push(filter.after)
    }
    const sql = `SELECT * FROM runs ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq DESC LIMIT ?`
    const rows = this.#db.query<RunRow, Array<string | number>>(sql).all(...params, filter.limit + 1)
    const page = rows.slice(0, filter.limit).map(fromRow)
    return { runs: page, next: rows.length > filter.limit ? (page.at(-1)?.run_id ?? null) : null }
  }

  markRunning(runId: string): void {
    this.#db
      .query("UPDATE runs SET status = 'running', started_at = coalesce(started_at, ?) WHERE run_id = ?")
      .run(new Date().toISOString(), runId)
  }

  /** Back to the queue (a restart resuming a run that was running). */
  requeue(runId: string): void {
    this.#db.query("UPDATE runs SET status = 'queued' WHERE run_id = ?").run(runId)
  }

  finish(runId: string, summary: RunSummary): void {
    this.#db
      .query("UPDATE runs SET status = ?, ended_at = ?, exit_code = ?, summary = ?, error = ? WHERE run_id = ?")
      .run(
        summary.status,
        summary.ended_at,
        summary.exit_code,
        JSON.stringify(summary),
        summary.error?.message ?? null,
        runId
      )
    this.#db.transaction(() => {
      for (const step of summary.steps) {
        this.#upsertStep.run(runId, step.name, step.status, step.rows_in, step.rows_out, step.duration_s, step.detail)
      }
    })()
  }

  /** A run that ended without a summary: refused at start, cancelled while queued, lost to a restart. */
  fail(runId: string, status: "failed" | "cancelled", error: string, exitCode: number): void {
    this.#db
      .query("UPDATE runs SET status = ?, ended_at = ?, exit_code = ?, error = ? WHERE run_id = ?")
      .run(status, new Date().toISOString(), exitCode, error, runId)
  }

  /** Keeps a run event (once per sequence id) and the step line it changes. */
  recordEvent(event: RunEvent): void {
    this.#insertEvent.run(event.run_id, event.seq, JSON.stringify(event))
    if (!event.step) return
    const status = STEP_STATUS_OF[event.type]
    if (!status) return
    this.#upsertStep.run(
      event.run_id,
      event.step,
      status,
      numberOr(event.rows_in),
      numberOr(event.rows_out),
      numberOr(event.duration_ms) === null ? null : Number(event.duration_ms) / 1000,
      typeof event.error === "string" ? event.error : typeof event.reason === "string" ? event.reason : null
    )
  }

  /** Events after a sequence id, in order (an SSE replay). */
  eventsAfter(runId: string, seq: number): ReadonlyArray<RunEvent> {
    return this.#db
      .query<{ event: string }, [string, number]>("SELECT event FROM events WHERE run_id = ? AND seq > ? ORDER BY seq")
      .all(runId, seq)
      .map((row) => JSON.parse(row.event) as RunEvent)
  }

  steps(runId: string): ReadonlyArray<StoredStep> {
    return this.#db
      .query<StoredStep, [string]>(
        "SELECT name, status, rows_in, rows_out, duration_s, detail FROM steps WHERE run_id = ? ORDER BY rowid"
      )
      .all(runId)
  }

  close(): void {
    this.#db.close()
  }
}

const STEP_STATUS_OF: Partial<Record<RunEvent["type"], string>> = {
  "step.start": "running",
  "step.end": "done",
  "step.skip": "skipped",
  "step.fail": "failed"
}

const numberOr = (value: unknown): number | null => (typeof value === "number" ? value : null)
