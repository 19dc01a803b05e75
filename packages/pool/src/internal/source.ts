import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Mailbox from "effect/Mailbox"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { Items } from "../ApplyInParallel.js"

/** @internal */
export const Done: unique symbol = Symbol.for("@fanout/pool/Done")
/** @internal */
export type Done = typeof Done

/**
 * How the workers take items from the source, one per call, `Done` at the end.
 * `next` is there when an item can be taken synchronously (a sync iterable):
 * the workers call it inline, without an effect per item.
 *
 * @internal
 */
export interface Pull<A, E> {
  readonly pull: Effect.Effect<A | Done, E>
  readonly next?: (() => A | Done) | undefined
}

const isStream = <A, E, R>(items: Items<A, E, R>): items is Stream.Stream<A, E, R> =>
  typeof items === "object" && Stream.StreamTypeId in items

const isIterable = <A>(items: Iterable<A> | AsyncIterable<A>): items is Iterable<A> => Symbol.iterator in Object(items)

const pullIterable = <A>(iterable: Iterable<A>): Pull<A, never> => {
  const iterator = iterable[Symbol.iterator]()
  let ended = false
  const next = (): A | Done => {
    if (ended) return Done
    const result = iterator.next()
    if (!result.done) return result.value
    ended = true
    return Done
  }
  return { pull: Effect.sync(next), next }
}

/**
 * A pull over an async iterator for the workers to share. Each call awaits its
 * own `next()`, but the calls are chained so that the iterator never sees a
 * `next()` before the previous one settled (hand-written iterators need not
 * support overlapping calls); read-ahead is one item per waiting worker. A
 * rejected `next()` is a defect, as the source has no typed error. If the pull
 * is abandoned while a `next()` is pending, `return()` is called but not
 * awaited: an async generator queues it behind that `next()`, which may never
 * settle.
 */
const pullAsyncIterable = <A>(iterable: AsyncIterable<A>): Effect.Effect<Pull<A, never>, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => ({
        iterator: iterable[Symbol.asyncIterator](),
        tail: Promise.resolve() as Promise<unknown>,
        pending: 0,
        ended: false
      })),
      ({ ended, iterator, pending }) => {
        if (ended || iterator.return === undefined) return Effect.void
        const close = () => iterator.return!().then(() => undefined, () => undefined)
        return pending > 0 ? Effect.sync(() => void close()) : Effect.promise(close)
      }
    ),
    (state) => ({
      pull: Effect.suspend(() => {
        if (state.ended) return Effect.succeed(Done)
        state.pending++
        const result = state.tail.then((): Promise<IteratorResult<A>> | IteratorResult<A> =>
          state.ended ? { done: true, value: undefined } : state.iterator.next()
        )
        state.tail = result.then((r) => {
          if (r.done) state.ended = true
        }, () => undefined)
        return Effect.map(Effect.promise(() => result), (r) => {
          state.pending--
          return r.done ? Done : r.value
        })
      })
    })
  )

/**
 * A stream is read by one reader fiber into a `Mailbox` of `concurrency` items,
 * which the workers take from: read-ahead is that buffer plus the chunk being
 * offered, and a waiting worker is woken alone (no lock that wakes every waiter).
 */
const pullStream = <A, E1, R1>(
  stream: Stream.Stream<A, E1, R1>,
  concurrency: number
): Effect.Effect<Pull<A, E1>, never, Scope.Scope | R1> =>
  Effect.gen(function*() {
    const mailbox = yield* Mailbox.make<A>(concurrency)
    // The reader's failure is kept aside and the mailbox just ended: a mailbox
    // failed with a cause hands its takers that cause merged with its own end.
    let failure: Cause.Cause<E1> | undefined
    yield* Stream.runForEachChunk(stream, (chunk) => mailbox.offerAll(chunk)).pipe(
      Effect.onExit((exit) => {
        if (Exit.isFailure(exit)) failure = exit.cause
        return mailbox.end
      }),
      Effect.forkScoped
    )
    return {
      pull: Effect.catchTag(
        mailbox.take,
        "NoSuchElementException",
        () => failure === undefined ? Effect.succeed(Done) : Effect.failCause(failure)
      )
    }
  })

/**
 * The pull over `items`: a sync iterable is pulled inline by whichever worker
 * is free (no read-ahead at all), an async iterable by chained `next()` calls
 * (one per free worker), a stream through a buffer of `concurrency` items.
 *
 * @internal
 */
export const makePull = <A, E1, R1>(
  items: Items<A, E1, R1>,
  concurrency: number
): Effect.Effect<Pull<A, E1>, never, Scope.Scope | R1> => {
  if (isStream(items)) return pullStream(items, concurrency)
  if (isIterable(items)) return Effect.succeed(pullIterable(items))
  return pullAsyncIterable(items)
}
