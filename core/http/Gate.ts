/**
 * A semaphore whose number of permits can change while it is in use (the adaptive concurrency
 * limit lowers and raises it). Waiters are served first come, first served. Interrupting a waiting
 * fiber withdraws it; a permit granted at the moment of interruption is given back.
 */
import { Effect } from "effect"

interface Waiter {
  granted: boolean
  readonly wake: () => void
}

export class Gate {
  #active = 0
  #limit: number
  readonly #waiters: Waiter[] = []
  #head = 0

  constructor(limit: number) {
    this.#limit = Math.max(1, Math.floor(limit))
  }

  get limit(): number {
    return this.#limit
  }

  get active(): number {
    return this.#active
  }

  get waiting(): number {
    return this.#waiters.length - this.#head
  }

  /** Changes the number of permits; holders above a lowered limit finish normally. */
  setLimit(limit: number): void {
    this.#limit = Math.max(1, Math.floor(limit))
    this.#drain()
  }

  /** Waits for a permit. Pair with `release`, or use `with`. */
  readonly take: Effect.Effect<void> = Effect.async<void>((resume) => {
    if (this.#active < this.#limit && this.waiting === 0) {
      this.#active++
      resume(Effect.void)
      return
    }
    const waiter: Waiter = {
      granted: false,
      wake: () => {
        waiter.granted = true
        this.#active++
        resume(Effect.void)
      }
    }
    this.#waiters.push(waiter)
    return Effect.sync(() => {
      if (waiter.granted) this.release()
      else {
        const index = this.#waiters.indexOf(waiter, this.#head)
        if (index >= 0) this.#waiters.splice(index, 1)
      }
    })
  })

  release(): void {
    this.#active = Math.max(0, this.#active - 1)
    this.#drain()
  }

  /** Runs `self` holding a permit; the permit is returned however `self` ends. */
  with<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> {
    return Effect.uninterruptibleMask((restore) =>
      Effect.zipRight(
        restore(this.take),
        Effect.ensuring(
          restore(self),
          Effect.sync(() => this.release())
        )
      )
    )
  }

  #drain(): void {
    while (this.#active < this.#limit && this.#head < this.#waiters.length) {
      const waiter = this.#waiters[this.#head++]!
      waiter.wake()
    }
    if (this.#head > 1024 && this.#head * 2 > this.#waiters.length) {
      this.#waiters.splice(0, this.#head)
      this.#head = 0
    }
  }
}
