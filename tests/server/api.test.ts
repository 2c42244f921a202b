/**
 * The HTTP API on a real Bun server over loopback: auth, request validation, data-folder
 * confinement, artifacts, idempotency, the bounded queue, cancel, and listing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { createHash } from "node:crypto"
import { readFileSync, symlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { FilonConfig } from "../../core/Config.ts"
import type { RunningServer } from "../../server/main.ts"
import { startServer } from "../../server/main.ts"
import testPlugin from "../support/plugin/index.ts"
import { call, makeDataDir, removeDir, slowJob, startTestServer, TEST_BUILTINS, TOKEN, waitForEnd } from "./support.ts"

// biome-ignore lint/suspicious/noExplicitAny: API answers are read field by field, as a client would.
type Json = Record<string, any>

describe("server with a token", () => {
  let dir: string
  let server: RunningServer
  beforeAll(async () => {
    dir = makeDataDir({ quick: slowJob(0), slow: slowJob(100) })
    writeFileSync(join(dir, "outside.csv"), "siret\n")
    symlinkSync("/etc", join(dir, "etc-link"))
    server = await startTestServer(dir, { tokens: [TOKEN], concurrency: 1, queue_size: 1 })
  })
  afterAll(async () => {
    await server.stop()
    removeDir(dir)
  })

  test("every route but health needs the bearer token; a wrong token is refused the same way", async () => {
    for (const path of ["/runs", "/profiles", "/plugins", "/runs/x"]) {
      const missing = await call(server, path)
      expect(missing.status).toBe(401)
      expect(missing.headers.get("www-authenticate")).toContain("Bearer")
      expect((await call(server, path, { token: "wrong-token-0123456789" })).status).toBe(401)
    }
    expect((await call(server, "/runs", { json: { job: "quick" } })).status).toBe(401)
    expect((await call(server, "/healthz")).status).toBe(200)
    expect((await call(server, "/readyz")).status).toBe(200)
    // /metrics is open unless server.metrics_auth says otherwise (tested below).
    expect((await call(server, "/metrics")).status).toBe(200)
    expect((await call(server, "/runs", { token: TOKEN })).status).toBe(200)
  })

  test("malformed bodies are 400 with each failing field named", async () => {
    const notJson = await call(server, "/runs", {
      token: TOKEN,
      method: "POST",
      body: "{nope",
      headers: { "content-type": "application/json" }
    })
    expect(notJson.status).toBe(400)
    expect(((await notJson.json()) as Json).error.problems[0].field).toBe("(body)")

    const cases: Array<[unknown, string]> = [
      [{}, "job"],
      [{ job: "quick", surprise: 1 }, "surprise"],
      [{ job: "quick", input: "one-path" }, "input"],
      [{ job: "quick", options: { workers: 0 } }, "options.workers"],
      [{ job: "quick", options: { set: ["no-equals"] } }, "options.set.0"],
      [{ job: { niche: "x", filters: { naf_include: 3 } }, profile: "quick" }, "job.filters.naf_include"],
      [{ job: { niche: "x", plugins: ["./evil.ts"] }, profile: "quick" }, "job.plugins"],
      [{ job: "no-such-job" }, "job"],
      [{ job: "../quick" }, "job"],
      [{ job: { niche: "x" }, profile: "nope" }, "profile"],
      [{ job: "quick", options: { set: ["test.source.rows=lots"] } }, "options"]
    ]
    for (const [body, field] of cases) {
      const response = await call(server, "/runs", { token: TOKEN, json: body })
      const answer = (await response.json()) as Json
      expect({ body, status: response.status }).toEqual({ body, status: 400 })
      expect(answer.error.problems.map((problem: Json) => problem.field)).toContain(field)
    }
    const big = await call(server, "/runs", { token: TOKEN, json: { job: "quick", pad: "x".repeat(300 * 1024) } })
    expect(big.status).toBe(413)
  })

  test("input, profile and suppression-list paths outside the data folder are refused", async () => {
    const refused: Array<[Json, string, string]> = [
      [{ job: "quick", input: ["../outside.csv"] }, "input.0", "inside the data folder"],
      [{ job: "quick", input: ["/etc/passwd"] }, "input.0", "relative to the data folder"],
      [{ job: "quick", input: ["etc-link/passwd"] }, "input.0", "symlink"],
      [{ job: "quick", input: ["missing.csv"] }, "input.0", "no such file"],
      [{ job: "quick", profile: "../../profiles/quick.yaml" }, "profile", "inside the data folder"],
      [{ job: { niche: "x", suppression_list: "/etc/hosts" }, profile: "quick" }, "job.suppression_list", "relative"]
    ]
    for (const [body, field, reason] of refused) {
      const response = await call(server, "/runs", { token: TOKEN, json: body })
      expect(response.status).toBe(400)
      const problem = ((await response.json()) as Json).error.problems[0]
      expect(problem.field).toBe(field)
      expect(problem.message).toContain(reason)
    }
    const inside = await call(server, "/runs", { token: TOKEN, json: { job: "quick", input: ["outside.csv"] } })
    expect(inside.status).toBe(202)
    await waitForEnd(server, ((await inside.json()) as Json).run_id, TOKEN)
  })

  test("a run's declared outputs download with their sha256; anything else is refused", async () => {
    const accepted = await call(server, "/runs", { token: TOKEN, json: { job: "quick" } })
    expect(accepted.status).toBe(202)
    const { run_id } = (await accepted.json()) as Json
    expect(accepted.headers.get("location")).toBe(`/runs/${run_id}`)
    const view = await waitForEnd(server, run_id, TOKEN)
    expect(view.status).toBe("succeeded")
    const output = (view.outputs as Json[]).find((candidate) => candidate.path === "export/data.csv")!
    const download = await call(server, `/runs/${run_id}/artifacts/export/data.csv`, { token: TOKEN })
    expect(download.status).toBe(200)
    const bytes = new Uint8Array(await download.arrayBuffer())
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(output.sha256)
    expect(download.headers.get("x-checksum-sha256")).toBe(output.sha256)
    expect(new TextDecoder().decode(bytes)).toBe(readFileSync(join(view.out_dir as string, "export/data.csv"), "utf8"))

    // The run happened in a worker thread; its series reach the server's /metrics.
    const scraped = await (await call(server, "/metrics")).text()
    expect(scraped).toMatch(/pipeline_runs_total\{[^}]*status="succeeded"[^}]*\} [1-9]/)
    expect(scraped).toMatch(/pipeline_step_duration_seconds_count\{[^}]*step="test.export"[^}]*\} [1-9]/)

    for (const path of ["..%2F..%2F..%2Fetc%2Fpasswd", "export%2F..%2F..%2Fjobs%2Fquick.yaml", "%2Fetc%2Fpasswd"]) {
      const traversal = await call(server, `/runs/${run_id}/artifacts/${path}`, { token: TOKEN })
      expect({ path, status: traversal.status }).toEqual({ path, status: 400 })
    }
    // Files of the run folder that are not declared outputs (state, logs) are not served.
    for (const path of ["state/run.json", `logs/${run_id}.jsonl`, "export/missing.csv"]) {
      expect((await call(server, `/runs/${run_id}/artifacts/${path}`, { token: TOKEN })).status).toBe(404)
    }
    expect((await call(server, "/runs/nope/artifacts/export/data.csv", { token: TOKEN })).status).toBe(404)
  })

  test("a repeated Idempotency-Key answers the first run; the same key with another body is 422", async () => {
    const headers = { "idempotency-key": "nightly-2026-11-21" }
    const first = await call(server, "/runs", { token: TOKEN, json: { job: "quick" }, headers })
    expect(first.status).toBe(202)
    const { run_id } = (await first.json()) as Json
    const again = await call(server, "/runs", { token: TOKEN, json: { job: "quick" }, headers })
    expect(again.status).toBe(200)
    expect(((await again.json()) as Json).run_id).toBe(run_id)
    const other = await call(server, "/runs", { token: TOKEN, json: { job: "slow" }, headers })
    expect(other.status).toBe(422)
    await waitForEnd(server, run_id, TOKEN)
    const listed = ((await (await call(server, "/runs?limit=500", { token: TOKEN })).json()) as Json).runs as Json[]
    expect(listed.filter((run) => run.run_id === run_id)).toHaveLength(1)
  })

  test("a full queue answers 429 with Retry-After; cancel stops queued and running runs", async () => {
    // One runs, one waits (concurrency 1, queue_size 1): the third is refused, never lost.
    const running = (await (await call(server, "/runs", { token: TOKEN, json: { job: "slow" } })).json()) as Json
    const waiting = (await (await call(server, "/runs", { token: TOKEN, json: { job: "slow" } })).json()) as Json
    const refused = await call(server, "/runs", { token: TOKEN, json: { job: "slow" } })
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1)
    expect(await (await call(server, "/metrics")).text()).toContain("filon_server_queue_depth 1")

    const cancelQueued = await call(server, `/runs/${waiting.run_id}/cancel`, { token: TOKEN, method: "POST" })
    expect(cancelQueued.status).toBe(202)
    expect(((await cancelQueued.json()) as Json).status).toBe("cancelled")
    const cancelRunning = await call(server, `/runs/${running.run_id}/cancel`, { token: TOKEN, method: "POST" })
    expect(cancelRunning.status).toBe(202)
    const ended = await waitForEnd(server, running.run_id, TOKEN)
    expect(ended.status).toBe("cancelled")
    expect(ended.exit_code).toBe(130)
    const again = await call(server, `/runs/${running.run_id}/cancel`, { token: TOKEN, method: "POST" })
    expect(again.status).toBe(409)
    expect(((await (await call(server, `/runs/${waiting.run_id}`, { token: TOKEN })).json()) as Json).status).toBe(
      "cancelled"
    )
  })

  test("GET /runs filters by status, niche and date and pages with a cursor", async () => {
    const all = ((await (await call(server, "/runs?limit=500", { token: TOKEN })).json()) as Json).runs as Json[]
    expect(all.length).toBeGreaterThanOrEqual(5)
    const cancelled = (await (await call(server, "/runs?status=cancelled", { token: TOKEN })).json()) as Json
    expect(cancelled.runs.length).toBe(all.filter((run) => run.status === "cancelled").length)
    expect(cancelled.runs.every((run: Json) => run.status === "cancelled")).toBe(true)
    const none = (await (await call(server, "/runs?niche=other", { token: TOKEN })).json()) as Json
    expect(none.runs).toEqual([])
    const future = (await (await call(server, "/runs?since=2999-01-01", { token: TOKEN })).json()) as Json
    expect(future.runs).toEqual([])
    const today = all[0]!.created_at.slice(0, 10)
    const byDay = (await (await call(server, `/runs?until=${today}&limit=500`, { token: TOKEN })).json()) as Json
    expect(byDay.runs.length).toBe(all.length)

    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page = (await (
        await call(server, `/runs?limit=2${cursor ? `&after=${cursor}` : ""}`, { token: TOKEN })
      ).json()) as Json
      expect(page.runs.length).toBeLessThanOrEqual(2)
      seen.push(...page.runs.map((run: Json) => run.run_id))
      cursor = page.next
    } while (cursor)
    expect(seen).toEqual(all.map((run) => run.run_id))
    const bad = await call(server, "/runs?limit=0&status=done", { token: TOKEN })
    expect(bad.status).toBe(400)
    const fields = ((await bad.json()) as Json).error.problems.map((problem: Json) => problem.field)
    expect(fields).toEqual(["status", "limit"])
  })

  test("/profiles and /plugins describe what the server runs", async () => {
    const profiles = ((await (await call(server, "/profiles", { token: TOKEN })).json()) as Json).profiles as Json[]
    expect(profiles.map((profile) => profile.id)).toContain("quick")
    const plugins = ((await (await call(server, "/plugins", { token: TOKEN })).json()) as Json).plugins as Json[]
    expect(plugins.find((plugin) => plugin.id === testPlugin.id)?.version).toBe(testPlugin.version)
  })
})

describe("server settings", () => {
  test("without a token the server refuses to listen beyond loopback", async () => {
    const dir = makeDataDir()
    const saved = process.env.FILON_API_TOKEN
    delete process.env.FILON_API_TOKEN
    try {
      const started = startServer({
        host: "0.0.0.0",
        port: 0,
        dataDir: dir,
        config: { config: Schema.decodeUnknownSync(FilonConfig)({}), file: null },
        builtinsModule: TEST_BUILTINS
      })
      const error = await Effect.runPromise(Effect.flip(started))
      expect(error.message).toContain("without an API token")
    } finally {
      if (saved !== undefined) process.env.FILON_API_TOKEN = saved
      removeDir(dir)
    }
  })

  test("FILON_API_TOKEN is accepted as a token, alongside the config's", async () => {
    const dir = makeDataDir()
    const saved = process.env.FILON_API_TOKEN
    process.env.FILON_API_TOKEN = "env-token-0123456789abcdef"
    try {
      const server = await startTestServer(dir, { tokens: [TOKEN] })
      try {
        expect(server.auth).toBe(true)
        expect((await call(server, "/runs")).status).toBe(401)
        expect((await call(server, "/runs", { token: "env-token-0123456789abcdef" })).status).toBe(200)
        expect((await call(server, "/runs", { token: TOKEN })).status).toBe(200)
      } finally {
        await server.stop()
      }
    } finally {
      if (saved === undefined) delete process.env.FILON_API_TOKEN
      else process.env.FILON_API_TOKEN = saved
      removeDir(dir)
    }
  })

  test("metrics_auth puts /metrics behind the token; without tokens on loopback nothing needs one", async () => {
    const dir = makeDataDir({ quick: slowJob(0) })
    const guarded = await startTestServer(dir, { tokens: [TOKEN], metrics_auth: true })
    try {
      expect((await call(guarded, "/metrics")).status).toBe(401)
      const scraped = await call(guarded, "/metrics", { token: TOKEN })
      expect(scraped.status).toBe(200)
      expect(scraped.headers.get("content-type")).toContain("text/plain")
    } finally {
      await guarded.stop()
    }
    const open = await startTestServer(dir)
    try {
      expect(open.auth).toBe(false)
      const accepted = await call(open, "/runs", { json: { job: "quick" } })
      expect(accepted.status).toBe(202)
      expect((await waitForEnd(open, ((await accepted.json()) as Json).run_id)).status).toBe("succeeded")
    } finally {
      await open.stop()
      removeDir(dir)
    }
  })
})
