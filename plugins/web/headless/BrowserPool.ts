// A bounded pool of headless Chromium pages (playwright-core + the system Chromium). The browser never reaches the
// network: every request a page makes is intercepted and answered through the caller's fetch function, which owns
// robots, budgets, proxy and cache. A dead proxy is configured as a safety net for anything interception misses.
import type { Browser, BrowserContext, Frame, Page, Request, Route } from "playwright-core"

/** A request the page made, handed to {@link BrowserPoolOptions.fetchThrough}. */
export interface ThroughRequest {
  readonly url: string
  readonly method: string
  /** Lower-case names, as Chromium would send them (user-agent, accept, referer…). */
  readonly headers: Record<string, string>
  readonly body?: Uint8Array
  /** Playwright resource type: document, script, stylesheet, xhr, fetch, image, font, media… */
  readonly resourceType: string
}

/** The answer to a {@link ThroughRequest}: a response to give the page, or an error that fails the request. */
export type ThroughResponse =
  | { readonly status: number; readonly headers: Record<string, string>; readonly body: Uint8Array }
  | { readonly error: string }

export type FetchThrough = (request: ThroughRequest) => Promise<ThroughResponse>

export interface BrowserPoolOptions {
  /** Chromium executable, see `chromiumPath()`. */
  readonly executablePath: string
  /** Pages rendered at once; further renders wait in FIFO order. */
  readonly contexts: number
  /** A browser context is closed and replaced after this many pages. */
  readonly pagesPerContext: number
  /** The browser is relaunched after this many pages (and whenever it disconnects or crashes). */
  readonly pagesPerBrowser: number
  /** Time allowed for the navigation up to the `load` event. */
  readonly navigationTimeoutMs: number
  /** Resource types aborted without being fetched. @default ["image", "font", "media"] */
  readonly blockTypes?: ReadonlyArray<string>
  /** User-Agent of the pages. @default Chromium's own */
  readonly userAgent?: string
  /**
   * Fetches every non-blocked request on the browser's behalf. It should not follow redirects itself: a 3xx answer
   * with a `location` lets the browser follow it (through this function again) and report the right final URL.
   * A rejection is treated like `{ error }`.
   */
  readonly fetchThrough: FetchThrough
  /** After `load`, wait at most this long for the DOM and the network to go quiet. @default 300 */
  readonly settleMs?: number
  /** Time allowed for the browser to start. @default 30000 */
  readonly launchTimeoutMs?: number
}

export interface RenderResult {
  /** Final URL, after redirects and client-side navigation. */
  readonly url: string
  /** HTTP status of the main document, null when none was received. */
  readonly status: number | null
  /** Serialized DOM (`page.content()`); on a failed render, whatever could be captured (often ""). */
  readonly html: string
  /** `document.body.innerText`. */
  readonly text: string
  /** Time spent on this page once it had a slot (queueing excluded). */
  readonly elapsedMs: number
  /** Requests answered through `fetchThrough` (the document included). */
  readonly requests: number
  /** Requests aborted because of their resource type. */
  readonly blocked: number
  /** Why the render failed (navigation timeout, crash, browser gone…); absent on success. */
  readonly error?: string
}

/** Counters since the pool opened. */
export interface PoolStats {
  /** Renders that got a page slot. */
  readonly pages: number
  readonly navigations_ok: number
  readonly navigation_errors: number
  /** Main-document HTTP statuses of all renders that received one. */
  readonly by_status: Record<string, number>
  /** Sum and maximum of {@link RenderResult.elapsedMs}. */
  readonly nav_ms_total: number
  readonly nav_ms_max: number
  readonly blocked: number
  /** Requests sent to `fetchThrough`. */
  readonly requests: number
  readonly browser_launches: number
  /** Contexts replaced after `pagesPerContext` pages. */
  readonly context_recycles: number
}

export interface BrowserPool {
  /** Renders `url`; a page failure is a result with `error`. Rejects when the pool is closed or no browser launches. */
  readonly render: (url: string) => Promise<RenderResult>
  /** Closes the browser and rejects queued renders; idempotent. */
  readonly close: () => Promise<void>
  readonly stats: () => PoolStats
}

/** Raised by `render` once the pool is closed. */
export class BrowserPoolClosed extends Error {
  override readonly name = "BrowserPoolClosed"
  constructor() {
    super("browser pool is closed")
  }
}

