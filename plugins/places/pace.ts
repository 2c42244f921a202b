/**
 * Pacing of provider requests: requests to one origin start at least 1/`perSecond` s apart across the
 * whole process (parallel runs share the key's quota). The fetcher's per-host spacing (the job's
 * `http.per_host_rps`) applies on top, so the slower of the two sets the pace.
 */
import * as Effect from "effect/Effect"

const slots = new Map<string, { nextAt: number }>()

/** Waits for the origin's next slot. */
export const pace = (origin: string, perSecond: number): Effect.Effect<void> =>
  Effect.suspend(() => {
    let slot = slots.get(origin)
    if (slot === undefined) {
      slot = { nextAt: 0 }
      slots.set(origin, slot)
    }
    const now = Date.now()
    const start = Math.max(now, slot.nextAt)
    slot.nextAt = start + 1000 / perSecond
    return start > now ? Effect.sleep(start - now) : Effect.void
  })
