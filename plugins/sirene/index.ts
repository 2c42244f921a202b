/** The SIRENE registry: collecting establishments and legal units from the INSEE stock files. */
import { definePlugin } from "../../core/Plugin.ts"
import { ApiCollectLive, apiCollect } from "./ApiCollect.ts"
import { dumpsCollect } from "./DumpsCollect.ts"

export default definePlugin({
  id: "sirene",
  version: "0.1.0",
  description: "SIRENE stock files and company lists",
  steps: [dumpsCollect, apiCollect],
  layer: ApiCollectLive
})
