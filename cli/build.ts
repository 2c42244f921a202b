/**
 * `bun run build`: the command line bundled into dist/filon.js (decision 020), with the stamp of the
 * sources it was built from (dist/filon.stamp), which the `filon` launcher checks before using it, and
 * the record of the JavaScriptCore options this Bun accepts (dist/jsc-tuning.json, decision 025).
 *
 * Left out of the bundle, loaded from node_modules when used:
 * - parquet-wasm, which reads its .wasm file beside its own module (only Parquet reading uses it: checks
 *   and tests; writing is Filon's own writer, decision 027);
 * - playwright-core and unpdf, large and only imported on first use (headless pages, PDF documents).
 * The worker threads (parallel scan, server runs) start from their source files.
 */
import { mkdir, rename, rm } from "node:fs/promises"
import { join } from "node:path"
import { BUNDLE_DIR, BUNDLE_FILE, BYTECODE_FILE, STAMP_FILE, sourceStamp } from "./bundle.ts"
import { recordTuning } from "./jitTuning.ts"

export const EXTERNAL_PACKAGES = ["parquet-wasm", "playwright-core", "unpdf"]

export interface Built {
  readonly file: string
  readonly bytes: number
  readonly seconds: number
}

/** Builds dist/filon.js and its stamp; the previous bundle stays in place until the new one is complete. */
export const buildBundle = async (): Promise<Built> => {
  const started = performance.now()
  // The stamp is taken before bundling: an edit made while bundling leaves the bundle stale, not wrong.
  const stamp = sourceStamp()
  const staging = join(BUNDLE_DIR, `.build-${process.pid}`)
  await rm(staging, { recursive: true, force: true })
  await mkdir(staging, { recursive: true })
  try {
    const result = await Bun.build({
      entrypoints: [join(import.meta.dir, "entry.ts")],
      outdir: staging,
      naming: "filon.js",
      target: "bun",
      // CommonJS with JavaScriptCore bytecode beside it (filon.js.jsc): the runtime skips parsing and
      // compiling the 1.9 MB bundle at start (decision 023). Bun only caches ESM bytecode for `--compile`.
      format: "cjs",
      bytecode: true,
      minify: true,
      external: EXTERNAL_PACKAGES
    })
    if (!result.success) throw new AggregateError(result.logs, "bun build failed")
    await rm(STAMP_FILE, { force: true })
    // The bytecode first: a bundle beside bytecode of another build would be refused by the runtime,
    // not misread (it checks the source's hash), but the pair is kept together anyway.
    await rename(join(staging, "filon.js.jsc"), BYTECODE_FILE)
    await rename(join(staging, "filon.js"), BUNDLE_FILE)
    await Bun.write(STAMP_FILE, `${stamp}\n`)
    // The JavaScriptCore options the launcher adds, tried on this Bun (decision 025).
    recordTuning()
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
  return {
    file: BUNDLE_FILE,
    bytes: Bun.file(BUNDLE_FILE).size,
    seconds: (performance.now() - started) / 1000
  }
}

if (import.meta.main) {
  const built = await buildBundle()
  console.error(
    `built ${built.file} (${(built.bytes / 1048576).toFixed(1)} MB) in ${built.seconds.toFixed(2)} s; \`bun cli/filon.ts\` (the \`filon\` bin) runs it while the sources are unchanged`
  )
}
