/**
 * Helpers for the server tests: a data folder holding the test profile and job files, a server
 * started in this process on a free loopback port with the test plugin built in, and requests.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import YAML from "yaml"
import { FilonConfig } from "../../core/Config.ts"
import { type RunningServer, startServer } from "../../server/main.ts"
import { testProfile } from "../cli/support.ts"

export const TOKEN = "test-token-0123456789abcdef"
/** The server's built-in plugins in these tests: the test plugin alone (its workers import it too). */
export const TEST_BUILTINS = join(import.meta.dir, "builtins.ts")

/** A data folder: profiles/test.yaml (the test plugin's steps) and jobs/<name>.yaml files. */
export const makeDataDir = (jobs: Record<string, Record<string, unknown>> = {}) => {
  const dir = mkdtempSync(join(tmpdir(), "filon-server-"))
  mkdirSync(join(dir, "jobs"), { recursive: true })
  mkdirSync(join(dir, "profiles"), { recursive: true })
  copyFileSync(testProfile, join(dir, "profiles", "test.yaml"))
  for (const [name, job] of Object.entries(jobs)) writeFileSync(join(dir, "jobs", `${name}.yaml`), YAML.stringify(job))
  return dir
}

/** A job of the test profile whose source pauses `delayMs` after every 50 rows (300 rows: 6 pauses). */
export const slowJob = (delayMs: number, niche = "srv_test") => ({
  niche,
  // As on the CLI, a profile path in a job file is relative to the job file (jobs/).
  profile: "../profiles/test.yaml",
  config: { "test.source": { delay_ms: delayMs } }
})

export const startTestServer = (
  dir: string,
  server: Record<string, unknown> = {},
  extra: Record<string, unknown> = {}
): Promise<RunningServer> =>
  Effect.runPromise(
    startServer({
      host: "127.0.0.1",
      port: 0,
      dataDir: dir,
      config: { config: Schema.decodeUnknownSync(FilonConfig)({ server, ...extra }), file: null },
      builtinsModule: TEST_BUILTINS
    })
  )

export const call = (
  server: RunningServer,
  path: string,
  init: RequestInit & { readonly token?: string | null; readonly json?: unknown } = {}
) => {
  const headers = new Headers(init.headers)
  if (init.token !== null && init.token !== undefined) headers.set("authorization", `Bearer ${init.token}`)
  if (init.json !== undefined) headers.set("content-type", "application/json")
  return fetch(`${server.url}${path}`, {
    ...init,
    headers,
    ...(init.json !== undefined ? { body: JSON.stringify(init.json), method: init.method ?? "POST" } : {})
  })
}

/** Polls GET /runs/:id until the run has finished (or `timeoutMs` passes). */
export const waitForEnd = async (
  server: RunningServer,
  runId: string,
  token: string | null = null,
  timeoutMs = 30_000
) => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const view = (await (await call(server, `/runs/${runId}`, { token })).json()) as { status: string }
    if (["succeeded", "failed", "cancelled"].includes(view.status)) return view as Record<string, unknown>
    await Bun.sleep(50)
  }
  throw new Error(`run ${runId} did not finish within ${timeoutMs} ms`)
}

export const removeDir = (dir: string) => rmSync(dir, { recursive: true, force: true })
