/**
 * A feed (RSS 2.0, Atom, JSON Feed) as a simple HTML page, so the extractors read it like any other
 * page: the channel's title and description, its editor and webmaster addresses (RSS puts a contact
 * address there), and each item's title, link and text. Item bodies are HTML already and stay so.
 */
import { Parser } from "htmlparser2"
import { escapeHtml } from "./html.ts"

export interface FeedContent {
  readonly title: string
  readonly lines: ReadonlyArray<string>
  /** Item bodies, as HTML. */
  readonly bodies: ReadonlyArray<string>
  readonly links: ReadonlyArray<string>
}

/** Elements whose text is kept as a line, and elements whose text is an item's HTML body. */
const LINE_ELEMENTS = new Set([
  "title",
  "description",
  "subtitle",
  "managingeditor",
  "webmaster",
  "name",
  "email",
  "author",
  "dc:creator",
  "itunes:email"
])
const BODY_ELEMENTS = new Set(["content:encoded", "content", "summary", "description"])
const ITEM_ELEMENTS = new Set(["item", "entry"])

const readXmlFeed = (xml: string): FeedContent => {
  const lines: string[] = []
  const bodies: string[] = []
  const links: string[] = []
  let title = ""
  const stack: string[] = []
  let text = ""
  let inItem = 0
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        const tag = name.toLowerCase()
        stack.push(tag)
        text = ""
        if (ITEM_ELEMENTS.has(tag)) inItem++
        // Atom: <link href="…" rel="alternate"/>.
        if (tag === "link" && attributes.href) links.push(attributes.href)
      },
      ontext(chunk) {
        text += chunk
      },
      oncdatastart() {},
      onclosetag(name) {
        const tag = name.toLowerCase()
        stack.pop()
        const value = text.trim()
        text = ""
        if (ITEM_ELEMENTS.has(tag)) inItem--
        if (value === "") return
        if (tag === "link") links.push(value)
        else if (inItem > 0 && BODY_ELEMENTS.has(tag)) bodies.push(value)
        else if (LINE_ELEMENTS.has(tag) || BODY_ELEMENTS.has(tag)) {
          if (tag === "title" && title === "") title = value
          else lines.push(value)
        }
      }
    },
    { xmlMode: true, decodeEntities: true, recognizeCDATA: true }
  )
  parser.write(xml)
  parser.end()
  return { title, lines, bodies, links }
}

const readJsonFeed = (json: string): FeedContent | undefined => {
  let feed: unknown
  try {
    feed = JSON.parse(json)
  } catch {
    return undefined
  }
  if (typeof feed !== "object" || feed === null) return undefined
  const record = feed as Record<string, unknown>
  const strings = (value: unknown): string[] => (typeof value === "string" && value.trim() !== "" ? [value.trim()] : [])
  const authors = [record.author, ...(Array.isArray(record.authors) ? record.authors : [])].flatMap((author) =>
    typeof author === "object" && author !== null
      ? [...strings((author as Record<string, unknown>).name), ...strings((author as Record<string, unknown>).url)]
      : []
  )
  const items = Array.isArray(record.items) ? (record.items as Array<Record<string, unknown>>) : []
  return {
    title: strings(record.title)[0] ?? "",
    lines: [...strings(record.description), ...authors, ...items.flatMap((item) => strings(item.title))],
    bodies: items.flatMap((item) => [...strings(item.content_html), ...strings(item.content_text).map(escapeHtml)]),
    links: [...strings(record.home_page_url), ...items.flatMap((item) => strings(item.url))]
  }
}

/** The content of a feed, or undefined when the text is no feed at all. */
export const readFeed = (text: string): FeedContent | undefined => {
  const start = text.trimStart()
  if (start.startsWith("{")) return readJsonFeed(start)
  if (!/<(rss|feed|rdf:RDF)\b/i.test(start.slice(0, 2048))) return undefined
  return readXmlFeed(start)
}

/** The feed as an HTML page: lines as paragraphs, item bodies as they are, links as anchors. */
export const feedAsHtml = (feed: FeedContent): string =>
  [
    `<!DOCTYPE html><html><head><title>${escapeHtml(feed.title)}</title></head><body><main>`,
    `<h1>${escapeHtml(feed.title)}</h1>`,
    ...feed.lines.map((line) => `<p>${escapeHtml(line)}</p>`),
    ...feed.bodies.map((body) => `<article>${body}</article>`),
    ...feed.links.map((link) => `<p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>`),
    "</main></body></html>"
  ].join("\n")
