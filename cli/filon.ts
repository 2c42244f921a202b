#!/usr/bin/env bun
/**
 * The `filon` command: the prebuilt bundle when it was built from these sources (`bun run build`,
 * decision 020), else the sources themselves. Same commands, options and outputs either way. It first
 * re-executes itself once with Filon's JavaScriptCore settings (`jitTuning.ts`, decision 025).
 */
import { BUNDLE_FILE, bundleIsFresh } from "./bundle.ts"
import { reexecTuned } from "./jitTuning.ts"

reexecTuned()
if (process.env.FILON_FROM_SOURCES !== "1" && bundleIsFresh()) await import(BUNDLE_FILE)
else await (await import("./main.ts")).runFromArgv()
