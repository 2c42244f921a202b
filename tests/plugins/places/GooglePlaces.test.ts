/**
 * The Google Places client against the stub on loopback, through the real HttpFetcher: what it sends
 * (endpoint, key and field-mask headers, JSON body), what it reads back, a 429 with Retry-After
 * retried, a refused key named with its environment variable, and the pace it keeps.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Budget } from "../../../core/Budget.ts"
import { HttpFetcher } from "../../../core/http/HttpFetcher.ts"
import { defaultHttpSettings } from "../../../core/http/HttpSettings.ts"
import { googlePlaces } from "../../../plugins/places/google/GooglePlaces.ts"
import type { PlacesClient } from "../../../plugins/places/PlacesProvider.ts"
import { type PlacesStub, type StubOptions, type StubPlace, startPlacesStub } from "./PlacesStub.ts"

const PLACES: StubPlace[] = [
  {
    id: "ChIJ-dupont-paris",
    name: "Boulangerie Dupont",
    street: "12 Rue de la Paix",
    postcode: "75002",
    city: "Paris",
    rating: 4.6,
    reviews: 312,
    phone: "+33 1 42 60 00 01",
    website: "https://boulangerie-dupont.fr/"
  },
  { id: "ChIJ-martin-lyon", name: "Garage Martin", street: "3 Quai Perrache", postcode: "69002", city: "Lyon" }
]

const stubs: PlacesStub[] = []
const saved = { no_proxy: process.env.NO_PROXY }
beforeAll(() => {
  process.env.NO_PROXY = [saved.no_proxy, "127.0.0.1"].filter((entry) => entry).join(",")
})
afterAll(async () => {
  for (const stub of stubs) await stub.stop()
  if (saved.no_proxy === undefined) delete process.env.NO_PROXY
  else process.env.NO_PROXY = saved.no_proxy
})

const stubOf = (options?: StubOptions) => {
  const stub = startPlacesStub(PLACES, options)
  stubs.push(stub)
  return stub
}

/** Runs `use` with a Google client on the stub, the key given (or none), the real fetcher. */
const withClient = <A, E>(
  stub: PlacesStub,
  key: string | undefined,
  use: (client: PlacesClient) => Effect.Effect<A, E>,
  requestsPerSecond = 50
) => {
  const env = new Map([["FILON_GOOGLE_PLACES_BASE_URL", stub.baseUrl]])
  if (key !== undefined) env.set("FILON_GOOGLE_PLACES_API_KEY", key)
  return Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const fetcher = yield* HttpFetcher
        const client = yield* googlePlaces.client({
          fetcher,
          requestsPerSecond,
          maxCandidates: 5,
          language: "fr",
          region: "FR"
        })
        return yield* use(client)
      }).pipe(
        Effect.provide(
          Layer.provideMerge(
            HttpFetcher.layer({ ...defaultHttpSettings, perHostRps: 1000, cacheFile: undefined }),
            Budget.layer({})
          )
        ),
        Effect.withConfigProvider(ConfigProvider.fromMap(env))
      )
    )
  )
}

const DUPONT = { names: ["Boulangerie Dupont"], address: "12 RUE DE LA PAIX", postcode: "75002", city: "PARIS 2" }

