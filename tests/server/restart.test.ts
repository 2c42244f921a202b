/**
 * A real `filon serve` process killed with SIGKILL while runs are queued and running: the next
 * start loses none of them. Runs that were running resume from their run folders (on_restart:
 * resume, the default) or are marked failed with the reason (on_restart: fail).
 */
import { afterAll, expect, test } from "bun:test"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import YAML from "yaml"
import { repoRoot, testPlugin } from "../cli/support.ts"
import { makeDataDir, removeDir, slowJob } from "./support.ts"

// biome-ignore lint/suspicious/noExplicitAny: API answers are read field by field, as a client would.
type Json = Record<string, any>

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) removeDir(dir)
})

/** Starts `filon serve` on a free port; resolves once it prints where it listens. */
const serve = async (dataDir: string) => {
  const child = Bun.spawn(["bun", join(repoRoot, "cli", "main.ts"), "serve", "--data-dir", dataDir, "--port", "0"], {
    cwd: dataDir,
    env: { ...process.env, FILON_API_TOKEN: "" },
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe"
  })
  const reader = child.stderr.getReader()
  let banner = ""
  while (!/listening on (http:\/\/\S+)/.test(banner) || !banner.includes("\n  data folder")) {
    const { value, done } = await reader.read()
    if (done) throw new Error(`filon serve stopped: ${banner}`)
    banner += new TextDecoder().decode(value)
  }
  await Bun.sleep(50) // the history line follows the banner in the same write, or right after it
  const more = await Promise.race([reader.read(), Bun.sleep(100).then(() => undefined)])
  if (more && !more.done) banner += new TextDecoder().decode(more.value)
  const url = /listening on (http:\/\/\S+)/.exec(banner)![1]!
  return { child, url, banner }
}

const api = async (url: string, path: string, body?: unknown) => {
  const response = await fetch(`${url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  return (await response.json()) as Json
}

const waitFor = async (check: () => Promise<boolean>, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await Bun.sleep(100)
  }
  throw new Error("timed out")
}

const setUp = (onRestart: "resume" | "fail") => {
  // The source pauses 250 ms per 50 rows, the sink 100 ms per 50 rows: a kill lands mid-run.
  const job = slowJob(250)
  const dir = makeDataDir({ slow: { ...job, config: { ...job.config, "test.export": { delay_ms: 100, chunk: 50 } } } })
  dirs.push(dir)
  writeFileSync(
    join(dir, "config.yaml"),
    YAML.stringify({ plugins: [testPlugin], server: { concurrency: 1, on_restart: onRestart } })
  )
  return dir
}

const killWhileRunning = async (dir: string) => {
  const first = await serve(dir)
  const ids: string[] = []
  for (let index = 0; index < 4; index++) ids.push((await api(first.url, "/runs", { job: "slow" })).run_id)
  // Killed while the first run writes its output (the sink), its earlier steps done and saved, so
  // its run folder holds state to resume from.
  await waitFor(async () => {
    const view = await api(first.url, `/runs/${ids[0]}`)
    return (view.steps as Json[]).some((step) => step.name === "test.export" && step.status === "running")
  })
  first.child.kill("SIGKILL")
  await first.child.exited
  return ids
}

test("SIGKILL with one run running and three queued: after a restart all four finish, the first resumed", async () => {
  const dir = setUp("resume")
  const ids = await killWhileRunning(dir)
  const second = await serve(dir)
  try {
    expect(second.banner).toContain("3 queued, 1 resumed, 0 marked failed")
    await waitFor(async () => {
      const runs = (await api(second.url, "/runs?limit=10")).runs as Json[]
      return runs.length === 4 && runs.every((run) => run.status === "succeeded")
    })
    const views = await Promise.all(ids.map((id) => api(second.url, `/runs/${id}`)))
    expect(views.map((view) => view.status)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded"])
    expect(views.map((view) => view.resumed)).toEqual([true, false, false, false])
    // The resumed run kept the steps it had finished before the kill.
    expect(views[0]!.steps.find((step: Json) => step.name === "test.source").detail).toBe("outputs recorded and intact")
  } finally {
    second.child.kill("SIGTERM")
    await second.child.exited
  }
}, 120_000)

test("on_restart: fail marks the interrupted run failed with the reason and still runs the queued ones", async () => {
  const dir = setUp("fail")
  const ids = await killWhileRunning(dir)
  const second = await serve(dir)
  try {
    expect(second.banner).toContain("3 queued, 0 resumed, 1 marked failed")
    await waitFor(async () => {
      const runs = (await api(second.url, "/runs?limit=10")).runs as Json[]
      return runs.filter((run) => run.status === "succeeded").length === 3
    })
    const first = await api(second.url, `/runs/${ids[0]}`)
    expect(first.status).toBe("failed")
    expect(first.error.message).toContain("on_restart: fail")
  } finally {
    second.child.kill("SIGTERM")
    expect(await second.child.exited).toBe(0)
  }
}, 120_000)
