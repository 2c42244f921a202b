/**
 * `pdf.collect`: the PDF documents each company's site links to (terms of sale, legal notices,
 * price lists, brochures), the most telling first, fetched politely with a size cap and kept as
 * bytes in `pages/pdf.sqlite` for parse.pdf. Terms of sale in PDF often hold the SIREN, the RCS
 * and an order desk address that no HTML page shows.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { HttpFetcher } from "../../core/http/HttpFetcher.ts"
import { defineStep, type StepService } from "../../core/Step.ts"
import { PDF_PAGES } from "../web/PageStore.ts"
import { type CollectorSettings, collectDocuments, storedDocument } from "./collectDocuments.ts"
import { pdfTargets } from "./discover.ts"
import { collectorConfig } from "./settings.ts"

const Config = collectorConfig({ maxDocuments: 3, maxBytes: 10 * 1024 * 1024 })

export class PdfCollect extends Context.Tag("plugin/documents/PdfCollect")<
  PdfCollect,
  StepService<CollectorSettings>
>() {}

export const PdfCollectLive = Layer.effect(
  PdfCollect,
  Effect.map(HttpFetcher, (fetcher) => ({
    run: (input, context) =>
      collectDocuments(
        fetcher,
        {
          store: PDF_PAGES,
          hostClass: "document",
          // Servers label PDFs loosely: application/pdf, x-pdf, or a generic download type.
          accept: ["application/pdf", "application/x-pdf", "application/octet-stream", "binary/octet-stream"],
          targets: pdfTargets,
          keep: (response, target) => storedDocument(response, target, true),
          countField: "documents_found",
          summary: "reports/pdf_summary.json"
        },
        input,
        context
      )
  }))
)

export const pdfCollect = defineStep({
  id: "pdf.collect",
  description:
    "PDF documents the company's site links to (terms, legal notice, brochures), fetched politely for parse.pdf",
  kind: "transform",
  needs: ["crawl.site"],
  after: ["crawl.site", "headless.collect"],
  reads: {
    website: { type: "string", description: "Website crawled", optional: true },
    crawl_home_url: { type: "string", description: "Home page after redirects", optional: true }
  },
  writes: {
    documents_found: { type: "integer", description: "PDF documents of the company's site kept" }
  },
  outputs: [
    { path: PDF_PAGES, description: "The PDF documents fetched (SQLite: tables sites, pages; bytes in pages.body)" },
    { path: "reports/pdf_summary.json", description: "Sites, documents kept and fetch failures" }
  ],
  config: Config,
  version: "1",
  tag: PdfCollect
})
