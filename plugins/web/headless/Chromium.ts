// Where the system Chromium lives and whether it can run. Playwright's own browser download is not used: Filon drives
// the distribution's Chromium (Debian package `chromium`) through playwright-core.
import { accessSync, constants, statSync } from "node:fs"

/** Path used when `FILON_CHROMIUM_PATH` is not set. */
export const DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium"

/** How long `--version` may take before the browser is declared unusable. */
export const VERSION_TIMEOUT_MS = 5_000

export type BrowserAvailability =
  | { readonly ok: true; readonly path: string; readonly version?: string }
  | { readonly ok: false; readonly path: string; readonly reason: string }

export interface AvailabilityOptions {
  /** Also run `<path> --version` (cached per path). @default true */
  readonly checkVersion?: boolean
  /** Time allowed for `--version`. @default 5000 */
  readonly timeoutMs?: number
}

/** The Chromium executable to drive: `FILON_CHROMIUM_PATH` when set and non-blank, else `/usr/bin/chromium`. */
export const chromiumPath = (env: Record<string, string | undefined> = process.env): string => {
  const fromEnv = env.FILON_CHROMIUM_PATH?.trim()
  return fromEnv ? fromEnv : DEFAULT_CHROMIUM_PATH
}

const versionCache = new Map<string, Promise<BrowserAvailability>>()

const hint = "set FILON_CHROMIUM_PATH or apt-get install chromium"

const checkFile = (path: string): BrowserAvailability => {
  let isFile: boolean
  try {
    isFile = statSync(path).isFile()
  } catch {
    return { ok: false, path, reason: `no browser at ${path} (${hint})` }
  }
  if (!isFile) return { ok: false, path, reason: `no browser at ${path}: not a file (${hint})` }
  try {
    accessSync(path, constants.X_OK)
  } catch {
    return { ok: false, path, reason: `browser at ${path} is not executable (${hint}, or chmod +x it)` }
  }
  return { ok: true, path }
}

const runVersion = async (path: string, timeoutMs: number): Promise<BrowserAvailability> => {
  try {
    const child = Bun.spawn([path, "--version"], { stdout: "pipe", stderr: "ignore", stdin: "ignore" })
    let timer: ReturnType<typeof setTimeout> | undefined
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs)
    })
    const outcome = await Promise.race([child.exited, timedOut])
    clearTimeout(timer)
    if (outcome === "timeout") {
      child.kill()
      return { ok: false, path, reason: `browser at ${path} did not answer --version within ${timeoutMs} ms (${hint})` }
    }
    const output = (await new Response(child.stdout).text()).trim()
    if (outcome !== 0)
      return { ok: false, path, reason: `browser at ${path} --version exited with ${outcome} (${hint})` }
    return output ? { ok: true, path, version: output } : { ok: true, path }
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    return { ok: false, path, reason: `browser at ${path} cannot run: ${detail} (${hint})` }
  }
}

/**
 * Whether a Chromium can be driven from `path`: the file exists and is executable, and (unless `checkVersion: false`)
 * `--version` exits 0 within a few seconds. The `--version` outcome is cached per path for the life of the process.
 */
export const browserAvailability = (
  path: string = chromiumPath(),
  options: AvailabilityOptions = {}
): Promise<BrowserAvailability> => {
  const file = checkFile(path)
  if (!file.ok || options.checkVersion === false) return Promise.resolve(file)
  const cached = versionCache.get(path)
  if (cached) return cached
  const checked = runVersion(path, options.timeoutMs ?? VERSION_TIMEOUT_MS)
  versionCache.set(path, checked)
  return checked
}

/** Forgets cached `--version` outcomes (tests, or after installing a browser). */
export const clearBrowserAvailabilityCache = (): void => {
  versionCache.clear()
}
