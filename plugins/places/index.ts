/** Places providers (Google Places built in): the company's place, and its rating, reviews, status, phone and website. */
import * as Layer from "effect/Layer"
import { definePlugin } from "../../core/Plugin.ts"
import { EnrichAddressLive, enrichAddress } from "./EnrichAddress.ts"
import { ScraperMapsLive, scraperMaps } from "./ScraperMaps.ts"

export type {
  BusinessStatus,
  ClientOptions,
  CompanyQuery,
  PlaceCandidate,
  PlaceDetails,
  PlacesClient,
  PlacesProvider
} from "./PlacesProvider.ts"
export { PlacesRequestFailed, registerPlacesProvider } from "./PlacesProvider.ts"

export default definePlugin({
  id: "places",
  version: "0.1.0",
  description: "Places providers (Google Places API): enrich.address and scraper.maps",
  steps: [enrichAddress, scraperMaps],
  layer: Layer.mergeAll(EnrichAddressLive, ScraperMapsLive)
})
