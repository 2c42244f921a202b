import { afterAll, afterEach, beforeAll, describe, expect, it } from "bun:test"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Budget } from "../../../core/Budget.ts"
import { HttpFetcher } from "../../../core/http/HttpFetcher.ts"
import { defaultHttpSettings } from "../../../core/http/HttpSettings.ts"
import { BRAVE_BASE_URL_VARIABLE, BRAVE_KEY_VARIABLE, braveSearch } from "../../../plugins/discovery/BraveSearch.ts"
import { httpSerp } from "../../../plugins/discovery/HttpSerp.ts"
import { type BraveStub, startBraveStub } from "./support.ts"

const KEY = "test-key-123"
let stub: BraveStub

const search = (q: string) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const fetcher = yield* HttpFetcher
        return yield* Effect.either(braveSearch.search(fetcher, { q, count: 5 }))
      }).pipe(
        Effect.provide(
          Layer.provideMerge(HttpFetcher.layer({ ...defaultHttpSettings, perHostRps: 100 }), Budget.layer({}))
        )
      )
    )
  )

beforeAll(() => {
  stub = startBraveStub(KEY, (q) => [
    { url: "https://www.pagesjaunes.fr/pros/1", title: "Boulangerie Martin - PagesJaunes", description: "Horaires" },
    { url: "https://boulangerie-martin.fr/", title: `<strong>Boulangerie Martin</strong> | ${q}`, description: "Pain" }
  ])
})

afterEach(() => {
  process.env[BRAVE_KEY_VARIABLE] = KEY
  process.env[BRAVE_BASE_URL_VARIABLE] = stub.baseUrl
})

afterAll(async () => {
  delete process.env[BRAVE_KEY_VARIABLE]
  delete process.env[BRAVE_BASE_URL_VARIABLE]
  await stub.stop()
})

describe("Brave Search client", () => {
  it("sends the query and the key header and reads web.results as ranked results", async () => {
    process.env[BRAVE_KEY_VARIABLE] = KEY
    process.env[BRAVE_BASE_URL_VARIABLE] = stub.baseUrl
    const result = await search('"Boulangerie Martin" Lyon')
    expect(result._tag).toBe("Right")
    const request = stub.requests.at(-1)!
    expect(request.q).toBe('"Boulangerie Martin" Lyon')
    expect(request.token).toBe(KEY)
    expect(new URL(request.url).searchParams.get("count")).toBe("5")
    expect(result._tag === "Right" && result.right).toEqual([
      {
        url: "https://www.pagesjaunes.fr/pros/1",
        title: "Boulangerie Martin - PagesJaunes",
        snippet: "Horaires",
        rank: 1
      },
      {
        url: "https://boulangerie-martin.fr/",
        title: 'Boulangerie Martin | "Boulangerie Martin" Lyon',
        snippet: "Pain",
        rank: 2
      }
    ])
  })

  it("waits as a 429's Retry-After asks, then gets the answer", async () => {
    const before = stub.requests.length
    const started = Date.now()
    const result = await search("rate limited company")
    expect(result._tag).toBe("Right")
    expect(stub.requests.length - before).toBe(2)
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
  })

  it("names the environment variable when the key is refused (401)", async () => {
    process.env[BRAVE_KEY_VARIABLE] = "wrong"
    const result = await search("anything")
    expect(result._tag).toBe("Left")
    const error = result._tag === "Left" ? result.left : undefined
    expect(error).toMatchObject({ _tag: "SearchFailed", reason: "unauthorized", status: 401, usage: true })
    expect(error?.message).toContain("FILON_BRAVE_API_KEY")
    expect(error?.message).toContain("subscription token is invalid")
  })

  it("without a key, http.serp is not available, as an optional step", async () => {
    delete process.env[BRAVE_KEY_VARIABLE]
    const check = await Effect.runPromise(httpSerp.availability!)
    expect(check).toEqual({ ok: false, reason: "no Brave Search API key (set FILON_BRAVE_API_KEY)", optional: true })
    process.env[BRAVE_KEY_VARIABLE] = KEY
    expect(await Effect.runPromise(httpSerp.availability!)).toEqual({ ok: true })
  })
})