export const DEFAULT_BLOCK_TYPES: ReadonlyArray<string> = ["image", "font", "media"]
export const DEFAULT_SETTLE_MS = 300

/** Nothing listens on port 9 (discard): a request that escapes interception fails instead of reaching the network. */
export const DEAD_PROXY = "http://127.0.0.1:9"

/** Chromium flags: headless, no background traffic, everything (loopback and WebRTC included) through the dead proxy. */
export const CHROMIUM_ARGS: ReadonlyArray<string> = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  `--proxy-server=${DEAD_PROXY}`,
  // Chromium bypasses the proxy for localhost by default; "<-loopback>" removes that implicit bypass.
  "--proxy-bypass-list=<-loopback>",
  "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
  "--webrtc-ip-handling-policy=disable_non_proxied_udp"
]

// Hop-by-hop or encoding headers that would contradict the (already decoded) body handed to the browser.
const droppedResponseHeaders = new Set([
  "content-encoding",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive"
])

/** How long capturing html/text may take (a page stuck in a script loop never answers): after load, after a failure. */
const CAPTURE_TIMEOUT_MS = 5_000
const FAILED_CAPTURE_TIMEOUT_MS = 1_000

/** Redirects followed for one request (the browser's own limit is 20; sites needing more are broken). */
export const MAX_REDIRECTS = 10

const redirectStatuses = new Set([301, 302, 303, 307, 308])

/** The absolute target of a redirect answer, if it is one. */
const redirectLocation = (url: string, answer: ThroughResponse): string | undefined => {
  if ("error" in answer || !redirectStatuses.has(answer.status)) return undefined
  const header = Object.entries(answer.headers).find(([name]) => name.toLowerCase() === "location")?.[1]
  if (!header) return undefined
  try {
    return new URL(header, url).href
  } catch {
    return undefined
  }
}

/** The request a browser would send after a redirect: 303, and 301/302 after a POST, become a GET without body. */
const redirected = (request: ThroughRequest, url: string, status: number): ThroughRequest => {
  const toGet = status === 303 || ((status === 301 || status === 302) && request.method === "POST")
  if (!toGet) return { ...request, url }
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (name !== "content-type" && name !== "content-length" && name !== "origin") headers[name] = value
  }
  return { url, method: request.method === "HEAD" ? "HEAD" : "GET", headers, resourceType: request.resourceType }
}

const isMainNavigation = (request: Request, state: PageState): boolean => {
  try {
    return request.isNavigationRequest() && request.frame() === state.mainFrame
  } catch {
    return false
  }
}

interface Generation {
  readonly browser: Browser
  /** Pages reserved on this browser, for the `pagesPerBrowser` limit. */
  started: number
  active: number
  dead: boolean
  retired: boolean
}

interface PageState {
  requests: number
  blocked: number
  inflight: number
  lastNetworkAt: number
  status: number | null
  mainFrame?: Frame
  /** True while render() waits for a page.goto(). */
  navigating: boolean
  /** Where the top-level document redirected to during the current page.goto(). */
  redirectTo?: string
}

interface Slot {
  context?: BrowserContext
  generation?: Generation
  pages: number
  current?: PageState
}

interface Waiter {
  readonly resolve: (slot: Slot) => void
  readonly reject: (error: Error) => void
}

