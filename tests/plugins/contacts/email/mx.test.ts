import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import { createSocket, type Socket } from "node:dgram"
import { checkMx } from "../../../../plugins/contacts/email/mx.ts"

/**
 * A tiny authoritative DNS server on loopback: answers each query from the zone below with a
 * hand-built packet (RFC 1035 §4), so the resolver code runs against real UDP, not a mock.
 */
const TYPE = { A: 1, MX: 15, AAAA: 28 } as const

interface Zone {
  readonly rcode?: number
  readonly silent?: boolean
  readonly mx?: ReadonlyArray<readonly [number, string]>
  readonly a?: ReadonlyArray<readonly [number, number, number, number]>
}

const ZONE: Readonly<Record<string, Zone>> = {
  "acme.test": { mx: [[10, "mail.acme.test"]] },
  "nxdomain.test": { rcode: 3 },
  "servfail.test": { rcode: 2 },
  "nomail.test": {},
  "aonly.test": { a: [[192, 0, 2, 1]] },
  "nullmx.test": { mx: [[0, ""]] },
  "silent.test": { silent: true }
}

const encodeName = (name: string): Buffer =>
  Buffer.concat([
    ...name
      .split(".")
      .filter((label) => label !== "")
      .map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, "ascii")])),
    Buffer.from([0])
  ])

const u16 = (value: number): Buffer => Buffer.from([value >> 8, value & 0xff])

const record = (type: number, rdata: Buffer): Buffer =>
  // Name as a pointer to the question (offset 12), class IN, TTL 60.
  Buffer.concat([Buffer.from([0xc0, 12]), u16(type), u16(1), Buffer.from([0, 0, 0, 60]), u16(rdata.length), rdata])

const answersFor = (zone: Zone, type: number): Buffer[] => {
  if (type === TYPE.MX)
    return (zone.mx ?? []).map(([pref, host]) => record(type, Buffer.concat([u16(pref), encodeName(host)])))
  if (type === TYPE.A) return (zone.a ?? []).map((ip) => record(type, Buffer.from(ip)))
  return []
}

const reply = (query: Buffer): Buffer | null => {
  let end = 12
  const labels: string[] = []
  while (query[end] !== 0) {
    labels.push(query.subarray(end + 1, end + 1 + query[end]!).toString("ascii"))
    end += query[end]! + 1
  }
  const type = query.readUInt16BE(end + 1)
  const question = query.subarray(12, end + 5)
  const zone = ZONE[labels.join(".").toLowerCase()] ?? { rcode: 3 }
  if (zone.silent) return null
  const answers = zone.rcode === undefined ? answersFor(zone, type) : []
  // QR + AA + RD copied, RA; RCODE from the zone.
  const flags = 0x8400 | (query.readUInt16BE(2) & 0x0100) | 0x0080 | (zone.rcode ?? 0)
  const header = Buffer.concat([query.subarray(0, 2), u16(flags), u16(1), u16(answers.length), u16(0), u16(0)])
  return Buffer.concat([header, question, ...answers])
}

let server: Socket
let resolver = ""
const queries: string[] = []

beforeAll(async () => {
  server = createSocket("udp4")
  server.on("message", (message, peer) => {
    queries.push(message.toString("hex"))
    const answer = reply(message)
    if (answer !== null) server.send(answer, peer.port, peer.address)
  })
  await new Promise<void>((resolve) => server.bind(0, "127.0.0.1", resolve))
  resolver = `127.0.0.1:${server.address().port}`
})

afterAll(() => server.close())

describe("checkMx", () => {
  it("is true for a domain with an MX record", async () => {
    expect(await checkMx("acme.test", { resolver, timeoutMs: 1000 })).toBe(true)
  })

  it("is false for a domain that does not exist (NXDOMAIN)", async () => {
    expect(await checkMx("nxdomain.test", { resolver, timeoutMs: 1000 })).toBe(false)
  })

  it("is null when the server fails (SERVFAIL)", async () => {
    expect(await checkMx("servfail.test", { resolver, timeoutMs: 1000 })).toBeNull()
  })

  it("is null when the server does not answer in time", async () => {
    expect(await checkMx("silent.test", { resolver, timeoutMs: 200 })).toBeNull()
  })

  it("falls back to an A record when there is no MX", async () => {
    expect(await checkMx("aonly.test", { resolver, timeoutMs: 1000 })).toBe(true)
  })

  it("is false with neither MX nor address records", async () => {
    expect(await checkMx("nomail.test", { resolver, timeoutMs: 1000 })).toBe(false)
  })

  it("is false for a null MX (RFC 7505)", async () => {
    expect(await checkMx("nullmx.test", { resolver, timeoutMs: 1000 })).toBe(false)
  })

  it("asks once per domain and answers from its cache afterwards", async () => {
    await checkMx("acme.test", { resolver, timeoutMs: 1000 })
    const before = queries.length
    expect(await checkMx("ACME.test.", { resolver, timeoutMs: 1000 })).toBe(true)
    expect(queries.length).toBe(before)
  })
})