describe("Google Places client", () => {
  test("searches with POST, the key and field mask headers, and a JSON body; reads the candidates", async () => {
    const stub = stubOf()
    const candidates = await withClient(stub, "test-key", (client) => client.find(DUPONT, { withDetails: false }))
    const [request] = stub.requests()
    expect(request).toMatchObject({
      method: "POST",
      path: "/v1/places:searchText",
      apiKey: "test-key",
      contentType: "application/json",
      status: 200
    })
    expect(request!.fieldMask!.split(",")).toEqual([
      "places.id",
      "places.displayName",
      "places.formattedAddress",
      "places.addressComponents",
      "places.location"
    ])
    expect(request!.body).toEqual({
      textQuery: "Boulangerie Dupont 12 RUE DE LA PAIX 75002 PARIS 2",
      languageCode: "fr",
      regionCode: "FR",
      pageSize: 5
    })
    expect(candidates).toEqual([
      {
        placeId: "ChIJ-dupont-paris",
        name: "Boulangerie Dupont",
        address: "12 Rue de la Paix, 75002 Paris, France",
        postcode: "75002",
        city: "Paris",
        location: { latitude: 48.86, longitude: 2.34 }
      }
    ])
  })

  test("asks for the cross-check fields only when details are wanted, and reads a place's details", async () => {
    const stub = stubOf()
    const [found, details] = await withClient(stub, "test-key", (client) =>
      Effect.all([client.find(DUPONT, { withDetails: true }), client.details("ChIJ-dupont-paris")])
    )
    expect(stub.requests()[0]!.fieldMask).toContain("places.userRatingCount")
    expect(stub.requests()[1]).toMatchObject({ method: "GET", path: "/v1/places/ChIJ-dupont-paris" })
    expect(stub.requests()[1]!.fieldMask).not.toContain("places.")
    const expected = {
      placeId: "ChIJ-dupont-paris",
      rating: 4.6,
      userRatingsTotal: 312,
      businessStatus: "OPERATIONAL" as const,
      phone: "+33 1 42 60 00 01",
      website: "https://boulangerie-dupont.fr/",
      location: { latitude: 48.86, longitude: 2.34 }
    }
    expect(found[0]!.details).toEqual(expected)
    expect(details).toEqual(expected)
  })

  test("a place the provider no longer knows has no details", async () => {
    const stub = stubOf()
    expect(await withClient(stub, "test-key", (client) => client.details("ChIJ-gone"))).toBeNull()
  })

  test("a 429 with Retry-After is waited out and retried by the fetcher", async () => {
    const stub = stubOf({ throttle: { request: 1, retryAfterSeconds: 1 } })
    const started = performance.now()
    const candidates = await withClient(stub, "test-key", (client) => client.find(DUPONT, { withDetails: false }))
    expect(candidates.map((candidate) => candidate.placeId)).toEqual(["ChIJ-dupont-paris"])
    expect(stub.requests().map((request) => request.status)).toEqual([429, 200])
    expect(performance.now() - started).toBeGreaterThanOrEqual(950)
  })

  test("a refused key fails with Google's words, naming the provider and the environment variable", async () => {
    const stub = stubOf()
    const error = await withClient(stub, "wrong-key", (client) =>
      Effect.flip(client.find(DUPONT, { withDetails: false }))
    )
    expect(error._tag).toBe("PlacesRequestFailed")
    expect(error.message).toContain("Google Places")
    expect(error.message).toContain("FILON_GOOGLE_PLACES_API_KEY")
    expect(error.message).toContain("API key not valid")
    expect((error as { usage?: boolean }).usage).toBe(true)
  })

  test("without a key the provider is not available, with the variable to set", async () => {
    const check = await Effect.runPromise(
      googlePlaces.availability.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map())))
    )
    expect(check).toEqual({
      ok: false,
      reason: "Google Places: no API key (set FILON_GOOGLE_PLACES_API_KEY)",
      optional: true
    })
  })

  test("requests keep the pace: N requests take at least (N-1)/rate seconds", async () => {
    const stub = stubOf()
    const rate = 8
    const n = 6
    await withClient(
      stub,
      "test-key",
      (client) =>
        Effect.forEach(
          Array.from({ length: n }, () => DUPONT),
          (query) => client.find(query, { withDetails: false }),
          { concurrency: n }
        ),
      rate
    )
    const times = stub.requests().map((request) => request.at)
    expect(times).toHaveLength(n)
    // A few ms of slack for timer rounding.
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(((n - 1) / rate) * 1000 - 15)
  })
})
