/**
 * Generic (a role or the business: `contact@`, `accueil@`, `dipeppo@`) or nominative (a person:
 * `marie.dupont@`, `p.nom@`, `yvesmartin@`): a nominative address is personal data under the GDPR,
 * so when the shape says "a person" we say so even if the rest is a trade (`marine.avocat@`).
 */
import { FIRST_NAMES } from "./firstNames.ts"

export type AddressKind = "generic" | "nominative"

/** Mailbox words for a role, a department or the business as a whole. */
const ROLES = new Set(
  (
    "contact contacts contacte info infos information informations accueil direction directeur directrice admin " +
    "administration administratif bonjour hello hi salut support sav service services client clients clientele " +
    "commercial commerciale commande commandes compta comptabilite facturation facture factures devis reservation " +
    "reservations resa booking rdv secretariat secretaire office bureau mairie cabinet agence boutique shop magasin " +
    "atelier restaurant recrutement rh jobs emploi presse press communication com marketing webmaster noreply " +
    "postmaster dpo rgpd privacy legal juridique technique tech president presidente tresorier tresoriere club asso " +
    "association equipe team vente ventes sales achat achats gestion mail email courrier question questions aide " +
    "help newsletter adhesion inscription inscriptions partenariat benevoles animation evenements events formation " +
    "location ecole studio gite hotel camping cave ferme pro entreprise societe"
  ).split(" ")
)

/** A token that is a first name, or a first name with a surname or initial glued on (`yvesmartin`, `anaelleb`). */
const isPersonToken = (token: string): boolean => {
  if (FIRST_NAMES.has(token)) return true
  for (let length = 4; length < token.length; length++) {
    const rest = token.length - length
    if ((rest === 1 || rest >= 3) && FIRST_NAMES.has(token.slice(0, length))) return true
  }
  return false
}

const startsWithRole = (token: string): boolean => {
  if (ROLES.has(token)) return true
  for (const role of ROLES) if (role.length >= 4 && token.startsWith(role)) return true
  return false
}

/** Whether the local part of `address` names a person or a role/business. */
export const addressKind = (address: string): AddressKind => {
  const local = address.slice(0, address.lastIndexOf("@")).toLowerCase()
  const words = local.split(/[._+-]/).filter((word) => word !== "")
  const tokens = words.map((word) => word.replace(/\d+/g, "")).filter((token) => token !== "")
  if (tokens.some(isPersonToken)) return "nominative"
  if (tokens.some(startsWithRole)) return "generic"
  // `p.nom@`, `nom.p@`, `p-nom@`: an initial beside a word is how companies name staff mailboxes.
  if (tokens.length === 2 && tokens.some((token) => token.length === 1) && tokens.some((token) => token.length >= 3)) {
    return "nominative"
  }
  return "generic"
}
