/** Quality: checks, scores. */
import { definePlugin } from "../../core/Plugin.ts"
import { cleanContactsStep } from "./CleanContacts.ts"
import { qualityChecks } from "./QualityChecks.ts"
import { qualityDedupe } from "./QualityDedupe.ts"
import { qualityScore } from "./QualityScore.ts"

export default definePlugin({
  id: "quality",
  version: "0.1.0",
  description: "Checks, scores and duplicate flags",
  steps: [qualityChecks, qualityScore, qualityDedupe, cleanContactsStep]
})
