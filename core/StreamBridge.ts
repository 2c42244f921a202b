/**
 * Effect streams to async iterables for libraries that pull (Parquet, CSV writers). Pulling chunk by
 * chunk keeps the runtime crossings per chunk, not per record: `Stream.toAsyncIterable` pays one per
 * element, which costs tens of microseconds a row.
 */
import { Chunk, Stream } from "effect"

export async function* toAsyncRows<A, E>(stream: Stream.Stream<A, E>): AsyncGenerator<A> {
  for await (const chunk of Stream.toAsyncIterable(Stream.chunks(stream))) {
    yield* Chunk.toReadonlyArray(chunk)
  }
}
