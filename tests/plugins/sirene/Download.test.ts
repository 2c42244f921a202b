/**
 * `filon download` against a real local server serving seeded random "stock files": resume after a
 * cut, servers that ignore Range or changed the file, 404, 503 + Retry-After, checksums, re-runs.
 */
import { afterAll, afterEach, describe, expect, it } from "bun:test"
import { existsSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { Writable } from "node:stream"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import { type DownloadCommandOptions, downloadCommand } from "../../../cli/commands/download.ts"
import { parseChecksum } from "../../../plugins/sirene/download/Checksum.ts"
import { downloadSettings } from "../../../plugins/sirene/download/DownloadConfig.ts"
import { parseRetryAfter } from "../../../plugins/sirene/download/DownloadError.ts"
import type { Manifest } from "../../../plugins/sirene/download/Manifest.ts"
import { DEFAULT_BASE_URL, notFoundHint, stockFileName } from "../../../plugins/sirene/download/StockFiles.ts"
import { captureIo, spawnCli, tempDirs } from "../../cli/support.ts"

const temp = tempDirs("download")
afterAll(temp.cleanup)

const ETAB = "StockEtablissement_utf8.zip"
const UL = "StockUniteLegale_utf8.zip"

/** Deterministic bytes (xorshift32), so every run serves the same "files". */
const seededBytes = (size: number, seed: number): Uint8Array => {
  const bytes = new Uint8Array(size)
  let state = seed >>> 0 || 1
  for (let index = 0; index < size; index++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    bytes[index] = state & 0xff
  }
  return bytes
}

const sha256 = (data: Uint8Array | string) => new Bun.CryptoHasher("sha256").update(data).digest("hex")

interface Served {
  data: Uint8Array
  etag: string
}

interface Seen {
  readonly method: string
  readonly path: string
  readonly range: string | null
  readonly ifRange: string | null
  /** Size of the client's .part file when the request arrived (range requests only). */
  readonly partSize?: number
  status?: number
}

/** What the fixture server does wrong, and how often. */
interface Switches {
  /** Cut the body of the next `cuts` file responses after this many bytes. */
  cutAfter?: number
  cuts?: number
  /** Stall instead of cutting: send nothing more, and never end. */
  stall?: boolean
  ignoreRange?: boolean
  notFound?: boolean
  /** Answer the next file GET with 503 and this Retry-After. */
  unavailableOnce?: string
  wrongChecksum?: boolean
  noChecksum?: boolean
}

const CHUNK = 64 * 1024

/**
 * A body that breaks (or stalls) after `cutAfter` bytes. The pause lets the client read what was sent before the
 * reset (Bun drops received-but-unread bytes on a reset); `error()` without a reason keeps Bun quiet.
 * Bun.serve sends a stream chunked, so a cut answer announces no length, as a proxy may do.
 */
const cutStream = (data: Uint8Array, cutAfter: number, stall: boolean) => {
  let sent = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent >= cutAfter) {
        await (stall ? new Promise(() => {}) : Bun.sleep(50))
        return controller.error()
      }
      const end = Math.min(sent + CHUNK, data.byteLength, cutAfter)
      controller.enqueue(data.slice(sent, end))
      sent = end
    }
  })
}

