/**
 * Where the recherche-entreprises API lives and how Filon introduces itself to it, read here and
 * nowhere else: `FILON_RECHERCHE_ENTREPRISES_BASE_URL` (CONTRACTS.md, "FILON_<PROVIDER>_BASE_URL").
 * Requests follow the job's `http.proxy` or HTTP(S)_PROXY like any other; a base URL on loopback
 * (a local mirror, a test stub) is reached directly when NO_PROXY names its host.
 */
import * as Config from "effect/Config"
import * as Option from "effect/Option"
import packageJson from "../../../package.json"

/** The public API (SIRENE.md §6). */
export const DEFAULT_API_BASE_URL = "https://recherche-entreprises.api.gouv.fr"

export const BASE_URL_VARIABLE = "FILON_RECHERCHE_ENTREPRISES_BASE_URL"

/** The API's own limits (open-api.yml): 7 requests/s per IP, 25 results a page, page × per_page ≤ 10,000. */
export const API_MAX_REQUESTS_PER_S = 7
export const API_PER_PAGE = 25
export const API_RESULT_CEILING = 10_000
/** `limite_matching_etablissements` accepts 1 to 100. */
export const API_MATCHING_LIMIT = 100

/** The base URL from the current ConfigProvider (the process environment by default); empty counts as unset. */
export const apiBaseUrl: Config.Config<string> = Config.string(BASE_URL_VARIABLE).pipe(
  Config.option,
  Config.map((value) =>
    value.pipe(
      Option.map((text) => text.trim().replace(/\/+$/, "")),
      Option.filter((text) => text !== ""),
      Option.getOrElse(() => DEFAULT_API_BASE_URL)
    )
  )
)

/**
 * The descriptive User-Agent the API asks for: who we are, which version, where to read about us,
 * and a contact when the job gives one.
 */
export const userAgentOf = (contact: string | undefined): string =>
  `Filon/${packageJson.version} (+https://github.com/filon-data/filon; api.collect${
    contact !== undefined && contact.trim() !== "" ? `; contact: ${contact.trim()}` : ""
  })`
