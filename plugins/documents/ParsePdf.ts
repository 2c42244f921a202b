/**
 * `parse.pdf`: the text of the PDF documents pdf.collect kept, page by page, into
 * `pages/pdf_text.sqlite` as plain HTML pages (a title and one paragraph per line), with the URL,
 * kind and fetch time of their document. From there parse.html, the enrich steps and
 * correlation.checks read them like any other page of the site, with the same rules (a legal
 * notice's host section, third-party values, provenance). A PDF that cannot be read is counted
 * and named in the step's report, never fatal.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { Rec } from "../../core/Record.ts"
import { defineStep } from "../../core/Step.ts"
import { PageStore, PDF_PAGES, PDF_TEXT_PAGES, type StoredPage, siteOf } from "../web/PageStore.ts"
import { linesAsHtml } from "./html.ts"

const Config = Schema.Struct({
  /** Pages of a document read at most: terms and notices are short; a 200-page catalogue is not read whole. */
  max_pages: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 500)), { default: () => 20 })
})

const REPORT = "reports/pdf_parse_summary.json"

export const parsePdf = defineStep({
  id: "parse.pdf",
  description: "Text of the PDF documents pdf.collect kept, as pages the extractors read like the site's own",
  kind: "transform",
  needs: ["pdf.collect"],
  after: ["pdf.collect"],
  reads: {
    website: { type: "string", description: "Website crawled", optional: true }
  },
  writes: {
    documents_parsed: { type: "integer", description: "PDF documents of the company's site whose text was read" }
  },
  outputs: [
    { path: PDF_TEXT_PAGES, description: "The text of each PDF as a simple HTML page (SQLite: tables sites, pages)" },
    { path: REPORT, description: "Documents read, pages, unreadable documents with the reason" }
  ],
  config: Config,
  version: "1",
  run: (input, context) =>
    Stream.unwrapScoped(
      Effect.gen(function* () {
        const written = context.upstreamOutputs().map((output) => output.path)
        const documents = yield* Effect.acquireRelease(
          Effect.sync(() => (written.includes(PDF_PAGES) ? PageStore.read(context.path(PDF_PAGES)) : undefined)),
          (store) => Effect.sync(() => store?.close())
        )
        const texts = yield* Effect.acquireRelease(
          Effect.sync(() =>
            PageStore.open(context.path(PDF_TEXT_PAGES), context.runId, JSON.stringify(context.config))
          ),
          (store) => Effect.sync(() => store.close())
        )
        const { pdfText, PdfUnreadable } = yield* Effect.promise(() => import("./pdfText.ts"))
        const tally = { documents: 0, pages: 0, unreadable: [] as Array<{ url: string; reason: string }> }
        const started = performance.now()

        const readSite = (site: string) =>
          Effect.promise(async () => {
            const pages: StoredPage[] = []
            for (const document of documents!.pagesOf(site)) {
              if (document.body === undefined) continue
              try {
                const text = await pdfText(document.body, context.config.max_pages)
                tally.documents++
                tally.pages += text.pages
                pages.push({
                  ...document,
                  contentType: "text/html",
                  charset: "utf-8",
                  html: linesAsHtml(text.title ?? document.url, text.lines),
                  body: undefined
                })
              } catch (error) {
                if (!(error instanceof PdfUnreadable)) throw error
                tally.unreadable.push({ url: document.url, reason: error.message })
              }
            }
            texts.finish({ site, status: "ok", detail: null, homeUrl: null, pages: pages.length }, pages)
            return pages.length
          })

        const withText = (record: Rec): Effect.Effect<Rec> => {
          const site = siteOf(record.website)
          if (site === undefined || documents?.finished(site.key) === undefined) {
            return Effect.succeed({ ...record, documents_parsed: 0 })
          }
          const done = texts.finished(site.key)
          if (done !== undefined) return Effect.succeed({ ...record, documents_parsed: done.pages })
          return readSite(site.key).pipe(Effect.map((parsed) => ({ ...record, documents_parsed: parsed })))
        }

        const finish = Effect.gen(function* () {
          const seconds = Math.max(1e-9, (performance.now() - started) / 1000)
          const counts = texts.counts()
          const summary = {
            documents: counts.pages,
            documents_read_now: tally.documents,
            pdf_pages_read_now: tally.pages,
            unreadable: tally.unreadable,
            seconds: Math.round(seconds * 1000) / 1000
          }
          yield* context.measure("documents_parsed", counts.pages)
          yield* context.writeOutput(REPORT, [`${JSON.stringify(summary, null, 2)}\n`])
          yield* context.log(
            `read ${tally.documents} PDF documents (${tally.pages} pages)${tally.unreadable.length > 0 ? `, ${tally.unreadable.length} unreadable (see ${REPORT})` : ""}`
          )
        })

        // One document at a time: reading a PDF is CPU work, and sites sharing a domain read it once.
        return input.pipe(
          Stream.mapEffect(withText),
          Stream.concat(
            Stream.fromEffect(
              finish.pipe(
                Effect.zipRight(Effect.sync(() => texts.close())),
                Effect.zipRight(context.recordOutput(PDF_TEXT_PAGES))
              )
            ).pipe(Stream.drain)
          )
        )
      })
    )
})
