/**
 * Effect streams to async iterables for libraries that pull (Parquet, CSV writers). Pulling chunk by
 * chunk keeps the runtime crossings per chunk, not per record: `Stream.toAsyncIterable` pays one per
 * element, which costs tens of microseconds a row.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
export async function* toAsyncRows<A, E>(stream: Stream.Stream<A, E>): AsyncGenerator<A> {
  for await (const chunk of Stream.toAsyncIterable(Stream.chunks(stream))) {
    yield* Chunk.toReadonlyArray(chunk)
  }
}

/**
 * Feeds one pass over `stream` to several pulling consumers at once (e.g. a CSV and a Parquet
 * writer), instead of reading the input once per consumer. Consumers that fall more than
 * `maximumLag` chunks behind hold the others back, so memory stays bounded.
 */
export const fanOut = <A, E, B>(
  stream: Stream.Stream<A, E>,
  consumers: ReadonlyArray<(rows: AsyncIterable<A>) => Promise<B>>,
  maximumLag = 16
): Effect.Effect<ReadonlyArray<B>, unknown> =>
  Effect.scoped(
    Effect.gen(function* () {
      const branches = yield* Stream.broadcast(stream, consumers.length, maximumLag)
      return yield* Effect.all(
        consumers.map((consume, index) =>
          // The consumer's own error (a full disk, a bad value) is what the user needs to read.
          Effect.tryPromise({ try: () => consume(toAsyncRows(branches[index]!)), catch: (error) => error })
        ),
        { concurrency: "unbounded" }
      )
    })
  )
