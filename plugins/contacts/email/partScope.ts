/**
 * How far a host or credits part reaches. The parser gives that part to everything after a label
 * ("Hébergeur :", "Le site est hébergé par …") up to the end of the label's container; in notices
 * written as loose text (no paragraphs, or numbered "Article 2" lines instead of headings) that
 * can be the rest of the page, including the publisher's own "write to contact@…" lines. A label
 * speaks for the few short lines that follow it (the host's name, address, phone, email); a
 * heading speaks for its whole section.
 */
import type { PagePart, TextBlock } from "../../parse/ParsedPage.ts"
import { partOfHeading, partOfLabel } from "../../parse/sections.ts"

/** How much text after a label it still covers: a party's name, address, phone and email fit well within. */
const LABEL_REACH_CHARS = 400
const LABEL_REACH_BLOCKS = 6

const NAMES_PUBLISHER = /[ée]dit(eur|ion)|publication|propri[ée]taire/i

const isThirdPartyPart = (part: PagePart): boolean => part === "host" || part === "credits"

/**
 * The part that speaks for text at `offset` in block `index`: the block's own part, except a host
 * or credits part that a line label opened too far back (then "main").
 */
export const partAt = (blocks: ReadonlyArray<TextBlock>, index: number, offset: number): PagePart => {
  const block = blocks[index]!
  if (!isThirdPartyPart(block.part)) return block.part
  if (block.heading !== null && partOfHeading(block.heading) === block.part) {
    // "L'hébergeur et l'éditeur": a section shared with the publisher is not the host's alone.
    return NAMES_PUBLISHER.test(block.heading) ? "legal" : block.part
  }
  // Back to the nearest line label of this part within the run of blocks in it.
  let opener = index
  while (partOfLabel(blocks[opener]!.text) !== block.part) {
    // No label in the run: its container (`<div class="credits">`) set the part, which holds throughout.
    if (opener === 0 || blocks[opener - 1]!.part !== block.part) return block.part
    opener--
  }
  if (index - opener > LABEL_REACH_BLOCKS) return "main"
  let distance = offset
  for (let between = opener; between < index; between++) distance += blocks[between]!.text.length
  return distance <= LABEL_REACH_CHARS ? block.part : "main"
}
