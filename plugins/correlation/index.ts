/** Correlation: does a website belong to the registry company it was found for? */
import { definePlugin } from "../../core/Plugin.ts"
import { correlationChecks } from "./CorrelationChecks.ts"

export default definePlugin({
  id: "correlation",
  version: "0.1.0",
  description: "Company-to-website match scores from the site's own statements (correlation.checks)",
  steps: [correlationChecks]
})
