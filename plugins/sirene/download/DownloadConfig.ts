/**
 * The environment settings of `filon download`, read here and nowhere else: `FILON_SIRENE_BASE_URL`
 * and `FILON_DATA_DIR` (CONTRACTS.md, Environment). The proxy variables are Bun's (see Http.ts).
 */
import * as Config from "effect/Config"
import * as Option from "effect/Option"
import { DEFAULT_BASE_URL } from "./StockFiles.ts"

export interface DownloadSettings {
  /** Where the stock files are published. @default the data.gouv.fr object storage mirror */
  readonly baseUrl: string
  /** Caches and downloads live below it. @default "./data" */
  readonly dataDir: string
}

/** An environment variable that counts as unset when empty. */
const setting = (name: string, fallback: string) =>
  Config.string(name).pipe(
    Config.option,
    Config.map((value) =>
      value.pipe(
        Option.map((text) => text.trim()),
        Option.filter((text) => text !== ""),
        Option.getOrElse(() => fallback)
      )
    )
  )

/** The download settings from the current ConfigProvider (the process environment by default). */
export const downloadSettings: Config.Config<DownloadSettings> = Config.all({
  baseUrl: setting("FILON_SIRENE_BASE_URL", DEFAULT_BASE_URL),
  dataDir: setting("FILON_DATA_DIR", "./data")
})
