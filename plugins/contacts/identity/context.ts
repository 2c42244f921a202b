/**
 * One block of a page as the identity scanners read it: its text as written and folded, and how
 * to tell whose a value at some position in it is.
 */
import type { ParsedPage, TextBlock, ThirdParty } from "../../parse/ParsedPage.ts"
import { fold } from "./fold.ts"
import { nearestParty, type PartyCues, sentenceStart } from "./parties.ts"

export interface BlockContext {
  readonly page: ParsedPage
  readonly index: number
  readonly block: TextBlock
  readonly text: string
  readonly folded: string
  /** Whose the block is as its part, heading and the lines before it say (parties.ts). */
  readonly party: ThirdParty | null
  /** The block before it on the page, if any. */
  readonly previous: TextBlock | undefined
  readonly cues: PartyCues
}

/** A line that ends on a label or mid-sentence: the next line finishes it ("…sous le numéro ⏎ 537…"). */
const UNFINISHED = /(:|\bnumero|\bn°|\bno|\bsous le|\bde|\bdu|\bau|\bpar|\bchez|,)\s*$/

/**
 * Whose the value at `position` is: the last party named before it in its sentence, else (when
 * the sentence began on the line before, "…immatriculée au RCS de Lille sous le numéro ⏎ 537 407
 * 926") the last one named there, else the block's own party.
 */
export const partyAt = (context: BlockContext, position: number): ThirdParty | null => {
  const start = sentenceStart(context.folded, position)
  const named = nearestParty(context.folded.slice(start, position), context.cues)
  if (named !== undefined) return named
  const previous = context.previous
  if (start === 0 && previous !== undefined && previous.part === context.block.part) {
    const before = fold(previous.text)
    if (!UNFINISHED.test(before)) return context.party
    const fromPrevious = nearestParty(before.slice(sentenceStart(before, before.length)), context.cues)
    if (fromPrevious !== undefined) return fromPrevious
  }
  return context.party
}
