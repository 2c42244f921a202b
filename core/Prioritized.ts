/**
 * Bounded concurrent work over a stream, with a fast lane. Items are taken `lookahead` ahead of the
 * workers and prepared (concurrently, `prepareConcurrency` at a time); an item that `prepare` calls
 * urgent starts at once in its own lane (at most `urgentSlots` at a time), the others wait for one of
 * the `slots` ordinary workers. Output order is completion order.
 *
 * The crawl uses it for hosts that ask for a Crawl-delay (found in robots.txt, fetched ahead): their
 * pages are spaced seconds apart, so started late they would make the run's tail, and sharing the
 * ordinary slots they would idle them. In their own lane they start early and run alongside.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import * as Take from "effect/Take"
import { Gate } from "./http/Gate.ts"

export interface PrioritizedOptions<A, B, E> {
  /** Ordinary items worked on at once. */
  readonly slots: number
  /** Urgent items worked on at once, besides the ordinary ones. @default slots */
  readonly urgentSlots?: number
  /** Items taken from the input ahead of the workers (prepared or being prepared). */
  readonly lookahead: number
  readonly prepareConcurrency: number
  /** True: this item goes to the urgent lane. */
  readonly prepare: (item: A) => Effect.Effect<boolean, E>
  readonly work: (item: A) => Effect.Effect<B, E>
}

export const prioritized = <A, B, E, EI>(
  input: Stream.Stream<A, EI>,
  options: PrioritizedOptions<A, B, E>
): Stream.Stream<B, E | EI> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const output = yield* Queue.bounded<Take.Take<B, E | EI>>(Math.max(16, options.slots))
      // Gates, not Effect semaphores: a semaphore wakes every waiter on each release, which with
      // hundreds of items waiting turns into quadratic work; a Gate wakes the next one only.
      const window = new Gate(Math.max(options.lookahead, options.slots))
      const preparing = new Gate(Math.max(1, options.prepareConcurrency))
      const urgentLane = new Gate(Math.max(1, options.urgentSlots ?? options.slots))
      // One token per ready ordinary item, then one "end" per worker once every item is placed.
      const tokens = yield* Queue.unbounded<"item" | "end">()
      const normal: A[] = []
      let pending = 0
      let urgentRunning = 0
      let inputDone = false
      const allPlaced = yield* Effect.makeLatch(false)
      const urgentDone = yield* Effect.makeLatch(true)

      const emit = (item: A) =>
        options.work(item).pipe(
          Effect.flatMap((result) => Queue.offer(output, Take.of(result))),
          Effect.ensuring(Effect.sync(() => window.release()))
        )

      /** Opens `allPlaced` once the input is read and every item is placed; synchronous, so no step can interleave. */
      const checkPlaced = () => {
        if (inputDone && pending === 0) allPlaced.unsafeOpen()
      }

      const place = (item: A, urgent: boolean) =>
        Effect.suspend(() => {
          if (!urgent) {
            normal.push(item)
            return Queue.offer(tokens, "item").pipe(
              Effect.zipRight(
                Effect.sync(() => {
                  pending--
                  checkPlaced()
                })
              )
            )
          }
          urgentRunning++
          urgentDone.unsafeClose()
          return Effect.forkScoped(
            urgentLane.with(emit(item)).pipe(
              Effect.catchAllCause((cause) => Queue.offer(output, Take.failCause(cause))),
              Effect.ensuring(
                Effect.sync(() => {
                  if (--urgentRunning === 0) urgentDone.unsafeOpen()
                })
              )
            )
          ).pipe(
            Effect.zipRight(
              Effect.sync(() => {
                pending--
                checkPlaced()
              })
            )
          )
        })

      // The preparing permit is taken before the fork, so at most `prepareConcurrency` fibers exist
      // for items being prepared: forking one per item of the lookahead and letting each wait cost a
      // 2,000-site crawl 0.1 s before its first request and kept ~100k closures alive.
      const producer = Stream.runForEach(input, (item) =>
        window.take.pipe(
          Effect.zipRight(preparing.take),
          Effect.zipRight(
            Effect.sync(() => {
              pending++
            })
          ),
          Effect.zipRight(
            Effect.forkScoped(
              options.prepare(item).pipe(
                Effect.ensuring(Effect.sync(() => preparing.release())),
                Effect.flatMap((urgent) => place(item, urgent)),
                Effect.catchAllCause((cause) => Queue.offer(output, Take.failCause(cause)))
              )
            )
          )
        )
      ).pipe(
        Effect.zipRight(
          Effect.sync(() => {
            inputDone = true
            checkPlaced()
          })
        ),
        Effect.zipRight(allPlaced.await),
        Effect.zipRight(
          Queue.offerAll(
            tokens,
            Array.from({ length: options.slots }, () => "end" as const)
          )
        ),
        Effect.zipRight(urgentDone.await)
      )

      const worker = Effect.gen(function* () {
        for (;;) {
          if ((yield* Queue.take(tokens)) === "end") return
          yield* emit(normal.shift() as A)
        }
      })

      yield* Effect.forkScoped(
        Effect.all([producer, ...Array.from({ length: options.slots }, () => worker)], {
          concurrency: "unbounded",
          discard: true
        }).pipe(
          Effect.matchCauseEffect({
            onFailure: (cause) =>
              Cause.isInterruptedOnly(cause) ? Effect.void : Queue.offer(output, Take.failCause(cause)),
            onSuccess: () => Queue.offer(output, Take.end)
          })
        )
      )
      return Stream.fromQueue(output).pipe(Stream.flattenTake)
    })
  )
