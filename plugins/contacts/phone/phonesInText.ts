/**
 * Phone numbers in a page's visible text. Each block is a line (block elements and `<br>` end
 * one), so the label of a number is in its line before it, or ends the line above when the number
 * starts its own line (`<dt>Fax</dt><dd>01 23…</dd>`, "Téléphone :<br>01 23…").
 */
import type { TextBlock } from "../../parse/ParsedPage.ts"
import { amountAfter, faxAfter, hasLetter, type Label, labelBefore } from "./labels.ts"
import { toPhone } from "./normalize.ts"
import { findWrittenNumbers, mayHoldNumber, type WrittenNumber } from "./notation.ts"
import type { PhoneOccurrence, PhoneRole } from "./PhoneOccurrence.ts"
import { isPlaceholder } from "./placeholders.ts"
import { linesAbove, ownerOf } from "./thirdParty.ts"

/** How far back a label may sit: "Téléphone du secrétariat :" fits, a whole sentence does not. */
const LABEL_REACH = 48

const lastDigitEnd = (text: string): number => {
  for (let index = text.length - 1; index >= 0; index--) {
    const code = text.charCodeAt(index)
    if (code >= 48 && code <= 57) return index + 1
  }
  return 0
}

/**
 * The text after the last digit of a line, when short enough to be a label of the next line
 * ("Fax :", "Téléphone du cabinet"); the end of a sentence ("…conformément à la loi") is none.
 */
const labelLineOf = (block: TextBlock | undefined): string => {
  if (block === undefined) return ""
  const tail = block.text.slice(lastDigitEnd(block.text))
  return tail.length <= LABEL_REACH ? tail : ""
}

/**
 * The label of each number of a block. The words since the previous digit count; a number with
 * none takes the label of the number just before it in the line ("Fax : 01 23 45 67 89 / 01 23 45
 * 67 90" are two faxes), or, first on its line, the end of the line above.
 */
const labelsOf = (blocks: ReadonlyArray<TextBlock>, index: number, numbers: ReadonlyArray<WrittenNumber>): Label[] => {
  const text = blocks[index]!.text
  const labels: Label[] = []
  let previous: { end: number; label: Label } | undefined
  for (const number of numbers) {
    const before = text.slice(0, number.start)
    const since = lastDigitEnd(before)
    const words = before.slice(since).slice(-LABEL_REACH)
    let label: Label
    if (hasLetter(words)) label = labelBefore(words)
    else if (previous !== undefined && previous.end === since) label = previous.label
    else if (since === 0) label = labelBefore(labelLineOf(blocks[index - 1]))
    else label = "none"
    labels.push(label)
    previous = { end: number.end, label }
  }
  return labels
}

const roleOf = (label: Label, after: string): PhoneRole => {
  if (label === "fax" || faxAfter(after)) return "fax"
  if (label === "phone" || label === "phone_and_fax") return "phone"
  return "either"
}

/** The numbers written in the blocks of one page, traps left out (identifiers, amounts, placeholders). */
export const phonesInText = (blocks: ReadonlyArray<TextBlock>): PhoneOccurrence[] => {
  const found: PhoneOccurrence[] = []
  blocks.forEach((block, index) => {
    // A form holds labels and sample values, not the company's details.
    if (block.part === "form" || !mayHoldNumber(block.text)) return
    const numbers = findWrittenNumbers(block.text)
    if (numbers.length === 0) return
    const labels = labelsOf(blocks, index, numbers)
    numbers.forEach((number, at) => {
      const label = labels[at]!
      const after = block.text.slice(number.end, number.end + 24)
      if (label === "identifier" || amountAfter(after)) return
      const phone = toPhone(number.dialable)
      if (phone === undefined || isPlaceholder(phone.national)) return
      const labelled = label !== "none"
      // A bare run of digits must dial a known range; a labelled one may be in a range too new for the metadata.
      if (!labelled && !phone.valid) return
      found.push({
        phone,
        asWritten: number.asWritten,
        part: block.part,
        via: "text",
        evidence: labelled ? "labelled" : "bare",
        role: roleOf(label, after),
        thirdParty: ownerOf(phone.e164, block.part, block.text.slice(0, number.start), linesAbove(blocks, index))
      })
    })
  })
  return found
}
