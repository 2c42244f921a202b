/**
 * The built-in plugins. Each registers its steps through definePlugin, exactly as a third-party
 * package would; the CLI and the server pass this list to the core.
 */
import type { Plugin } from "../core/Plugin.ts"
import contacts from "./contacts/index.ts"
import correlation from "./correlation/index.ts"
import discovery from "./discovery/index.ts"
import documents from "./documents/index.ts"
import exportPlugin from "./export/index.ts"
import normalize from "./normalize/index.ts"
import parse from "./parse/index.ts"
import places from "./places/index.ts"
import quality from "./quality/index.ts"
import sirene from "./sirene/index.ts"
import web from "./web/index.ts"

export const builtinPlugins: ReadonlyArray<Plugin> = [
  sirene,
  normalize,
  quality,
  discovery,
  web,
  documents,
  parse,
  places,
  correlation,
  contacts,
  exportPlugin
]
