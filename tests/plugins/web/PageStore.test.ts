/**
 * The crawl's page store: pages are gathered and written a few at a time, yet every read sees them,
 * and a process that dies keeps exactly the finished sites (what a resume relies on).
 */
import { afterAll, describe, expect, test } from "bun:test"
import { join } from "node:path"
import { PageStore, type StoredPage } from "../../../plugins/web/PageStore.ts"
import { tempDirs } from "../../cli/support.ts"

const dirs = tempDirs("page-store")
afterAll(() => dirs.cleanup())

const page = (site: string, path: string, size = 100): StoredPage => ({
  url: `${site}${path}`,
  finalUrl: `${site}${path}`,
  kind: path === "/" ? "home" : "contact",
  depth: path === "/" ? 0 : 1,
  status: 200,
  contentType: "text/html",
  charset: "utf-8",
  fetchedAt: 1_700_000_000_000,
  needsBrowser: false,
  html: `<p>${path}</p>${"x".repeat(size)}`
})

const ok = (site: string, pages: number) => ({ site, status: "ok" as const, detail: null, homeUrl: `${site}/`, pages })

describe("PageStore", () => {
  test("pages still gathered are seen by every read, in the order they came", () => {
    const store = PageStore.open(join(dirs.make(), "crawl.sqlite"), "run-1")
    store.addPage("https://a.fr", page("https://a.fr", "/"))
    store.addPage("https://a.fr", page("https://a.fr", "/contact"))
    expect(store.counts()).toEqual({ sites: 0, pages: 2 })
    expect(store.pagesOf("https://a.fr").map((stored) => stored.url)).toEqual(["https://a.fr/", "https://a.fr/contact"])
    expect(store.pageRefsOf("https://a.fr").map((ref) => ref.kind)).toEqual(["home", "contact"])
    store.close()
  })

  test("a process that dies keeps the finished sites with all their pages, and nothing of the others", () => {
    const file = join(dirs.make(), "crawl.sqlite")
    const dying = PageStore.open(file, "run-1")
    // More pages than one write gathers, so some were written before the site finished.
    for (let i = 0; i < 40; i++) dying.addPage("https://a.fr", page("https://a.fr", `/p${i}`))
    dying.finish(ok("https://a.fr", 40))
    dying.addPage("https://b.fr", page("https://b.fr", "/"))
    // Large pages are written before the count is reached: the site is still unfinished.
    dying.addPage("https://c.fr", page("https://c.fr", "/", 2 << 20))
    // No close: the process is gone. Another one opens the store to resume the same run.
    const resumed = PageStore.open(file, "run-1")
    expect(resumed.finished("https://a.fr")).toMatchObject({ status: "ok", pages: 40 })
    expect(resumed.pagesOf("https://a.fr")).toHaveLength(40)
    expect(resumed.finished("https://b.fr")).toBeUndefined()
    expect(resumed.finished("https://c.fr")).toBeUndefined()
    expect(resumed.counts()).toEqual({ sites: 1, pages: 40 })
    resumed.close()
  })

  test("close writes what is still gathered: the file alone holds every page", () => {
    const file = join(dirs.make(), "crawl.sqlite")
    const store = PageStore.open(file, "run-1")
    store.addPage("https://a.fr", page("https://a.fr", "/"))
    store.finish(ok("https://a.fr", 2), [page("https://a.fr", "/mentions-legales")])
    store.addPage("https://b.fr", page("https://b.fr", "/"))
    store.close()
    const reader = PageStore.read(file)
    expect(reader.pagesOf("https://a.fr").map((stored) => stored.url)).toEqual([
      "https://a.fr/",
      "https://a.fr/mentions-legales"
    ])
    expect(reader.pagesOf("https://b.fr")).toHaveLength(1)
    reader.close()
  })
})
