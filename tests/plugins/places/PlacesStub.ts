/**
 * A Google Places API (New) stand-in on 127.0.0.1, written from Google's documentation: Text Search
 * (`POST /v1/places:searchText`, JSON `{textQuery, languageCode, regionCode, pageSize}`, answer
 * `{places, nextPageToken}`) and Place Details (`GET /v1/places/{id}`), both requiring
 * `X-Goog-Api-Key` and `X-Goog-FieldMask` and answering only the fields the mask names; errors as
 * `{error: {code, message, status, details}}` (400 API_KEY_INVALID for a bad key, 400 for a missing
 * mask, 404 for an unknown place). Text matching: a place is found when a word of its name is in
 * the query, ranked by the query words in its name and address. It logs every request and can answer
 * 429 with Retry-After once.
 */

export interface StubPlace {
  readonly id: string
  readonly name: string
  readonly street: string
  readonly postcode: string
  readonly city: string
  readonly rating?: number
  readonly reviews?: number
  readonly status?: "OPERATIONAL" | "CLOSED_TEMPORARILY" | "CLOSED_PERMANENTLY"
  /** International format, e.g. "+33 1 42 60 00 00". */
  readonly phone?: string
  readonly website?: string
}

export interface StubRequest {
  readonly at: number
  readonly method: string
  readonly path: string
  readonly apiKey: string | null
  readonly fieldMask: string | null
  readonly contentType: string | null
  readonly body: Record<string, unknown> | null
  readonly status: number
}

export interface StubOptions {
  /** The key the stub accepts. @default "test-key" */
  readonly key?: string
  /** Answer request number `n` (1-based) with 429 and `Retry-After: seconds`, once. */
  readonly throttle?: { readonly request: number; readonly retryAfterSeconds: number }
}

export interface PlacesStub {
  readonly baseUrl: string
  readonly requests: () => ReadonlyArray<StubRequest>
  readonly stop: () => Promise<void>
}

const words = (text: string) =>
  text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 1)

const googleError = (code: number, status: string, message: string, reason?: string) => ({
  error: {
    code,
    message,
    status,
    ...(reason
      ? { details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason, domain: "googleapis.com" }] }
      : {})
  }
})

/** The place as the API shows it, every field; the mask then keeps what was asked. */
const shown = (place: StubPlace): Record<string, unknown> => ({
  name: `places/${place.id}`,
  id: place.id,
  displayName: { text: place.name, languageCode: "fr" },
  formattedAddress: `${place.street}, ${place.postcode} ${place.city}, France`,
  addressComponents: [
    { longText: place.postcode, shortText: place.postcode, types: ["postal_code"], languageCode: "fr" },
    { longText: place.city, shortText: place.city, types: ["locality", "political"], languageCode: "fr" },
    { longText: "France", shortText: "FR", types: ["country", "political"], languageCode: "fr" }
  ],
  location: { latitude: 48.86, longitude: 2.34 },
  ...(place.rating !== undefined ? { rating: place.rating } : {}),
  ...(place.reviews !== undefined ? { userRatingCount: place.reviews } : {}),
  businessStatus: place.status ?? "OPERATIONAL",
  ...(place.phone !== undefined
    ? { internationalPhoneNumber: place.phone, nationalPhoneNumber: `0${place.phone.replace(/^\+33\s?/, "")}` }
    : {}),
  ...(place.website !== undefined ? { websiteUri: place.website } : {})
})

const masked = (value: Record<string, unknown>, mask: ReadonlyArray<string>) =>
  mask.includes("*") ? value : Object.fromEntries(Object.entries(value).filter(([key]) => mask.includes(key)))

export const startPlacesStub = (places: ReadonlyArray<StubPlace>, options: StubOptions = {}): PlacesStub => {
  const key = options.key ?? "test-key"
  const requests: StubRequest[] = []
  let throttled = false
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: async (request) => {
      const url = new URL(request.url)
      const raw = request.method === "POST" ? await request.text() : ""
      let body: Record<string, unknown> | null = null
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : null
      } catch {
        body = null
      }
      const fieldMask = request.headers.get("x-goog-fieldmask")
      const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        requests.push({
          at: performance.now(),
          method: request.method,
          path: url.pathname,
          apiKey: request.headers.get("x-goog-api-key"),
          fieldMask,
          contentType: request.headers.get("content-type"),
          body,
          status
        })
        return Response.json(payload, { status, headers })
      }
      if (options.throttle && !throttled && requests.length + 1 === options.throttle.request) {
        throttled = true
        return reply(429, googleError(429, "RESOURCE_EXHAUSTED", "Quota exceeded."), {
          "retry-after": String(options.throttle.retryAfterSeconds)
        })
      }
      if (request.headers.get("x-goog-api-key") !== key) {
        return reply(
          400,
          googleError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", "API_KEY_INVALID")
        )
      }
      if (!fieldMask) {
        return reply(
          400,
          googleError(400, "INVALID_ARGUMENT", "FieldMask is a required parameter. See how to provide it.")
        )
      }
      const mask = fieldMask.split(",").map((path) => path.trim())
      if (request.method === "POST" && url.pathname === "/v1/places:searchText") {
        const query = typeof body?.textQuery === "string" ? body.textQuery : ""
        if (query.trim() === "") return reply(400, googleError(400, "INVALID_ARGUMENT", "Empty text_query."))
        const pageSize = Math.min(20, Math.max(1, Number(body?.pageSize ?? 20) || 20))
        const asked = new Set(words(query))
        const found = places
          .map((place, index) => {
            const inName = words(place.name).filter((word) => asked.has(word)).length
            const inAddress = words(`${place.street} ${place.postcode} ${place.city}`).filter((w) =>
              asked.has(w)
            ).length
            return { place, index, inName, score: inName * 10 + inAddress }
          })
          .filter((hit) => hit.inName > 0)
          .sort((a, b) => b.score - a.score || a.index - b.index)
        const placeMask = mask.filter((path) => path.startsWith("places.")).map((path) => path.slice(7))
        const page = found.slice(0, pageSize).map((hit) => masked(shown(hit.place), placeMask))
        return reply(
          200,
          page.length === 0
            ? {}
            : { places: page, ...(found.length > pageSize ? { nextPageToken: `page-2-of-${query.length}` } : {}) }
        )
      }
      const details = url.pathname.match(/^\/v1\/places\/([^/:]+)$/)
      if (request.method === "GET" && details) {
        const place = places.find((candidate) => candidate.id === decodeURIComponent(details[1]!))
        if (place === undefined) {
          return reply(404, googleError(404, "NOT_FOUND", `Place '${details[1]}' was not found.`))
        }
        return reply(200, masked(shown(place), mask))
      }
      return reply(404, googleError(404, "NOT_FOUND", "Method not found."))
    }
  })
  return {
    baseUrl: `http://127.0.0.1:${server.port}`,
    requests: () => requests,
    stop: async () => {
      await server.stop(true)
    }
  }
}
