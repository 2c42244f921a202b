/**
 * The fixture web as a child process for bench:crawl: started with `plugins/web/fixture/serve.ts`,
 * its request log read and reset through the proxy (`http://fixture.control/…`), so the counts are
 * the requests that reached the wire, whatever client sent them.
 */
import type { Subprocess } from "bun"

export interface FixtureEntry {
  readonly host: string
  readonly path: string
  readonly method: string
  readonly status: number
  readonly bytes: number
}

export interface TruthSite {
  readonly domain: string
  readonly siret: string
  readonly name: string
  readonly pages: ReadonlyArray<{ readonly kind: string; readonly path: string }>
  readonly robotsDisallow: ReadonlyArray<string>
}

export interface FixtureProcess {
  readonly proxy: string
  readonly pid: number
  readonly truth: ReadonlyArray<TruthSite>
  /** Empties the request log and the 429/503 counters. */
  readonly reset: () => Promise<void>
  readonly log: () => Promise<FixtureEntry[]>
  readonly stop: () => Promise<void>
}

const CONTROL = "http://fixture.control"

/** Reads the first line of a child's stdout (the fixture's `{"port","proxy"}`), leaving the rest unread. */
const firstLine = async (stream: ReadableStream<Uint8Array>): Promise<string> => {
  const reader = stream.getReader()
  const decoder = new TextDecoder()
  let text = ""
  while (!text.includes("\n")) {
    const { value, done } = await reader.read()
    if (done) break
    text += decoder.decode(value, { stream: true })
  }
  reader.releaseLock()
  return text.split("\n")[0] ?? ""
}

export const startFixture = async (options: {
  readonly root: string
  readonly sites: number
  readonly seed: number
  readonly latency: string
  readonly truthFile: string
}): Promise<FixtureProcess> => {
  const child: Subprocess<"ignore", "pipe", "pipe"> = Bun.spawn(
    [
      "bun",
      "plugins/web/fixture/serve.ts",
      "--sites",
      String(options.sites),
      "--seed",
      String(options.seed),
      "--latency",
      options.latency,
      "--truth",
      options.truthFile
    ],
    { cwd: options.root, stdin: "ignore", stdout: "pipe", stderr: "pipe" }
  )
  const line = await firstLine(child.stdout)
  if (line === "") {
    const stderr = await new Response(child.stderr).text()
    throw new Error(`the fixture web did not start:\n${stderr.slice(-2000)}`)
  }
  const { proxy } = JSON.parse(line) as { proxy: string }
  const truth = (await Bun.file(options.truthFile).json()) as TruthSite[]
  const control = async (method: "GET" | "POST", path: string): Promise<unknown> => {
    const response = await fetch(`${CONTROL}${path}`, { method, proxy })
    if (!response.ok) throw new Error(`fixture ${method} ${path}: HTTP ${response.status}`)
    return response.json()
  }
  return {
    proxy,
    pid: child.pid,
    truth,
    reset: async () => {
      await control("POST", "/reset")
    },
    log: async () => (await control("GET", "/log")) as FixtureEntry[],
    stop: async () => {
      child.kill("SIGTERM")
      await child.exited
    }
  }
}
