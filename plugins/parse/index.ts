/** Parsers: structured data out of the pages collectors kept. */
import { definePlugin } from "../../core/Plugin.ts"
import { parseHtmlStep } from "./ParseHtmlStep.ts"
import { parseJsonLdStep } from "./ParseJsonLdStep.ts"

export default definePlugin({
  id: "parse",
  version: "0.1.0",
  description: "HTML and JSON-LD parsing of collected pages (parse.html, parse.jsonld)",
  steps: [parseHtmlStep, parseJsonLdStep]
})
