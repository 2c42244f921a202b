/**
 * filon-plugin-registry-api: an example third-party Filon plugin. It adds `enrich.registry`, the
 * live INSEE register's view of each company's legal unit, and takes its connection (base URL, API
 * key) from its plugin entry's `config` or the environment. See README.md.
 */
import { definePlugin } from "filon/core/sdk.ts"
import { EnrichRegistry, enrichRegistry } from "./EnrichRegistry.ts"
import manifest from "./package.json"
import { RegistryApiSettings } from "./settings.ts"

export default definePlugin({
  id: "registry-api",
  version: manifest.version,
  // Written for plugin API 1: a filon implementing another major refuses to load it.
  api: 1,
  description: "Live legal-unit status from the INSEE Sirene API (enrich.registry)",
  config: RegistryApiSettings,
  steps: [enrichRegistry],
  layer: (settings) => EnrichRegistry.layer(settings),
  // At INSEE's 30 requests a minute, 4 h is about 7,000 companies; a plugin entry's timeout_s overrides it.
  timeout_s: 4 * 3600
})
