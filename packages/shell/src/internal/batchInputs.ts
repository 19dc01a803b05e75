/** @internal */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { Inputs } from "../Batch.js"
import type { JobSpec } from "../Job.js"

const isStream = <E, R>(inputs: Inputs<E, R>): inputs is Stream.Stream<JobSpec, E, R> => Stream.StreamTypeId in inputs

/**
 * Every input, read before the first job starts: a halt at a percentage of all
 * jobs needs their number (GNU parallel reads all input then too).
 *
 * @internal
 */
export const readAll = <E, R>(inputs: Inputs<E, R>): Effect.Effect<ReadonlyArray<JobSpec>, E, R> => {
  if (isStream(inputs)) return Effect.map(Stream.runCollect(inputs), Chunk.toReadonlyArray)
  if (Symbol.asyncIterator in inputs) {
    return Effect.map(
      Stream.runCollect(Stream.fromAsyncIterable(inputs as AsyncIterable<JobSpec>, (error) => error as E)),
      Chunk.toReadonlyArray
    )
  }
  return Effect.sync(() => Array.from(inputs as Iterable<JobSpec>))
}

/** How intake ended: an async iterable's rejection, and the inputs read after the stop. @internal */
export interface IntakeEnd<E> {
  error?: E
  dropped: number
}

/**
 * The inputs, read until `stopped()`. Iterables stay iterables: the pool pulls
 * them directly, which costs far less per job than a `Stream` of one-item chunks.
 * An async iterable's rejection ends intake and is kept in `end.error` (the
 * batch fails with it once the running jobs are done); an input read after the
 * stop is counted in `end.dropped` (it was never started).
 *
 * @internal
 */
export const intake = <E, R>(
  inputs: Inputs<E, R>,
  stopped: () => boolean,
  end: IntakeEnd<E>
): Inputs<E, R> => {
  const refused = () => {
    if (!stopped()) return false
    end.dropped++
    return true
  }
  if (isStream(inputs)) return Stream.takeWhile(inputs, () => !refused())
  if (Symbol.asyncIterator in inputs) {
    return (async function*() {
      try {
        for await (const spec of inputs as AsyncIterable<JobSpec>) {
          if (refused()) return
          yield spec
        }
      } catch (error) {
        end.error = error as E
      }
    })()
  }
  return (function*() {
    for (const spec of inputs as Iterable<JobSpec>) {
      if (refused()) return
      yield spec
    }
  })()
}
