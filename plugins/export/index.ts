/** Export: dataset files, manifest, checksums, data dictionary, premium rows, metrics files. */
import { definePlugin } from "../../core/Plugin.ts"
import { metricsExport } from "./MetricsExport.ts"
import { packageExport } from "./PackageExport.ts"
import { premiumDataset } from "./PremiumDataset.ts"

export default definePlugin({
  id: "export",
  version: "0.1.0",
  description: "Dataset files and their documentation",
  steps: [packageExport, premiumDataset, metricsExport]
})
