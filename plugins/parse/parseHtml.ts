/**
 * HTML → ParsedPage in one streaming pass (htmlparser2's tokenizer: no DOM is built, which keeps
 * parsing in the thousands of pages per second per core; cheerio on parse5 builds a full tree and
 * is several times slower for the same visible text).
 *
 * What a reader sees is kept, in blocks tagged with their page part; what a reader never sees is
 * dropped: scripts and styles (JSON-LD aside), comments, `<template>`, and attributes (form
 * placeholders, values, titles). Elements hidden by `hidden` or an inline `display: none` are kept:
 * on company sites they are modals, accordions and tabs a visitor opens (legal notices often live in
 * one). Cloudflare's email protection is undone where it stands, so the decoded address reads in its
 * sentence.
 */
import { Parser } from "htmlparser2"
import type { MicrodataItem, PageLink, PagePart, ParsedPage, TextBlock } from "./ParsedPage.ts"
import { labelRunsOn, partOfClass, partOfHeading, partOfLabel, partOfTag } from "./sections.ts"

export interface PageMeta {
  readonly url: string
  readonly kind?: string | null
  readonly fetchedAt?: number | null
}

/** Elements that end a line of text: their content starts and ends a block. */
const BLOCK = new Set([
  "address",
  "article",
  "aside",
  "blockquote",
  "body",
  "button",
  "caption",
  "dd",
  "details",
  "dialog",
  "div",
  "dl",
  "dt",
  "fieldset",
  "figcaption",
  "figure",
  "footer",
  "form",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "header",
  "hr",
  "html",
  "label",
  "legend",
  "li",
  "main",
  "nav",
  "ol",
  "p",
  "pre",
  "section",
  "summary",
  "table",
  "tbody",
  "td",
  "tfoot",
  "th",
  "thead",
  "tr",
  "ul"
])

/** Elements whose content no reader sees as text. */
const SKIP = new Set([
  "script",
  "style",
  "template",
  "noscript",
  "svg",
  "math",
  "iframe",
  "object",
  "canvas",
  "select",
  "textarea",
  "head"
])

const HEADING = /^h[1-6]$/
/** Characters kept of a heading, a microdata property or a link text. */
const CAPTURE_MAX = 1000
const SECTIONING = new Set(["section", "article", "aside", "footer", "header", "main", "nav", "body", "html"])
const SPACES = /[\s\u00a0\u202f\u2007\u2009\u200b\ufeff]+/g

/** Cloudflare's `data-cfemail`: hex bytes, the first the XOR key of the rest. */
export const decodeCfEmail = (hex: string): string | null => {
  if (!/^[0-9a-f]{4,}$/i.test(hex) || hex.length % 2 !== 0) return null
  const key = Number.parseInt(hex.slice(0, 2), 16)
  let out = ""
  for (let index = 2; index < hex.length; index += 2) {
    out += String.fromCharCode(Number.parseInt(hex.slice(index, index + 2), 16) ^ key)
  }
  try {
    return decodeURIComponent(escape(out))
  } catch {
    return out
  }
}

const resolve = (href: string, base: string): string | null => {
  if (href === "" || href.startsWith("#") || /^(javascript|data):/i.test(href) || /[{}<>]|<\?/.test(href)) {
    return null
  }
  try {
    return new URL(href, base).href
  } catch {
    return null
  }
}

interface Frame {
  readonly tag: string
  /** The part this element sets (by tag or class), if any. */
  readonly part: PagePart | undefined
  readonly skip: boolean
  readonly item: MicrodataItem | undefined
  readonly prop: PropCollector | undefined
  readonly link: LinkCollector | undefined
}

interface PropCollector {
  readonly item: MicrodataItem & { props: Record<string, string[]> }
  readonly names: ReadonlyArray<string>
  text: string
}

