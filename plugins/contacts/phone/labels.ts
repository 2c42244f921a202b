/**
 * What the words around a number say it is. French pages label numbers just before them
 * ("Tél. :", "Téléphone", "Portable", "Fax :", "Télécopie", "T. … F. …") and label identifiers the
 * same way ("SIRET", "RCS Paris", "TVA", "capital de"), so the label nearest before a number,
 * in its line or the line above, decides between a phone, a fax and something that is no phone.
 */

export type Label = "phone" | "fax" | "phone_and_fax" | "identifier" | "none"

const fold = (text: string): string =>
  text
    .toLowerCase()
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")

/** Words that introduce a phone number ("Tél", "Tel.", "Téléphone", "Portable", "Standard", "Numéro vert", "Appelez"). */
const PHONE_WORD =
  /\b(tel|tels|telephone|telephones|phone|portable|port|mobile|mob|gsm|fixe|standard|numero vert|appele[rz]|appel|whatsapp|joignable|hotline|astreinte|urgences?)\b/g
/** Words that introduce a fax number. "Téléc." is the usual abbreviation of télécopie. */
const FAX_WORD = /\b(fax|telefax|telecopie|telecopieur|telec)\b/g
/**
 * Identifier labels: the registration, tax, bank and legal numbers that sit in the same notices as
 * phones. A number right after one of these is that identifier, never a phone.
 */
const IDENTIFIER_WORD =
  /\b(siren|siret|rcs|rm|rcs\/rm|tva|intracom\w*|ape|naf|capital|iban|bic|swift|rib|isbn|issn|ean|rna|adeli|rpps|finess|orias|agrement|declaration|licence|loi|decret|arrete|article|directive|reference|ref|commande|facture|dossier|immatricul\w*|latitude|longitude|gps)\b/g
/** How far back a phone or fax label may sit: "Téléphone du secrétariat :" fits, a whole sentence does not. */
const LABEL_REACH = 48
/** How far back an identifier label may sit: "N° TVA intracommunautaire : FR" fits. */
const IDENTIFIER_REACH = 32

/** One-letter labels of business cards: "T. 01 23…", "F : 01 23…" (upper case only, right before the number). */
const LETTER_LABEL = /(?:^|[\s|,;·•-])([TF])\s?[.:]\s*$/

/** The last match of a global pattern in a text, as an index, or -1. */
const lastIndex = (pattern: RegExp, text: string): number => {
  let at = -1
  for (const match of text.matchAll(pattern)) at = match.index
  return at
}

/**
 * Reads the text written just before a number (since the previous number of the line, at most a
 * few words). The label nearest the number wins, except that a phone and a fax word written
 * together ("Tél/Fax", "Tél. et fax") make a number that is both.
 */
export const labelBefore = (before: string): Label => {
  const letter = LETTER_LABEL.exec(before)
  if (letter !== null) return letter[1] === "F" ? "fax" : "phone"
  const text = fold(before.slice(-LABEL_REACH))
  const phone = lastIndex(PHONE_WORD, text)
  const fax = lastIndex(FAX_WORD, text)
  // An identifier's label sits right before it ("RCS Paris ", "loi n° "); further back it is a sentence.
  const near = Math.max(0, text.length - IDENTIFIER_REACH)
  const identifierNear = lastIndex(IDENTIFIER_WORD, text.slice(near))
  const identifier = identifierNear < 0 ? -1 : near + identifierNear
  if (identifier > phone && identifier > fax) return "identifier"
  if (phone >= 0 && fax >= 0) {
    // "Tél/Fax" or "Fax & tél." label one number; "Tél : … Fax :" cannot reach here (a number sits between).
    return "phone_and_fax"
  }
  if (fax >= 0) return "fax"
  if (phone >= 0) return "phone"
  return "none"
}

/**
 * "01 23 45 67 89 (fax)", or "… fax" ending the line: a label after the number. A fax word that
 * goes on ("- Fax : 01…") labels the next number instead.
 */
export const faxAfter = (after: string): boolean =>
  /^\s*\(\s*(fax|t[ée]l[ée]copie)\s*\)|^\s*[-–]?\s*(fax|t[ée]l[ée]copie)\s*$/i.test(after)

/** Amounts: "3 687 776,00 €", "10 000 euros" (the digits are a price or a share capital). */
export const amountAfter = (after: string): boolean =>
  /^\s*(?:[,.]\d+\s*)?(?:€|eur\b|euros?\b|k€|ht\b|ttc\b)/i.test(after)

/** Whether a text has any letter: a run of punctuation alone is no label. */
export const hasLetter = (text: string): boolean => /\p{L}/u.test(text)
