/**
 * Pacing of provider requests (Places, recherche-entreprises, Brave Search): requests under one key
 * (an API's origin) start at least 1/`perSecond` s apart across the whole process (parallel runs
 * share the key's quota). The fetcher's per-host spacing (the job's
 * `http.per_host_rps`) applies on top, so the slower of the two sets the pace.
 */
import * as Effect from "effect/Effect"

const slots = new Map<string, { nextAt: number }>()

/** Waits for the key's next slot. */
export const pace = (key: string, perSecond: number): Effect.Effect<void> =>
  Effect.suspend(() => {
    let slot = slots.get(key)
    if (slot === undefined) {
      slot = { nextAt: 0 }
      slots.set(key, slot)
    }
    const now = Date.now()
    const start = Math.max(now, slot.nextAt)
    slot.nextAt = start + 1000 / perSecond
    return start > now ? Effect.sleep(start - now) : Effect.void
  })
