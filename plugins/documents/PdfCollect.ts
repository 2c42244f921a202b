/**
 * `pdf.collect`: the PDF documents each company's site links to (terms of sale, legal notices,
 * price lists, brochures), the most telling first, fetched politely with a size cap and kept as
 * bytes in `pages/pdf.sqlite` for parse.pdf. Terms of sale in PDF often hold the SIREN, the RCS
 * and an order desk address that no HTML page shows.
 */
import * as Context from "effect/Context"
import { defineStep, type StepService } from "../../core/Step.ts"
import { PDF_PAGES } from "../web/PageStore.ts"
import { COLLECTOR_READS, type CollectorSettings, collectorLayer } from "./collectDocuments.ts"
import { pdfTargets } from "./discover.ts"
import { collectorConfig } from "./settings.ts"

const Config = collectorConfig({ maxDocuments: 3, maxBytes: 10 * 1024 * 1024 })

export class PdfCollect extends Context.Tag("plugin/documents/PdfCollect")<
  PdfCollect,
  StepService<CollectorSettings>
>() {}

/** Servers label PDFs loosely: application/pdf, x-pdf, or a generic download type. */
const PDF_TYPES = ["application/pdf", "application/x-pdf", "application/octet-stream", "binary/octet-stream"]

export const PdfCollectLive = collectorLayer(PdfCollect, {
  store: PDF_PAGES,
  hostClass: "document",
  accept: PDF_TYPES,
  targets: pdfTargets,
  binary: true,
  countField: "documents_found",
  measure: "documents_kept",
  noun: "PDF documents",
  summary: "reports/pdf_summary.json"
})

export const pdfCollect = defineStep({
  id: "pdf.collect",
  description:
    "PDF documents the company's site links to (terms, legal notice, brochures), fetched politely for parse.pdf",
  kind: "transform",
  needs: ["crawl.site"],
  after: ["crawl.site", "headless.collect"],
  reads: COLLECTOR_READS,
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
