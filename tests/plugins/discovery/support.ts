/**
 * Local stand-ins for discovery tests: a Brave Search API stub, an authoritative DNS server, and an
 * "alias" proxy in front of the fixture web that serves fixture sites under domains the name
 * heuristics can find (and parked pages under others).
 */
import { createSocket } from "node:dgram"

export interface BraveHit {
  readonly url: string
  readonly title: string
  readonly description: string
}

export interface BraveStub {
  readonly baseUrl: string
  readonly requests: Array<{ readonly q: string; readonly token: string | null; readonly url: string }>
  readonly stop: () => Promise<void>
}

/** Speaks Brave's JSON: `web.results[]`; 401 for another token; 429 + Retry-After for the first query with "rate". */
export const startBraveStub = (key: string, answer: (q: string) => ReadonlyArray<BraveHit>): BraveStub => {
  const requests: BraveStub["requests"] = []
  let limited = 0
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request) => {
      const url = new URL(request.url)
      const q = url.searchParams.get("q") ?? ""
      const token = request.headers.get("x-subscription-token")
      requests.push({ q, token, url: request.url })
      if (url.pathname !== "/res/v1/web/search") return new Response("not found", { status: 404 })
      if (token !== key) {
        return Response.json(
          {
            type: "ErrorResponse",
            error: {
              code: "SUBSCRIPTION_TOKEN_INVALID",
              detail: "The provided subscription token is invalid.",
              status: 401
            }
          },
          { status: 401 }
        )
      }
      if (q.includes("rate") && limited++ === 0) {
        return Response.json(
          {
            type: "ErrorResponse",
            error: { code: "RATE_LIMITED", detail: "Request rate limit exceeded", status: 429 }
          },
          { status: 429, headers: { "retry-after": "1" } }
        )
      }
      const results = answer(q).map((hit) => ({ ...hit, type: "search_result", language: "fr" }))
      return Response.json({ type: "search", query: { original: q }, web: { type: "search", results } })
    }
  })
  return { baseUrl: `http://127.0.0.1:${server.port}`, requests, stop: () => server.stop(true) }
}

const u16 = (value: number): Buffer => Buffer.from([value >> 8, value & 0xff])
const encodeName = (name: string): Buffer =>
  Buffer.concat([
    ...name
      .split(".")
      .filter((label) => label !== "")
      .map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, "ascii")])),
    Buffer.from([0])
  ])

export interface DnsServer {
  readonly address: string
  readonly queries: string[]
  readonly stop: () => void
}

/** Answers A (127.0.0.1) and MX for the names `known` says exist; NXDOMAIN for the rest (RFC 1035 §4). */
export const startDnsServer = async (
  known: (name: string) => { readonly mx: boolean } | undefined
): Promise<DnsServer> => {
  const socket = createSocket("udp4")
  const queries: string[] = []
  socket.on("message", (query, peer) => {
    let end = 12
    const labels: string[] = []
    while (query[end] !== 0) {
      labels.push(query.subarray(end + 1, end + 1 + query[end]!).toString("ascii"))
      end += query[end]! + 1
    }
    const type = query.readUInt16BE(end + 1)
    const name = labels.join(".").toLowerCase()
    queries.push(name)
    const zone = known(name)
    const answers: Buffer[] = []
    const record = (rtype: number, rdata: Buffer) =>
      Buffer.concat([Buffer.from([0xc0, 12]), u16(rtype), u16(1), Buffer.from([0, 0, 0, 60]), u16(rdata.length), rdata])
    if (zone !== undefined && type === 1) answers.push(record(1, Buffer.from([127, 0, 0, 1])))
    if (zone?.mx && type === 15) answers.push(record(15, Buffer.concat([u16(10), encodeName(`mx.${name}`)])))
    const flags = 0x8400 | (query.readUInt16BE(2) & 0x0100) | 0x0080 | (zone === undefined ? 3 : 0)
    const header = Buffer.concat([query.subarray(0, 2), u16(flags), u16(1), u16(answers.length), u16(0), u16(0)])
    socket.send(Buffer.concat([header, query.subarray(12, end + 5), ...answers]), peer.port, peer.address)
  })
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve))
  return { address: `127.0.0.1:${socket.address().port}`, queries, stop: () => socket.close() }
}

export const PARKED_HTML = `<!doctype html><html><head><title>Ce domaine est à vendre</title></head>
<body><h1>Ce nom de domaine est à vendre !</h1><p>Faites une offre sur Sedo.</p></body></html>`

export interface AliasProxy {
  readonly proxyUrl: string
  readonly stop: () => Promise<void>
}

/**
 * An HTTP proxy: hosts in `aliases` are served by the fixture site they name (or a parked page for
 * "parked"); every other request goes on to the fixture web unchanged.
 */
export const startAliasProxy = (fixtureProxy: string, aliases: ReadonlyMap<string, string>): AliasProxy => {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: async (request) => {
      const url = new URL(request.url)
      const target = aliases.get(url.hostname.toLowerCase())
      if (target === "parked") {
        return new Response(PARKED_HTML, { headers: { "content-type": "text/html; charset=utf-8" } })
      }
      if (target !== undefined) url.hostname = target
      const upstream = await fetch(url, {
        method: request.method,
        headers: { "accept-encoding": "identity", "user-agent": request.headers.get("user-agent") ?? "" },
        redirect: "manual",
        proxy: fixtureProxy
      })
      const headers = new Headers(upstream.headers)
      headers.delete("content-encoding")
      headers.delete("content-length")
      return new Response(await upstream.arrayBuffer(), { status: upstream.status, headers })
    }
  })
  return { proxyUrl: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) }
}
