/** Export: dataset files, manifest, checksums, data dictionary, premium rows. */
import { definePlugin } from "../../core/Plugin.ts"
import { packageExport } from "./PackageExport.ts"
import { premiumDataset } from "./PremiumDataset.ts"

export default definePlugin({
  id: "export",
  version: "0.1.0",
  description: "Dataset files and their documentation",
  steps: [packageExport, premiumDataset]
})
