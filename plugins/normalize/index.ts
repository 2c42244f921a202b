/** Normalisation of registry rows. */
import { definePlugin } from "../../core/Plugin.ts"
import { standardizeStep } from "./Standardize.ts"

export default definePlugin({
  id: "normalize",
  version: "0.1.0",
  description: "SIRENE rows to normalised fields",
  steps: [standardizeStep]
})