/** A server publishing stock files under /stock/, with Range/If-Range, .sha256 files and switches. */
const fixtureServer = (files: Record<string, Uint8Array>) => {
  const served = new Map<string, Served>(
    Object.entries(files).map(([name, data]) => [name, { data, etag: `"${sha256(data).slice(0, 16)}"` }])
  )
  const switches: Switches = {}
  const seen: Seen[] = []
  let partDir: string | undefined
  const answer = (request: Request, record: Seen): Response => {
    const name = decodeURIComponent(new URL(request.url).pathname.replace(/^\/stock\//, ""))
    if (name.endsWith(".sha256")) {
      const file = served.get(name.slice(0, -".sha256".length))
      if (!file || switches.noChecksum || switches.notFound) return new Response("not found", { status: 404 })
      const digest = switches.wrongChecksum ? sha256("something else") : sha256(file.data)
      // Both published formats: "hex  name" for the establishments, a bare digest for the legal units.
      return new Response(name.includes("Etablissement") ? `${digest}  ${name.slice(0, -7)}\n` : `${digest}\n`)
    }
    const file = served.get(name)
    if (!file || switches.notFound) return new Response("not found", { status: 404 })
    if (switches.unavailableOnce !== undefined && request.method === "GET") {
      const retryAfter = switches.unavailableOnce
      switches.unavailableOnce = undefined
      return new Response("busy", { status: 503, headers: { "retry-after": retryAfter } })
    }
    const size = file.data.byteLength
    const headers = { etag: file.etag, "accept-ranges": "bytes", "content-type": "application/zip" }
    if (request.method === "HEAD")
      return new Response(null, { headers: { ...headers, "content-length": String(size) } })
    const start = Number(/^bytes=(\d+)-$/.exec(record.range ?? "")?.[1] ?? Number.NaN)
    const rangeHonoured =
      !switches.ignoreRange && Number.isInteger(start) && (record.ifRange === null || record.ifRange === file.etag)
    if (rangeHonoured && start >= size) {
      return new Response(null, { status: 416, headers: { "content-range": `bytes */${size}` } })
    }
    const from = rangeHonoured ? start : 0
    const cut = switches.cuts !== undefined && switches.cuts > 0 ? switches.cutAfter : undefined
    if (cut !== undefined) switches.cuts = (switches.cuts ?? 1) - 1
    const body = file.data.subarray(from)
    return new Response(cut === undefined ? body : cutStream(body, cut, switches.stall === true), {
      status: rangeHonoured ? 206 : 200,
      headers: { ...headers, ...(rangeHonoured ? { "content-range": `bytes ${from}-${size - 1}/${size}` } : {}) }
    })
  }
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request) {
      const path = new URL(request.url).pathname
      const range = request.headers.get("range")
      const partFile = partDir ? join(partDir, `${path.split("/").at(-1)}.part`) : undefined
      const record: Seen = {
        method: request.method,
        path,
        range,
        ifRange: request.headers.get("if-range"),
        ...(range !== null && partFile && existsSync(partFile) ? { partSize: statSync(partFile).size } : {})
      }
      seen.push(record)
      const response = answer(request, record)
      record.status = response.status
      return response
    }
  })
  return {
    baseUrl: `http://127.0.0.1:${server.port}/stock/`,
    seen,
    switches,
    served,
    /** Where the client keeps its .part files, so range requests can be checked against them. */
    watchParts: (dir: string) => {
      partDir = dir
    },
    fileGets: (name: string) => seen.filter((request) => request.method === "GET" && request.path === `/stock/${name}`),
    stop: () => server.stop(true)
  }
}

type Fixture = ReturnType<typeof fixtureServer>
const servers: Fixture[] = []
afterEach(() => {
  for (const server of servers.splice(0)) server.stop()
})

const ETAB_DATA = seededBytes(3 * 1024 * 1024 + 123, 42)
const UL_DATA = seededBytes(2 * 1024 * 1024 + 7, 7)

const startServer = (files: Record<string, Uint8Array> = { [ETAB]: ETAB_DATA, [UL]: UL_DATA }) => {
  const server = fixtureServer(files)
  servers.push(server)
  return server
}

/** Fast retries: a 1 ms base, so failures cost no test time (Retry-After still counts). */
const FAST: DownloadCommandOptions = { retry: { base: "1 millis", cap: "5 millis", times: 4 }, idleTimeoutMs: 5_000 }

/** Runs `filon download <argv>` in-process, with stdout, stderr and the progress stream captured. */
const runDownload = async (
  argv: ReadonlyArray<string>,
  options: DownloadCommandOptions = FAST,
  env?: Record<string, string>
) => {
  const io = captureIo(temp.make("cwd"))
  const progress: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      progress.push(String(chunk))
      callback()
    }
  })
  const command = downloadCommand({ ...io, progressStream: stream as unknown as NodeJS.WriteStream }, argv, options)
  const provided = env
    ? command.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
    : command
  const code = await Effect.runPromise(provided)
  return { code, stdout: io.stdout.join(""), stderr: io.stderr.join(""), progress: progress.join(""), cwd: io.cwd }
}

const readManifest = (dest: string) => JSON.parse(readFileSync(join(dest, "manifest.json"), "utf8")) as Manifest

