import { afterAll, afterEach, beforeAll, describe, expect, it } from "bun:test"
import {
  Budget,
  defaultHttpSettings,
  Effect,
  HttpFetcher,
  type HttpFetcherShape,
  Layer,
  Option,
  Redacted
} from "filon/core/sdk.ts"
import { makeEnricher } from "../EnrichRegistry.ts"
import { lookupLegalUnit, parseLegalUnit } from "../SireneApi.ts"
import { BASE_URL_VARIABLE, type Connection, connectionOf, DEFAULT_BASE_URL, KEY_VARIABLE } from "../settings.ts"
import { legalUnitBody, type SireneStub, type StubAnswer, startSireneStub } from "./stub.ts"

const KEY = "stub-key-5f0c"
const answers = new Map<string, StubAnswer>()
let stub: SireneStub

beforeAll(() => {
  stub = startSireneStub(KEY, (siren) => answers.get(siren) ?? "not_found")
})
afterAll(() => stub.stop())
afterEach(() => {
  answers.clear()
  delete process.env[KEY_VARIABLE]
  delete process.env[BASE_URL_VARIABLE]
})

const connection = (key = KEY): Connection => ({ baseUrl: stub.baseUrl, key: Option.some(Redacted.make(key)) })

/** The real fetcher (no retries, no cache) over an unlimited budget, as a run would provide it. */
const withFetcher = <A, E>(use: (fetcher: HttpFetcherShape) => Effect.Effect<A, E>) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.flatMap(HttpFetcher, use).pipe(
        Effect.provide(
          Layer.provideMerge(
            HttpFetcher.layer({ ...defaultHttpSettings, retries: 0, perHostRps: 1000 }),
            Budget.layer({})
          )
        )
      )
    )
  )

const lookup = (siren: string, over: Connection = connection()) =>
  withFetcher((fetcher) => Effect.either(lookupLegalUnit(fetcher, over, siren)))

describe("INSEE API Sirene client", () => {
  it("sends the key in X-INSEE-Api-Key-Integration and reads the current period of an active unit", async () => {
    answers.set("552032534", { state: "A", since: "2015-03-02", ess: "N", mission: "O", employer: "O" })
    const result = await lookup("552032534")
    expect(stub.requests.at(-1)).toEqual({ siren: "552032534", key: KEY })
    expect(result._tag === "Right" && result.right).toEqual({
      _tag: "Found",
      facts: {
        state: "active",
        closedOn: null,
        updatedAt: "2025-01-15T09:12:44.000",
        ess: false,
        missionCompany: true,
        associationId: null,
        employer: true
      }
    })
  })

  it("gives a closed unit's closing day, the start of its current period", async () => {
    answers.set("100000001", { state: "C", since: "2025-03-31" })
    const result = await lookup("100000001")
    expect(result).toMatchObject({ right: { _tag: "Found", facts: { state: "closed", closedOn: "2025-03-31" } } })
  })

  it("reads values hidden by partial diffusion ([ND]) as nothing", () => {
    const body = legalUnitBody("100000004", { state: "A", since: "2019-09-01", diffusion: "P" })
    const period = body.uniteLegale.periodesUniteLegale[0] as Record<string, unknown>
    period.economieSocialeSolidaireUniteLegale = "[ND]"
    expect(parseLegalUnit(body)).toMatchObject({ state: "active", ess: null })
    expect(parseLegalUnit({ header: { statut: 200 } })).toBe("the answer has no uniteLegale")
  })

  it("tells an unknown SIREN, a non-diffusible unit and a failing server apart", async () => {
    answers.set("100000003", "not_diffusible")
    answers.set("100000005", { status: 503 })
    expect(await lookup("100000000")).toMatchObject({ right: { _tag: "NotFound" } })
    expect(await lookup("100000003")).toMatchObject({ right: { _tag: "NotDiffusible" } })
    expect(await lookup("100000005")).toMatchObject({
      right: { _tag: "Failed", detail: expect.stringContaining("HTTP 503") }
    })
  })

  it("stops at a refused key with a usage error naming the variable, never the key", async () => {
    const result = await lookup("100000006", connection("wrong-key-9a1e"))
    expect(result._tag).toBe("Left")
    const error = result._tag === "Left" ? result.left : undefined
    expect(error).toMatchObject({ _tag: "RegistryApiUnusable", reason: "key_refused", usage: true })
    expect(error?.message).toContain(KEY_VARIABLE)
    expect(error?.message).not.toContain("wrong-key-9a1e")
  })

  it("refuses to look anything up without a key, before any request", async () => {
    const before = stub.requests.length
    const result = await lookup("100000006", { baseUrl: stub.baseUrl, key: Option.none() })
    expect(result).toMatchObject({ left: { _tag: "RegistryApiUnusable", reason: "no_key" } })
    expect(stub.requests.length).toBe(before)
  })
})

describe("enrich.registry's per-record work", () => {
  it("adds the registry fields to a record, by its siren or its siret", async () => {
    answers.set("100000002", { state: "A", since: "2016-01-01", ess: "O", association: "W751000002" })
    const [bySiren, bySiret, none] = await withFetcher((fetcher) => {
      const { enrich } = makeEnricher(fetcher, connection(), 60_000)
      return Effect.all([
        enrich({ siret: "10000000200011", siren: "100000002" }),
        enrich({ siret: "10000000000017" }),
        enrich({ siret: "x" })
      ])
    })
    expect(bySiren).toEqual({
      siret: "10000000200011",
      siren: "100000002",
      registry_lookup: "ok",
      registry_state: "active",
      registry_closed_on: null,
      registry_updated_at: "2025-01-15T09:12:44.000",
      registry_ess: true,
      registry_mission_company: null,
      registry_association_id: "W751000002",
      registry_employer: null
    })
    expect(bySiret).toMatchObject({ registry_lookup: "not_found", registry_state: null })
    expect(none).toMatchObject({ registry_lookup: "no_siren" })
  })
})

describe("the connection", () => {
  it("takes the plugin entry's settings over the environment, and the environment over the defaults", async () => {
    process.env[BASE_URL_VARIABLE] = "http://127.0.0.1:9/api-sirene/3.11/"
    process.env[KEY_VARIABLE] = "from-env"
    const fromEnv = await Effect.runPromise(connectionOf({}))
    expect(fromEnv.baseUrl).toBe("http://127.0.0.1:9/api-sirene/3.11")
    expect(Option.map(fromEnv.key, Redacted.value)).toEqual(Option.some("from-env"))
    const fromEntry = await Effect.runPromise(
      connectionOf({ base_url: "https://mirror.example/sirene", api_key: Redacted.make("from-entry") })
    )
    expect(fromEntry.baseUrl).toBe("https://mirror.example/sirene")
    expect(Option.map(fromEntry.key, Redacted.value)).toEqual(Option.some("from-entry"))
    delete process.env[BASE_URL_VARIABLE]
    delete process.env[KEY_VARIABLE]
    const defaults = await Effect.runPromise(connectionOf({}))
    expect(defaults).toEqual({ baseUrl: DEFAULT_BASE_URL, key: Option.none() })
  })
})
