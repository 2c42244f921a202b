/**
 * A semaphore whose number of permits can change while it is in use (the adaptive concurrency
 * limit lowers and raises it). Waiters are served first come, first served. Interrupting a waiting
 * fiber (or aborting a waiting promise's signal) withdraws it; a permit granted at the moment of
 * interruption is given back. Effects take permits with `acquire`/`with`, the fetcher's plain-promise
 * request path with `tryTake`/`wait`.
 */
import * as Effect from "effect/Effect"

interface Waiter {
  granted: boolean
  readonly wake: () => void
}

export class Gate {
  #active = 0
  #limit: number
  /** Queue of waiters from #head on; served slots are cleared so a woken fiber is not kept alive. */
  #waiters: Array<Waiter | undefined> = []
  #head = 0
  /** Waiters served before the others (e.g. robots.txt fetches, which unlock scheduling decisions). */
  #urgent: Waiter[] = []

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
    return this.#waiters.length - this.#head + this.#urgent.length
  }

  /** Changes the number of permits; holders above a lowered limit finish normally. */
  setLimit(limit: number): void {
    this.#limit = Math.max(1, Math.floor(limit))
    this.#drain()
  }

  /** Waits for a permit (ahead of the ordinary waiters when `urgent`). Pair with `release`, or use `with`. */
  acquire(urgent = false): Effect.Effect<void> {
    return Effect.async<void>((resume) => {
      if (this.tryTake()) {
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
      this.#enqueue(waiter, urgent)
      return Effect.sync(() => this.#withdraw(waiter, urgent))
    })
  }

  /** Takes a permit at once when one is free and nobody waits for it; false otherwise. */
  tryTake(): boolean {
    if (this.#active >= this.#limit || this.waiting > 0) return false
    this.#active++
    return true
  }

  /**
   * `acquire` for plain promise code (the HTTP fetcher's request path): resolves holding a permit, to
   * be given back with `release`. An aborted signal withdraws the waiter and rejects with its reason.
   */
  wait(urgent = false, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason)
        return
      }
      if (this.tryTake()) {
        resolve()
        return
      }
      const onAbort = () => {
        this.#withdraw(waiter, urgent)
        reject(signal?.reason)
      }
      const waiter: Waiter = {
        granted: false,
        wake: () => {
          waiter.granted = true
          this.#active++
          signal?.removeEventListener("abort", onAbort)
          resolve()
        }
      }
      this.#enqueue(waiter, urgent)
      signal?.addEventListener("abort", onAbort, { once: true })
    })
  }

  #enqueue(waiter: Waiter, urgent: boolean): void {
    if (urgent) this.#urgent.push(waiter)
    else this.#waiters.push(waiter)
  }

  /** A waiter gives up: out of the queue, or its permit back if it was granted meanwhile. */
  #withdraw(waiter: Waiter, urgent: boolean): void {
    if (waiter.granted) this.release()
    else if (urgent) {
      const index = this.#urgent.indexOf(waiter)
      if (index >= 0) this.#urgent.splice(index, 1)
    } else {
      const index = this.#waiters.indexOf(waiter, this.#head)
      if (index >= 0) this.#waiters.splice(index, 1)
    }
  }

  readonly take: Effect.Effect<void> = this.acquire(false)

  release(): void {
    this.#active = Math.max(0, this.#active - 1)
    this.#drain()
  }

  /** Runs `self` holding a permit; the permit is returned however `self` ends. */
  with<A, E, R>(self: Effect.Effect<A, E, R>, urgent = false): Effect.Effect<A, E, R> {
    return Effect.uninterruptibleMask((restore) =>
      Effect.zipRight(
        restore(urgent ? this.acquire(true) : this.take),
        Effect.ensuring(
          restore(self),
          Effect.sync(() => this.release())
        )
      )
    )
  }

  #drain(): void {
    while (this.#active < this.#limit && this.#urgent.length > 0) this.#urgent.shift()!.wake()
    while (this.#active < this.#limit && this.#head < this.#waiters.length) {
      const waiter = this.#waiters[this.#head]
      this.#waiters[this.#head++] = undefined
      waiter?.wake()
    }
    if (this.#head === this.#waiters.length) {
      this.#waiters = []
      this.#head = 0
    } else if (this.#head > 1024 && this.#head * 2 > this.#waiters.length) {
      this.#waiters = this.#waiters.slice(this.#head)
      this.#head = 0
    }
  }
}
