import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

/** @internal */
export type Source<A, E1, R1> = Iterable<A> | AsyncIterable<A> | Stream.Stream<A, E1, R1>

/** @internal */
export interface Options {
  readonly concurrency: number
}

const Done: unique symbol = Symbol.for("@fanout/pool/Done")
type Done = typeof Done

const validate = (concurrency: number) =>
  Number.isInteger(concurrency) && concurrency >= 1
    ? Effect.void
    : Effect.dieMessage(`applyInParallel: concurrency must be a whole number >= 1, got ${String(concurrency)}`)

/**
 * A pull function over the source: one item per call, `Done` at the end.
 * Sync iterables are pulled inline (no allocation beyond the iterator's own);
 * async iterables and streams are pulled one at a time by whichever worker is free,
 * so read-ahead never exceeds the number of workers (plus a stream's own chunk).
 *
 * @internal
 */
const makePull = <A, E1, R1>(
  source: Source<A, E1, R1>
): Effect.Effect<Effect.Effect<A | Done, E1, R1>, never, Scope.Scope | R1> => {
  if (Stream.StreamTypeId in (source as object)) {
    return Effect.gen(function*() {
      const pullChunk = yield* Stream.toPull(source as Stream.Stream<A, E1, R1>)
      const lock = yield* Effect.makeSemaphore(1)
      let buffer: ReadonlyArray<A> = []
      let at = 0
      let ended = false
      const next: Effect.Effect<A | Done, E1, R1> = Effect.suspend(() => {
        if (at < buffer.length) return Effect.succeed(buffer[at++]!)
        if (ended) return Effect.succeed(Done)
        return pullChunk.pipe(
          Effect.matchEffect({
            onFailure: (option) => {
              if (option._tag === "None") {
                ended = true
                return Effect.succeed(Done)
              }
              ended = true
              return Effect.fail(option.value)
            },
            onSuccess: (chunk) => {
              buffer = Array.from(chunk)
              at = 0
              return next
            }
          })
        )
      })
      return lock.withPermits(1)(next)
    })
  }
  if (Symbol.iterator in (source as object)) {
    const iterator = (source as Iterable<A>)[Symbol.iterator]()
    let ended = false
    return Effect.succeed(Effect.sync(() => {
      if (ended) return Done
      const result = iterator.next()
      if (result.done) {
        ended = true
        return Done
      }
      return result.value
    }))
  }
  return Effect.acquireRelease(
    Effect.sync(() => (source as AsyncIterable<A>)[Symbol.asyncIterator]()),
    (iterator) => iterator.return ? Effect.promise(async () => void (await iterator.return!())) : Effect.void
  ).pipe(Effect.map((iterator) => {
    let ended = false
    return Effect.suspend(() =>
      ended ? Effect.succeed(Done) : Effect.map(Effect.promise(() => iterator.next()), (result) => {
        if (result.done) {
          ended = true
          return Done
        }
        return result.value
      })
    )
  }))
}

/**
 * `concurrency` worker fibers share one pull function; each pulls an item, runs `f`,
 * stores the result at the item's index, and pulls again. `Effect.all` over the
 * workers gives fail-fast for free: the first failure interrupts the other workers
 * and awaits them before it surfaces. `stopped` closes intake synchronously at the
 * moment of failure, so no worker starts a new call while the interruption travels.
 *
 * @internal
 */
const run = <A, E1, R1, X>(
  source: Source<A, E1, R1>,
  concurrency: number,
  body: (a: A, index: number) => Effect.Effect<X, never, never> | null,
  onFailure: { stopped: boolean }
): Effect.Effect<void, E1, R1> =>
  Effect.scoped(Effect.flatMap(makePull(source), (pull) => {
    let index = 0
    const worker: Effect.Effect<void, E1, R1> = Effect.suspend(() =>
      onFailure.stopped ? Effect.void : Effect.flatMap(pull, (a) => {
        if (a === Done || onFailure.stopped) return Effect.void
        const step = body(a, index++)
        return step === null ? worker : Effect.zipRight(step, worker)
      })
    )
    const workers: Array<Effect.Effect<void, E1, R1>> = Array.from({ length: concurrency }, () => worker)
    return Effect.all(workers, { concurrency: "unbounded", discard: true })
  }))

/** @internal */
export const applyFailFast = <A, B, E, R, E1, R1>(
  items: Source<A, E1, R1>,
  f: (a: A, index: number) => Effect.Effect<B, E, R>,
  options: Options
): Effect.Effect<Array<B>, E | E1, R | R1> =>
  Effect.zipRight(
    validate(options.concurrency),
    Effect.suspend(() => {
      const results: Array<B> = []
      const state = { stopped: false }
      return Effect.as(
        run<A, E | E1, R | R1, void>(
          items,
          options.concurrency,
          (a, i) =>
            Effect.matchCauseEffect(f(a, i), {
              onFailure: (cause) => {
                state.stopped = true
                return Effect.failCause(cause)
              },
              onSuccess: (b) => {
                results[i] = b
                return Effect.void
              }
            }) as never,
          state
        ),
        results
      )
    })
  )

/** @internal */
export const applySettle = <A, B, E, R, E1, R1>(
  items: Source<A, E1, R1>,
  f: (a: A, index: number) => Effect.Effect<B, E, R>,
  options: Options
): Effect.Effect<Array<Exit.Exit<B, E>>, E1, R | R1> =>
  Effect.zipRight(
    validate(options.concurrency),
    Effect.suspend(() => {
      const results: Array<Exit.Exit<B, E>> = []
      return Effect.as(
        run<A, E1, R | R1, void>(
          items,
          options.concurrency,
          (a, i) =>
            Effect.map(Effect.exit(f(a, i)), (exit) => {
              results[i] = exit
            }) as never,
          { stopped: false }
        ),
        results
      )
    })
  )

/** @internal */
export const toStream = <A, E1, R1>(items: Source<A, E1, R1>): Stream.Stream<A, E1, R1> => {
  if (Stream.StreamTypeId in (items as object)) return items as Stream.Stream<A, E1, R1>
  if (Symbol.iterator in (items as object)) {
    return Stream.suspend(() => {
      const iterator = (items as Iterable<A>)[Symbol.iterator]()
      const iterable: IterableIterator<A> = { next: () => iterator.next(), [Symbol.iterator]: () => iterable }
      return Stream.fromIteratorSucceed(iterable, 1)
    })
  }
  return Stream.fromAsyncIterable(items as AsyncIterable<A>, (e) => {
    throw e
  })
}

/** @internal */
export const stream = <A, B, E, R, E1, R1>(
  items: Source<A, E1, R1>,
  f: (a: A, index: number) => Effect.Effect<B, E, R>,
  options: Options & { readonly ordered?: boolean | undefined }
): Stream.Stream<B, E | E1, R | R1> =>
  Stream.unwrap(Effect.as(
    validate(options.concurrency),
    toStream(items).pipe(
      Stream.zipWithIndex,
      Stream.mapEffect(([a, i]) => f(a, i), {
        concurrency: options.concurrency,
        unordered: options.ordered === false
      })
    )
  ))
