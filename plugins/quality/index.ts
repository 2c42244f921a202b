/** Quality: checks, validation, scores. */
import { definePlugin } from "../../core/Plugin.ts"
import { cleanContactsStep } from "./CleanContacts.ts"
import { enrichScore } from "./EnrichScore.ts"
import { qualityChecks } from "./QualityChecks.ts"
import { qualityDedupe } from "./QualityDedupe.ts"
import { qualityScore } from "./QualityScore.ts"
import { qualityValidation } from "./QualityValidation.ts"

export default definePlugin({
  id: "quality",
  version: "0.1.0",
  description: "Checks, field validation, quality and marketing scores, duplicate flags",
  steps: [qualityChecks, qualityValidation, qualityScore, enrichScore, qualityDedupe, cleanContactsStep]
})
