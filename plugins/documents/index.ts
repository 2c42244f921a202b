/** Extra sources beyond the site's pages: its feeds and its PDF documents, and their text. */
import * as Layer from "effect/Layer"
import { definePlugin } from "../../core/Plugin.ts"
import { FeedsCollectLive, feedsCollect } from "./FeedsCollect.ts"
import { parsePdf } from "./ParsePdf.ts"
import { PdfCollectLive, pdfCollect } from "./PdfCollect.ts"

export default definePlugin({
  id: "documents",
  version: "0.1.0",
  description: "Feeds (feeds.collect), PDF documents (pdf.collect) and their text (parse.pdf)",
  steps: [feedsCollect, pdfCollect, parsePdf],
  layer: Layer.mergeAll(FeedsCollectLive, PdfCollectLive)
})
