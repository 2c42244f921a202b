/**
 * The built-in plugins. Each registers its steps through definePlugin, exactly as a third-party
 * package would; the CLI and the server pass this list to the core.
 */
import type { Plugin } from "../core/Plugin.ts"

export const builtinPlugins: ReadonlyArray<Plugin> = []