describe("filon download", () => {
  it("downloads both stock files, verifies the published checksums and writes the manifest", async () => {
    const server = startServer()
    const dest = temp.make("full")
    const result = await runDownload(["--base-url", server.baseUrl, "--dest", dest], {
      ...FAST,
      now: () => new Date("2026-05-15T10:00:00Z"),
      progressIntervalMs: 0
    })
    expect(result.stderr).toContain(`✓ ${ETAB}`)
    expect(result.code).toBe(0)
    expect(sha256(readFileSync(join(dest, ETAB)))).toBe(sha256(ETAB_DATA))
    expect(sha256(readFileSync(join(dest, UL)))).toBe(sha256(UL_DATA))
    expect(existsSync(join(dest, `${ETAB}.part`))).toBe(false)
    expect(existsSync(join(dest, `${ETAB}.part.json`))).toBe(false)
    const manifest = readManifest(dest)
    expect(manifest.files.map((file) => file.name)).toEqual([ETAB, UL])
    expect(manifest.files[0]).toEqual({
      name: ETAB,
      url: `${server.baseUrl}${ETAB}`,
      bytes: ETAB_DATA.byteLength,
      sha256: sha256(ETAB_DATA),
      checksum_verified: true,
      etag: server.served.get(ETAB)!.etag,
      last_modified: null,
      downloaded_at: "2026-05-15T10:00:00.000Z",
      month: null
    })
    expect(manifest.files[1]).toMatchObject({ name: UL, bytes: UL_DATA.byteLength, checksum_verified: true })
    expect(result.progress).toMatch(/MB \/ [\d.]+ MB \([\d.]+%\), [\d.]+ MB\/s/)
    expect(result.stdout).toContain(sha256(UL_DATA))
  })

  it("resumes after a cut with a Range request starting at the .part size", async () => {
    const server = startServer()
    const dest = temp.make("resume")
    server.watchParts(dest)
    Object.assign(server.switches, { cutAfter: 1_000_000, cuts: 1 })
    const result = await runDownload(["--base-url", server.baseUrl, "--dest", dest, "--files", "etablissement"])
    expect(result.code).toBe(0)
    const [first, second, ...others] = server.fileGets(ETAB)
    expect(others).toEqual([])
    expect(first?.range).toBeNull()
    expect(second?.status).toBe(206)
    expect(second?.partSize).toBeGreaterThan(0)
    expect(second?.range).toBe(`bytes=${second?.partSize}-`)
    expect(second?.ifRange).toBe(server.served.get(ETAB)!.etag)
    expect(result.stderr).toContain("↻")
    expect(result.stderr).toContain("resuming at")
    expect(readManifest(dest).files[0]?.sha256).toBe(sha256(ETAB_DATA))
    expect(sha256(readFileSync(join(dest, ETAB)))).toBe(sha256(ETAB_DATA))
  })

  it("starts over cleanly when the server ignores Range", async () => {
    const server = startServer()
    const dest = temp.make("norange")
    Object.assign(server.switches, { cutAfter: 1_500_000, cuts: 1, ignoreRange: true })
    const result = await runDownload(["--base-url", server.baseUrl, "--dest", dest, "--files", "etablissement"])
    expect(result.code).toBe(0)
    const [, second] = server.fileGets(ETAB)
    expect(second?.range).toMatch(/^bytes=\d+-$/)
    expect(second?.status).toBe(200)
    expect(result.stderr).toContain("starting over")
    expect(statSync(join(dest, ETAB)).size).toBe(ETAB_DATA.byteLength)
    expect(sha256(readFileSync(join(dest, ETAB)))).toBe(sha256(ETAB_DATA))
  })

  it("starts over when the remote file changed since the .part began (If-Range mismatch)", async () => {
    const server = startServer()
    const dest = temp.make("ifrange")
    Object.assign(server.switches, { cutAfter: 1_000_000, cuts: 1 })
    const once: DownloadCommandOptions = { ...FAST, retry: { base: "1 millis", times: 0 } }
    const cut = await runDownload(["--base-url", server.baseUrl, "--dest", dest, "--files", "etablissement"], once)
    expect(cut.code).toBe(1)
    expect(statSync(join(dest, `${ETAB}.part`)).size).toBeGreaterThan(0)
    const oldEtag = server.served.get(ETAB)!.etag
    const newer = seededBytes(ETAB_DATA.byteLength + 1000, 99)
    server.served.set(ETAB, { data: newer, etag: `"${sha256(newer).slice(0, 16)}"` })
    const result = await runDownload(["--base-url", server.baseUrl, "--dest", dest, "--files", "etablissement"])
    expect(result.code).toBe(0)
    const last = server.fileGets(ETAB).at(-1)
    expect(last?.ifRange).toBe(oldEtag)
    expect(last?.status).toBe(200)
    expect(result.stderr).toContain("starting over")
    expect(sha256(readFileSync(join(dest, ETAB)))).toBe(sha256(newer))
    expect(readManifest(dest).files[0]).toMatchObject({ sha256: sha256(newer), checksum_verified: true })
  })

  it("abandons a stalled transfer after the idle timeout and resumes it", async () => {
    const server = startServer()
    const dest = temp.make("stall")
    server.watchParts(dest)
    Object.assign(server.switches, { cutAfter: 1_000_000, cuts: 1, stall: true })
    const result = await runDownload(["--base-url", server.baseUrl, "--dest", dest, "--files", "unite_legale"], {
      ...FAST,
      idleTimeoutMs: 150
    })
    expect(result.code).toBe(0)
    expect(result.stderr).toContain("Timeout: no data for 150 ms")
    const [, second] = server.fileGets(UL)
    expect(second?.status).toBe(206)
    expect(second?.range).toBe(`bytes=${second?.partSize}-`)
    expect(sha256(readFileSync(join(dest, UL)))).toBe(sha256(UL_DATA))
  })

  it("keeps the .part and exits 130 when interrupted", async () => {
    const server = startServer()
    const dest = temp.make("interrupt")
    Object.assign(server.switches, { cutAfter: 1_000_000, cuts: 1, stall: true })
    const io = captureIo(dest)
    const code = await Effect.runPromise(
      downloadCommand(
        { ...io, interrupted: Effect.sleep("200 millis") },
        ["--base-url", server.baseUrl, "--dest", dest, "--files", "unite_legale"],
        FAST
      )
    )
    expect(code).toBe(130)
    expect(io.stderr.join("")).toContain("run the same command again to resume")
    expect(statSync(join(dest, `${UL}.part`)).size).toBeGreaterThan(0)
    expect(existsSync(join(dest, `${UL}.part.json`))).toBe(true)
  })

  it("names the URL and suggests --month values on a 404", async () => {
    const server = startServer()
    server.switches.notFound = true
    const dest = temp.make("404")
    const result = await runDownload(["--base-url", server.baseUrl, "--dest", dest, "--month", "2025-11"], {
      ...FAST,
      now: () => new Date("2026-05-15T10:00:00Z")
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`${server.baseUrl}2025-11-01-${ETAB}`)
    expect(result.stderr).toContain("HTTP 404")
    expect(result.stderr).toContain("published on the 1st of M")
    expect(result.stderr).toContain("--month 2026-05 or --month 2026-04")
    expect(server.fileGets(`2025-11-01-${ETAB}`)).toHaveLength(1)
  })

  it("retries a 503 after its Retry-After", async () => {
    const server = startServer()
    server.switches.unavailableOnce = "0.3"
    const dest = temp.make("503")
    const started = Date.now()
    const result = await runDownload(["--base-url", server.baseUrl, "--dest", dest, "--files", "unite_legale"])
    expect(result.code).toBe(0)
    expect(Date.now() - started).toBeGreaterThanOrEqual(280)
    expect(server.fileGets(UL).map((request) => request.status)).toEqual([503, 200])
    expect(result.stderr).toContain("HTTP 503")
  })

  it("deletes the part and fails, naming the file, when the checksum does not match", async () => {
    const server = startServer()
    server.switches.wrongChecksum = true
    const dest = temp.make("badsum")
    const result = await runDownload([
      "--base-url",
      server.baseUrl,
      "--dest",
      dest,
      "--files",
      "unite_legale",
      "--json"
    ])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`checksum mismatch for ${UL}`)
    expect(JSON.parse(result.stdout)).toMatchObject({ exit_code: 1, error: { tag: "ChecksumMismatch" } })
    expect(existsSync(join(dest, `${UL}.part`))).toBe(false)
    expect(existsSync(join(dest, UL))).toBe(false)
  })

  it("records the computed sha256, unverified, when no checksum is published", async () => {
    const server = startServer()
    server.switches.noChecksum = true
    const dest = temp.make("nosum")
    const result = await runDownload(["--base-url", server.baseUrl, "--dest", dest, "--files", "unite_legale"])
    expect(result.code).toBe(0)
    expect(readManifest(dest).files).toEqual([
      expect.objectContaining({ name: UL, sha256: sha256(UL_DATA), checksum_verified: false })
    ])
  })

  it("skips complete files on a re-run without fetching their bodies", async () => {
    const server = startServer()
    const dest = temp.make("rerun")
    expect((await runDownload(["--base-url", server.baseUrl, "--dest", dest])).code).toBe(0)
    const before = readManifest(dest)
    server.seen.splice(0)
    const again = await runDownload(["--base-url", server.baseUrl, "--dest", dest])
    expect(again.code).toBe(0)
    expect(server.fileGets(ETAB)).toEqual([])
    expect(server.fileGets(UL)).toEqual([])
    expect(again.stderr).toContain("matches the published checksum")
    expect(readManifest(dest)).toEqual(before)
  })

  it("skips by manifest when no checksum is published, and downloads again when the server has a newer file", async () => {
    const server = startServer()
    server.switches.noChecksum = true
    const dest = temp.make("rerun-nosum")
    const argv = ["--base-url", server.baseUrl, "--dest", dest, "--files", "unite_legale"]
    expect((await runDownload(argv)).code).toBe(0)
    server.seen.splice(0)
    const again = await runDownload(argv)
    expect(again.code).toBe(0)
    expect(server.fileGets(UL)).toEqual([])
    expect(again.stderr).toContain("matches manifest.json")
    const newer = seededBytes(UL_DATA.byteLength, 1234)
    server.served.set(UL, { data: newer, etag: `"${sha256(newer).slice(0, 16)}"` })
    const monthLater = await runDownload(argv)
    expect(monthLater.code).toBe(0)
    expect(server.fileGets(UL)).toHaveLength(1)
    expect(readManifest(dest).files[0]?.sha256).toBe(sha256(newer))
  })

  it("fetches the dated names of --month into <FILON_DATA_DIR>/sirene/<month>/ from FILON_SIRENE_BASE_URL", async () => {
    const dated = { [`2025-11-01-${ETAB}`]: ETAB_DATA, [`2025-11-01-${UL}`]: UL_DATA }
    const server = startServer(dated)
    const dataDir = temp.make("data")
    const result = await runDownload(["--month", "2025-11"], FAST, {
      FILON_DATA_DIR: dataDir,
      FILON_SIRENE_BASE_URL: server.baseUrl
    })
    expect(result.code).toBe(0)
    const dest = join(dataDir, "sirene", "2025-11")
    expect(readManifest(dest).files.map((file) => [file.name, file.month])).toEqual([
      [`2025-11-01-${ETAB}`, "2025-11"],
      [`2025-11-01-${UL}`, "2025-11"]
    ])
    expect(existsSync(join(dest, `2025-11-01-${ETAB}`))).toBe(true)
  })

  it("prints only the manifest on stdout with --json", async () => {
    const server = startServer()
    const dest = temp.make("json")
    const result = await runDownload([
      "--base-url",
      server.baseUrl,
      "--dest",
      dest,
      "--json",
      "--files",
      "unite_legale"
    ])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual(readManifest(dest))
    expect(result.stderr).toContain(`✓ ${UL}`)
  })

  it("refuses a bad --month or an unknown --files value with exit code 2", async () => {
    const month = await runDownload(["--month", "2025-13"])
    expect(month.code).toBe(2)
    expect(month.stderr).toContain("--month expects YYYY-MM")
    const files = await runDownload(["--files", "etablisement"])
    expect(files.code).toBe(2)
    expect(files.stderr).toContain("did you mean etablissement?")
  })

  it("shows its options with --help (spawned)", async () => {
    const result = await spawnCli(["download", "--help"])
    expect(result.code).toBe(0)
    for (const option of ["--month", "--dest", "--base-url", "--files", "--json"])
      expect(result.stdout).toContain(option)
  })
})

