/** The built-in plugins of the test servers (a module, since each run's worker imports it). */
import testPlugin from "../support/plugin/index.ts"

export const builtinPlugins = [testPlugin]