interface LinkCollector {
  readonly href: string
  text: string
  alt: string
  readonly block: number
  readonly part: PagePart
  /** Pushed to the page's links (closed, or ended by the next <a>). */
  done: boolean
}

/** A part set by a heading or a line label, for as long as the element that holds it is open. */
interface Scope {
  readonly part: PagePart
  /** The stack depth of the element holding the heading or label: the scope ends when it closes. */
  readonly depth: number
}

export const parseHtml = (html: string, meta: PageMeta): ParsedPage => {
  const blocks: TextBlock[] = []
  const links: PageLink[] = []
  const jsonLd: Array<Record<string, unknown>> = []
  const microdata: Array<MicrodataItem & { props: Record<string, string[]> }> = []
  const stack: Frame[] = []
  let title = ""
  let lang: string | null = null
  let canonical: string | null = null

  /**
   * The part of content no element or heading places: "legal" on a legal notice (the crawl says so,
   * or its title or h1 does), so a sub-heading that names nothing ("Aleris", "Article 3") keeps the
   * notice's text in the legal part; "main" elsewhere.
   */
  let pagePart: PagePart = meta.kind === "legal" ? "legal" : "main"
  let line = ""
  /** Parts in force where the current line began. */
  let linePart: PagePart = "main"
  let lineStarted = false
  let skipDepth = 0
  let inTitle = false
  let jsonText: string | null = null
  let headingText: string | null = null
  let heading: string | null = null
  let headingScope: Scope | undefined
  let labelScope: Scope | undefined
  let currentItem: (MicrodataItem & { props: Record<string, string[]> }) | undefined
  const openProps: PropCollector[] = []
  const openLinks: LinkCollector[] = []

  /** The part of the element stack: innermost element part, except that a form always wins. */
  const elementPart = (): { part: PagePart; depth: number } => {
    let found: { part: PagePart; depth: number } | undefined
    for (let index = stack.length - 1; index >= 0; index--) {
      const part = stack[index]!.part
      if (part === "form") return { part, depth: index }
      if (part !== undefined && found === undefined) found = { part, depth: index }
    }
    return found ?? { part: pagePart, depth: -1 }
  }

  const sectionDepth = (): number => {
    for (let index = stack.length - 1; index >= 0; index--) {
      const frame = stack[index]!
      if (SECTIONING.has(frame.tag) || frame.part !== undefined) return index
    }
    // No section around it (a PHP include without <body>): the heading speaks for the rest of the file.
    return -1
  }

  const currentPart = (): PagePart => {
    const element = elementPart()
    if (element.part === "form") return "form"
    if (labelScope !== undefined) return labelScope.part
    if (element.part === "host" || element.part === "credits") return element.part
    if (headingScope !== undefined && headingScope.depth >= element.depth) return headingScope.part
    return element.part
  }

  const flush = () => {
    if (!lineStarted) return
    const text = line.replace(SPACES, " ").trim()
    line = ""
    lineStarted = false
    if (text === "") return
    let part = linePart
    if (part !== "form") {
      const labelled = partOfLabel(text, part)
      if (labelled === null && labelScope !== undefined) {
        // "Article 2 - Accès au site": the host's or agency's lines are over.
        labelScope = undefined
        part = currentPart()
      } else if (labelled !== undefined && labelled !== null) {
        // The label's element is a block (a <p>, an <li>) or its parent: the party it names runs on
        // through the following lines of the same container.
        if (labelRunsOn(text)) labelScope = { part: labelled, depth: Math.max(0, stack.length - 1) }
        part = labelled
      }
    }
    blocks.push({ text, part, heading })
  }

  const addText = (text: string) => {
    if (!lineStarted) {
      if (text.trim() === "") return
      lineStarted = true
      linePart = currentPart()
    }
    line += text
  }

  const popTo = (depth: number) => {
    if (labelScope !== undefined && labelScope.depth > depth) labelScope = undefined
    if (headingScope !== undefined && headingScope.depth > depth) headingScope = undefined
  }

  const parser = new Parser(
    {
      onopentag(tag, attributes) {
        const skip = SKIP.has(tag)
        if (tag === "html" && attributes.lang) lang = attributes.lang.toLowerCase()
        if (tag === "title") inTitle = true
        if (tag === "link" && /\bcanonical\b/i.test(attributes.rel ?? "") && attributes.href) {
          canonical = resolve(attributes.href.trim(), meta.url)
        }
        if (tag === "meta" && attributes.property === "og:url" && attributes.content && canonical === null) {
          canonical = resolve(attributes.content.trim(), meta.url)
        }
        if (tag === "script" && /ld\+json/i.test(attributes.type ?? "")) jsonText = ""
        if (skipDepth > 0 || skip) {
          skipDepth++
          stack.push({ tag, part: undefined, skip: true, item: undefined, prop: undefined, link: undefined })
          return
        }
        if (BLOCK.has(tag) || tag === "br") flush()
        if (tag === "br") line += "\n"
        if (HEADING.test(tag)) headingText = ""
        const part = partOfTag(tag) ?? partOfClass(`${attributes.class ?? ""} ${attributes.id ?? ""}`.trim())

        // Microdata
        let item: (MicrodataItem & { props: Record<string, string[]> }) | undefined
        let prop: PropCollector | undefined
        const itemprop = attributes.itemprop?.trim()
        if ("itemscope" in attributes) {
          item = { type: attributes.itemtype?.trim() || null, props: {}, part: currentPart() }
          microdata.push(item)
          if (itemprop && currentItem !== undefined) {
            for (const name of itemprop.split(/\s+/)) addProp(currentItem, name, item.type ?? "")
          }
        } else if (itemprop && currentItem !== undefined) {
          const direct = attributes.content ?? (tag === "a" || tag === "link" ? attributes.href : undefined)
          const source = tag === "img" ? attributes.src : undefined
          const value = direct ?? source
          if (value !== undefined) {
            for (const name of itemprop.split(/\s+/)) addProp(currentItem, name, value.trim())
          } else {
            prop = { item: currentItem, names: itemprop.split(/\s+/), text: "" }
            openProps.push(prop)
          }
        }

        // Links, with Cloudflare's protected hrefs decoded.
        let link: LinkCollector | undefined
        if (tag === "a" && attributes.href !== undefined) {
          let href = attributes.href.trim()
          const protectedAt = href.indexOf("/cdn-cgi/l/email-protection#")
          if (protectedAt >= 0) {
            const decoded = decodeCfEmail(href.slice(protectedAt + "/cdn-cgi/l/email-protection#".length))
            if (decoded !== null) href = `mailto:${decoded}`
          }
          // Links do not nest (a browser closes the open one): an unclosed <a> in every <li> of a
          // long list would otherwise collect all the following text, at quadratic cost.
          for (const open of openLinks.splice(0)) finishLink(open)
          link = { href, text: "", alt: "", block: blocks.length, part: currentPart(), done: false }
          openLinks.push(link)
        }
        if (tag === "img" && attributes.alt) {
          for (const open of openLinks) open.alt ||= attributes.alt.trim()
        }

        const frame: Frame = { tag, part, skip: false, item, prop, link }
        stack.push(frame)
        if (item !== undefined) currentItem = item

        const cf = attributes["data-cfemail"]
        if (cf !== undefined) {
          const decoded = decodeCfEmail(cf.trim())
          if (decoded !== null) onText(decoded)
          // Its content is Cloudflare's "[email protected]" stand-in.
          skipDepth++
          stack[stack.length - 1] = { ...frame, skip: true }
        }
      },
      ontext(text) {
        if (inTitle) title += text
        if (jsonText !== null) {
          jsonText += text
          return
        }
        if (skipDepth > 0) return
        onText(text)
      },
      onclosetag(tag) {
        const frame = stack.pop()
        if (frame === undefined) return
        if (tag === "title") {
          inTitle = false
          if (partOfHeading(title) === "legal") pagePart = "legal"
        }
        if (tag === "script" && jsonText !== null) {
          collectJsonLd(jsonText, jsonLd)
          jsonText = null
        }
        if (frame.skip) {
          skipDepth = Math.max(0, skipDepth - 1)
          // Inside a skipped element nothing counts; the skipped element itself closes like any other
          // (a data-cfemail link still ends as a link, with its decoded text).
          if (skipDepth > 0) return
        }
        if (frame.prop !== undefined) {
          const value = frame.prop.text.replace(SPACES, " ").trim()
          for (const name of frame.prop.names) addProp(frame.prop.item, name, value)
          openProps.splice(openProps.indexOf(frame.prop), 1)
        }
        if (frame.item !== undefined) {
          currentItem = undefined
          for (let index = stack.length - 1; index >= 0; index--) {
            if (stack[index]!.item !== undefined) {
              currentItem = stack[index]!.item as typeof currentItem
              break
            }
          }
        }
        if (frame.link !== undefined && !frame.link.done) {
          openLinks.splice(openLinks.indexOf(frame.link), 1)
          finishLink(frame.link)
        }
        if (HEADING.test(tag) && headingText !== null) {
          const text = headingText.replace(SPACES, " ").trim()
          headingText = null
          flush()
          if (text !== "") {
            heading = text
            if (tag === "h1" && partOfHeading(text) === "legal") pagePart = "legal"
            const part = partOfHeading(text)
            labelScope = undefined
            // The heading speaks for what follows it up to the end of its section: the nearest
            // sectioning element or element with a part of its own (headings often sit in a wrapper div).
            headingScope = part === undefined ? undefined : { part, depth: sectionDepth() }
          }
        }
        if (BLOCK.has(tag)) flush()
        popTo(stack.length - 1)
      }
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: true }
  )

  function finishLink(found: LinkCollector) {
    found.done = true
    const text = found.text.replace(SPACES, " ").trim()
    links.push({
      href: found.href,
      url: resolve(found.href, meta.url),
      text: text === "" ? found.alt : text,
      part: found.part,
      block: found.block
    })
  }

  function onText(text: string) {
    addText(text)
    // Headings, properties and link texts are short; a missing closing tag must not make them the page.
    if (headingText !== null && headingText.length < CAPTURE_MAX) headingText += text
    for (const prop of openProps) if (prop.text.length < CAPTURE_MAX) prop.text += text
    for (const link of openLinks) if (link.text.length < CAPTURE_MAX) link.text += text
  }

  parser.write(html)
  parser.end()
  flush()

  return {
    url: meta.url,
    kind: meta.kind ?? null,
    fetchedAt: meta.fetchedAt ?? null,
    title: title.replace(SPACES, " ").trim(),
    lang,
    canonical,
    blocks,
    links,
    jsonLd,
    microdata
  }
}

const addProp = (item: { props: Record<string, string[]> }, name: string, value: string) => {
  const values = item.props[name]
  if (values === undefined) item.props[name] = [value]
  else values.push(value)
}

/** JSON-LD as sites write it: sometimes with trailing commas or several objects; `@graph` flattened. */
const collectJsonLd = (text: string, into: Array<Record<string, unknown>>) => {
  const source = text.trim()
  if (source === "") return
  let value: unknown
  try {
    value = JSON.parse(source)
  } catch {
    try {
      value = JSON.parse(source.replace(/,\s*([}\]])/g, "$1"))
    } catch {
      return
    }
  }
  const visit = (node: unknown) => {
    if (Array.isArray(node)) {
      for (const member of node) visit(member)
    } else if (typeof node === "object" && node !== null) {
      const record = node as Record<string, unknown>
      if (Array.isArray(record["@graph"])) visit(record["@graph"])
      else into.push(record)
    }
  }
  visit(value)
}