describe("stock download helpers", () => {
  it("names current and dated stock files", () => {
    expect(stockFileName("unite_legale")).toBe(UL)
    expect(stockFileName("etablissement", "2025-11")).toBe(`2025-11-01-${ETAB}`)
  })

  it("reads sha256 files in both published formats", () => {
    const hex = "a".repeat(64)
    expect(parseChecksum(`${hex}\n`, UL)).toBe(hex)
    expect(parseChecksum(`${"b".repeat(64)}  other.zip\n${hex} *${UL}\n`, UL)).toBe(hex)
    expect(parseChecksum("<html>not found</html>", UL)).toBeUndefined()
  })

  it("reads Retry-After as seconds or as a date", () => {
    expect(parseRetryAfter("2")).toBe(2000)
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", Date.parse("2026-01-01T00:00:00Z"))).toBe(10_000)
    expect(parseRetryAfter(null)).toBeUndefined()
  })

  it("suggests this month and the one before", () => {
    expect(notFoundHint(undefined, new Date("2026-01-03T00:00:00Z"))).toContain("--month 2026-01 or --month 2025-12")
  })

  it("defaults to the data.gouv.fr mirror and ./data, ignoring empty variables", async () => {
    const settings = await Effect.runPromise(
      downloadSettings.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["FILON_SIRENE_BASE_URL", ""]]))))
    )
    expect(settings).toEqual({ baseUrl: DEFAULT_BASE_URL, dataDir: "./data" })
  })
})