const positiveInteger = (name: string, value: number): void => {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`)
}

const firstLine = (error: unknown): string => {
  const message = error instanceof Error ? error.message : String(error)
  return (message.split("\n")[0] ?? message).trim() || "render failed"
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** `promise`, or `fallback` after `ms`; a late rejection of `promise` is swallowed. */
const within = <A>(promise: Promise<A>, ms: number, fallback: A): Promise<A> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<A>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms)
  })
  promise.catch(() => undefined)
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

// Evaluated in the page: resolves once the DOM has not changed for `quiet` ms, or after `cap` ms.
const domQuiet = (quiet: number, cap: number): string => `new Promise((resolve) => {
  let timer
  const done = () => { observer.disconnect(); clearTimeout(timer); clearTimeout(limit); resolve(true) }
  const observer = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(done, ${quiet}) })
  observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true })
  timer = setTimeout(done, ${quiet})
  const limit = setTimeout(done, ${cap})
})`

const bodyText = "document.body ? document.body.innerText : ''"

/**
 * Launches Chromium and returns a pool rendering at most `contexts` pages at once. Rejects if the browser cannot
 * launch.
 */
export const openBrowserPool = async (options: BrowserPoolOptions): Promise<BrowserPool> => {
  positiveInteger("contexts", options.contexts)
  positiveInteger("pagesPerContext", options.pagesPerContext)
  positiveInteger("pagesPerBrowser", options.pagesPerBrowser)
  positiveInteger("navigationTimeoutMs", options.navigationTimeoutMs)
  const blockTypes = new Set(options.blockTypes ?? DEFAULT_BLOCK_TYPES)
  const settleMs = Math.max(0, options.settleMs ?? DEFAULT_SETTLE_MS)
  const quietMs = Math.min(100, settleMs)

  const counters = {
    pages: 0,
    navigations_ok: 0,
    navigation_errors: 0,
    by_status: {} as Record<string, number>,
    nav_ms_total: 0,
    nav_ms_max: 0,
    blocked: 0,
    requests: 0,
    browser_launches: 0,
    context_recycles: 0
  }

  let closed = false
  let closing: Promise<void> | undefined
  let current: Generation | undefined
  let launching: Promise<Generation> | undefined
  const generations = new Set<Generation>()
  const free: Slot[] = Array.from({ length: options.contexts }, () => ({ pages: 0 }))
  const waiters: Waiter[] = []

  const closingBrowsers = new Set<Promise<void>>()

  const closeBrowser = (generation: Generation): Promise<void> => {
    generations.delete(generation)
    const closingBrowser = generation.browser.close().catch(() => undefined)
    closingBrowsers.add(closingBrowser)
    return closingBrowser.finally(() => closingBrowsers.delete(closingBrowser))
  }

  const retire = (generation: Generation): void => {
    generation.retired = true
    if (current === generation) current = undefined
    if (generation.active === 0) void closeBrowser(generation)
  }

  const launch = async (): Promise<Generation> => {
    // Imported on first launch: playwright-core alone costs ~80 MB of memory, which runs without a browser skip.
    const { chromium } = await import("playwright-core")
    const browser = await chromium.launch({
      executablePath: options.executablePath,
      args: [...CHROMIUM_ARGS],
      timeout: options.launchTimeoutMs ?? 30_000
    })
    counters.browser_launches++
    const generation: Generation = { browser, started: 0, active: 0, dead: false, retired: false }
    generations.add(generation)
    browser.on("disconnected", () => {
      generation.dead = true
      generations.delete(generation)
      if (current === generation) current = undefined
    })
    if (closed) {
      await closeBrowser(generation)
      throw new BrowserPoolClosed()
    }
    current = generation
    return generation
  }

  /** A live browser with room for one more page, launching one if needed; the page is counted on it. */
  const reserve = async (): Promise<Generation> => {
    for (;;) {
      if (closed) throw new BrowserPoolClosed()
      const generation = current
      if (generation && !generation.dead && generation.started < options.pagesPerBrowser) {
        generation.started++
        generation.active++
        return generation
      }
      if (generation) retire(generation)
      launching ??= launch().finally(() => {
        launching = undefined
      })
      await launching
    }
  }

  const releaseGeneration = (generation: Generation): void => {
    generation.active--
    if (generation.retired && generation.active === 0) void closeBrowser(generation)
  }

  const acquire = (): Promise<Slot> => {
    const slot = free.shift()
    if (slot) return Promise.resolve(slot)
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }))
  }

  const release = (slot: Slot): void => {
    const next = waiters.shift()
    if (next) next.resolve(slot)
    else free.push(slot)
  }

  const dropContext = async (slot: Slot): Promise<void> => {
    const context = slot.context
    slot.context = undefined
    slot.generation = undefined
    slot.pages = 0
    if (context) await context.close().catch(() => undefined)
  }

  /** One request through the caller's fetcher, counted on the page; a rejection becomes `{ error }`. */
  const through = async (state: PageState, request: ThroughRequest): Promise<ThroughResponse> => {
    state.requests++
    counters.requests++
    state.inflight++
    state.lastNetworkAt = performance.now()
    try {
      return await options.fetchThrough(request)
    } catch (error) {
      return { error: firstLine(error) }
    } finally {
      state.inflight--
      state.lastNetworkAt = performance.now()
    }
  }

  /**
   * Follows redirects on the browser's behalf. Chromium sends the request that follows a fulfilled 3xx straight to the
   * network, past `route` (Playwright does not intercept redirects), so a 3xx must never reach the browser.
   */
  const followRedirects = async (
    state: PageState,
    request: ThroughRequest,
    answer: ThroughResponse
  ): Promise<ThroughResponse> => {
    for (let hops = 0; ; hops++) {
      const location = redirectLocation(request.url, answer)
      if (location === undefined) return answer
      if (hops >= MAX_REDIRECTS) return { error: `more than ${MAX_REDIRECTS} redirects from ${request.url}` }
      request = redirected(request, location, "status" in answer ? answer.status : 302)
      answer = await through(state, request)
    }
  }

  const onRoute = (slot: Slot) => async (route: Route) => {
    const request = route.request()
    const state = slot.current
    try {
      if (!state) {
        // A straggler from a finished render (its page is closing): nothing may go out for it.
        await route.abort("blockedbyclient")
        return
      }
      const resourceType = request.resourceType()
      if (blockTypes.has(resourceType)) {
        state.blocked++
        counters.blocked++
        await route.abort("blockedbyclient")
        return
      }
      const body = request.postDataBuffer()
      const outgoing: ThroughRequest = {
        url: request.url(),
        method: request.method(),
        headers: request.headers(),
        resourceType,
        ...(body ? { body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) } : {})
      }
      let answer = await through(state, outgoing)
      if (slot.current !== state) {
        await route.abort("failed")
        return
      }
      const location = redirectLocation(outgoing.url, answer)
      if (location !== undefined && state.navigating && isMainNavigation(request, state)) {
        // The top-level document moved: let render() navigate to the new URL so that the page's URL (and the base
        // of its relative links) is the final one.
        state.redirectTo = location
        await route.abort("aborted")
        return
      }
      if (location !== undefined) answer = await followRedirects(state, outgoing, answer)
      if (slot.current !== state || "error" in answer) {
        await route.abort("failed")
        return
      }
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(answer.headers)) {
        if (!droppedResponseHeaders.has(name.toLowerCase())) headers[name] = value
      }
      await route.fulfill({
        status: answer.status,
        headers,
        body: Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength)
      })
    } catch {
      // The page, context or browser went away while the request was pending: there is no one left to answer.
    }
  }

  const ensureContext = async (slot: Slot, generation: Generation): Promise<BrowserContext> => {
    if (slot.context && slot.generation === generation) return slot.context
    await dropContext(slot)
    const context = await generation.browser.newContext({
      serviceWorkers: "block",
      acceptDownloads: false,
      ...(options.userAgent ? { userAgent: options.userAgent } : {})
    })
    try {
      await context.route("**/*", onRoute(slot))
      // WebSockets bypass context.route; with no handler calling connectToServer() they never leave the browser.
      await context.routeWebSocket(/.*/, (socket) => socket.close({ code: 1008, reason: "blocked by Filon" }))
    } catch (error) {
      await context.close().catch(() => undefined)
      throw error
    }
    slot.context = context
    slot.generation = generation
    slot.pages = 0
    return context
  }

  const settle = async (page: Page, state: PageState): Promise<void> => {
    if (settleMs === 0) return
    const started = performance.now()
    const network = async () => {
      while (performance.now() - started < settleMs) {
        if (state.inflight === 0 && performance.now() - state.lastNetworkAt >= quietMs) return
        await sleep(25)
      }
    }
    const dom = page.evaluate(domQuiet(quietMs, settleMs)).catch(() => undefined)
    await within(
      Promise.all([dom, network()]).then(() => undefined),
      settleMs + 100,
      undefined
    )
  }

  const capture = async (page: Page, timeoutMs: number): Promise<{ url: string; html: string; text: string }> => {
    // After a re-navigation (a redirected document), content() can race the new document's commit
    // ("the page is navigating"): wait for it to load and ask once more.
    const content = () =>
      page.content().catch(async (error: unknown) => {
        if (!String(error).includes("navigating")) throw error
        await page.waitForLoadState("load", { timeout: timeoutMs }).catch(() => undefined)
        return page.content()
      })
    const html = await within(content(), timeoutMs, "")
    const text = await within(page.evaluate<unknown>(bodyText), timeoutMs, "")
    return { url: page.url(), html, text: typeof text === "string" ? text : "" }
  }

  /** page.goto(url) up to `load`, going again to where the top-level document redirected (see onRoute). */
  const navigate = async (page: Page, url: string, state: PageState, deadline: number): Promise<void> => {
    let target = url
    for (let hops = 0; ; hops++) {
      state.redirectTo = undefined
      state.navigating = true
      try {
        const timeout = Math.max(1, Math.round(deadline - performance.now()))
        const response = await page.goto(target, { waitUntil: "load", timeout })
        if (response) state.status = response.status()
        return
      } catch (error) {
        const next = state.redirectTo
        if (next === undefined) throw error
        if (hops >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects from ${url}`)
        if (performance.now() >= deadline)
          throw new Error(`navigation timeout: ${options.navigationTimeoutMs}ms exceeded`)
        target = next
      } finally {
        state.navigating = false
      }
    }
  }

  const renderIn = async (slot: Slot, url: string): Promise<RenderResult> => {
    const generation = await reserve()
    counters.pages++
    const started = performance.now()
    const state: PageState = {
      requests: 0,
      blocked: 0,
      inflight: 0,
      lastNetworkAt: started,
      status: null,
      navigating: false
    }
    let page: Page | undefined
    let result: Omit<RenderResult, "elapsedMs" | "requests" | "blocked" | "status">
    try {
      const context = await ensureContext(slot, generation)
      slot.pages++
      slot.current = state
      page = await context.newPage()
      const mainFrame = page.mainFrame()
      state.mainFrame = mainFrame
      page.on("response", (response) => {
        const request = response.request()
        if (request.isNavigationRequest() && request.frame() === mainFrame) state.status = response.status()
      })
      let crashed = false
      page.on("crash", () => {
        crashed = true
      })
      try {
        await navigate(page, url, state, performance.now() + options.navigationTimeoutMs)
        await settle(page, state)
        const captured = await capture(page, CAPTURE_TIMEOUT_MS)
        result = crashed ? { ...captured, error: "page crashed" } : captured
      } catch (error) {
        const captured =
          crashed || page.isClosed()
            ? { url: page.url(), html: "", text: "" }
            : await capture(page, FAILED_CAPTURE_TIMEOUT_MS)
        result = { ...captured, url: captured.url === "about:blank" ? url : captured.url, error: firstLine(error) }
      }
    } catch (error) {
      result = { url, html: "", text: "", error: firstLine(error) }
    } finally {
      slot.current = undefined
      if (page) await page.close().catch(() => undefined)
      releaseGeneration(generation)
    }
    const elapsedMs = Math.round(performance.now() - started)
    counters.nav_ms_total += elapsedMs
    counters.nav_ms_max = Math.max(counters.nav_ms_max, elapsedMs)
    if (state.status !== null) {
      const key = String(state.status)
      counters.by_status[key] = (counters.by_status[key] ?? 0) + 1
    }
    if (result.error === undefined) counters.navigations_ok++
    else counters.navigation_errors++
    if (generation.dead) await dropContext(slot)
    else if (slot.pages >= options.pagesPerContext) {
      await dropContext(slot)
      counters.context_recycles++
    }
    return { ...result, status: state.status, elapsedMs, requests: state.requests, blocked: state.blocked }
  }

  const render = async (url: string): Promise<RenderResult> => {
    if (closed) throw new BrowserPoolClosed()
    if (!/^https?:\/\//i.test(url)) {
      // file:, chrome:, data:… would be loaded by the browser itself, outside route interception.
      counters.pages++
      counters.navigation_errors++
      const error = `unsupported URL (only http and https are rendered): ${url.slice(0, 100)}`
      return { url, status: null, html: "", text: "", elapsedMs: 0, requests: 0, blocked: 0, error }
    }
    const slot = await acquire()
    try {
      return await renderIn(slot, url)
    } finally {
      release(slot)
    }
  }

  const close = (): Promise<void> => {
    closing ??= (async () => {
      closed = true
      for (const waiter of waiters.splice(0)) waiter.reject(new BrowserPoolClosed())
      await launching?.catch(() => undefined)
      current = undefined
      await Promise.all([...generations].map(closeBrowser))
      await Promise.all(closingBrowsers)
    })()
    return closing
  }

  const stats = (): PoolStats => ({ ...counters, by_status: { ...counters.by_status } })

  await launch()
  return { render, close, stats }
}
