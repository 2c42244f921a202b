/**
 * The text of a PDF, line by line, with unpdf (Mozilla's pdf.js in a build for servers: pure JS, no
 * canvas, no worker thread to set up). Loaded when parse.pdf runs, so other commands start without it.
 */

export interface PdfText {
  readonly title: string | null
  readonly pages: number
  readonly lines: ReadonlyArray<string>
}

export class PdfUnreadable extends Error {}

/** The text lines of a PDF (every page), or PdfUnreadable naming why. */
export const pdfText = async (bytes: Uint8Array, maxPages: number): Promise<PdfText> => {
  const { getDocumentProxy } = await import("unpdf")
  let document: Awaited<ReturnType<typeof getDocumentProxy>>
  try {
    // pdf.js takes ownership of (and detaches) the buffer it is given: hand it a copy.
    // Verbosity 0: errors only; pdf.js otherwise warns on stderr about every oddity of a damaged file.
    document = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 })
  } catch (error) {
    throw new PdfUnreadable(`not a readable PDF: ${(error as Error).message}`)
  }
  try {
    const info = await document.getMetadata().catch(() => undefined)
    const title = (info?.info as { Title?: unknown } | undefined)?.Title
    const lines: string[] = []
    const pages = Math.min(document.numPages, maxPages)
    for (let number = 1; number <= pages; number++) {
      const page = await document.getPage(number)
      const content = await page.getTextContent()
      let line = ""
      for (const item of content.items) {
        if (!("str" in item)) continue
        line += item.str
        if (item.hasEOL) {
          if (line.trim() !== "") lines.push(line.trim())
          line = ""
        }
      }
      if (line.trim() !== "") lines.push(line.trim())
    }
    return { title: typeof title === "string" && title.trim() !== "" ? title.trim() : null, pages, lines }
  } finally {
    await document.loadingTask.destroy()
  }
}
