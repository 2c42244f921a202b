/** Text into HTML for the pages built from feeds and documents. */
const ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }

export const escapeHtml = (text: string): string => text.replace(/[&<>"]/g, (char) => ESCAPES[char]!)

/** Lines of a document's text as an HTML page: a title, then one paragraph per line. */
export const linesAsHtml = (title: string, lines: ReadonlyArray<string>): string =>
  [
    `<!DOCTYPE html><html><head><title>${escapeHtml(title)}</title></head><body><main>`,
    ...lines.map((line) => `<p>${escapeHtml(line)}</p>`),
    "</main></body></html>"
  ].join("\n")
