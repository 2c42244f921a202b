/** Contacts: emails, phones and social profiles from each company's own pages. */
import { definePlugin } from "../../core/Plugin.ts"
import { enrichContactsStep } from "./EnrichContacts.ts"
import { enrichEmailStep } from "./EnrichEmail.ts"
import { enrichLinkedinStep } from "./EnrichLinkedin.ts"
import { enrichPhoneStep } from "./EnrichPhone.ts"

export default definePlugin({
  id: "contacts",
  version: "0.1.0",
  description: "Emails, phones and social profiles from company pages (enrich.email, enrich.phone, enrich.linkedin)",
  steps: [enrichEmailStep, enrichPhoneStep, enrichLinkedinStep, enrichContactsStep]
})
