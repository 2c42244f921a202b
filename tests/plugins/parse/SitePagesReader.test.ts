/**
 * Which pages extraction reads: this run's page stores only, the browser render in place of the
 * static page, and nothing from hosts that carry many companies' pages.
 */
import { afterAll, describe, expect, test } from "bun:test"
import { join } from "node:path"
import { SitePagesReader } from "../../../plugins/parse/SitePagesReader.ts"
import { CRAWL_PAGES, HEADLESS_PAGES, PageStore, type StoredPage } from "../../../plugins/web/PageStore.ts"
import { tempDirs } from "../../cli/support.ts"

const dirs = tempDirs("pages")
afterAll(() => dirs.cleanup())

const page = (url: string, html: string): StoredPage => ({
  url,
  finalUrl: url,
  kind: "contact",
  depth: 1,
  status: 200,
  contentType: "text/html",
  charset: "utf-8",
  fetchedAt: 1_700_000_000_000,
  needsBrowser: false,
  html
})

const runFolder = (stores: Record<string, Array<[string, StoredPage]>>) => {
  const dir = dirs.make()
  for (const [file, pages] of Object.entries(stores)) {
    const store = PageStore.open(join(dir, file), "run-1")
    for (const [site, stored] of pages) store.addPage(site, stored)
    for (const site of new Set(pages.map(([key]) => key))) {
      store.finish({ site, status: "ok", detail: null, homeUrl: `${site}/`, pages: 1 })
    }
    store.close()
  }
  return (relative: string) => join(dir, relative)
}

describe("SitePagesReader", () => {
  test("the browser's render replaces the static page; a store this run did not write is not read", () => {
    const path = runFolder({
      [CRAWL_PAGES]: [["http://acme.fr", page("http://acme.fr/contact", "<p>static</p>")]],
      [HEADLESS_PAGES]: [["http://acme.fr", page("http://acme.fr/contact", "<p>rendered</p>")]]
    })
    const texts = (written: string[]) => {
      const reader = SitePagesReader.open(path, written)
      try {
        return reader.sitePagesOf({ website: "acme.fr" }).pages.map((parsed) => parsed.blocks[0]?.text)
      } finally {
        reader.close()
      }
    }
    expect(texts([CRAWL_PAGES, HEADLESS_PAGES])).toEqual(["rendered"])
    // headless.collect did not run in this run (no browser): the old render is ignored.
    expect(texts([CRAWL_PAGES])).toEqual(["static"])
    expect(texts([])).toEqual([])
  })

  test("a website on a shared host (a Facebook page, a directory) gives no pages: they are not the company's", () => {
    const path = runFolder({
      [CRAWL_PAGES]: [
        ["https://www.facebook.com", page("https://www.facebook.com/BoulangerieA", "<p>01 23 45 67 89</p>")],
        ["https://www.pagesjaunes.fr", page("https://www.pagesjaunes.fr/pros/1", "<p>02 23 45 67 89</p>")]
      ]
    })
    const reader = SitePagesReader.open(path, [CRAWL_PAGES])
    try {
      expect(reader.sitePagesOf({ website: "https://www.facebook.com/GarageB" }).pages).toEqual([])
      expect(reader.sitePagesOf({ website: "https://www.pagesjaunes.fr/pros/1" }).pages).toEqual([])
    } finally {
      reader.close()
    }
  })
})
