import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Mailbox from "effect/Mailbox"
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

const isStream = (source: object): source is Stream.Stream<unknown, unknown, unknown> => Stream.StreamTypeId in source

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
const pullAsyncIterable = <A>(iterable: AsyncIterable<A>): Effect.Effect<Effect.Effect<A | Done>, never, Scope.Scope> =>
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
    (state) =>
      Effect.suspend(() => {
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
  )

/**
 * A pull function over the source: one item per call, `Done` at the end.
 *
 * A sync iterable is pulled inline by whichever worker is free (no read-ahead
 * at all), an async iterable by chained `next()` calls (one per free worker). A
 * stream is read by one reader fiber into a `Mailbox` of `concurrency` items,
 * which the workers take from: read-ahead is that buffer plus the chunk being
 * offered, and a waiting worker is woken alone (no lock that wakes every waiter).
 */
const makePull = <A, E1, R1>(
  source: Source<A, E1, R1>,
  concurrency: number
): Effect.Effect<Effect.Effect<A | Done, E1>, never, Scope.Scope | R1> => {
  if (!isStream(source as object) && Symbol.iterator in (source as object)) {
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
  if (!isStream(source as object)) return pullAsyncIterable(source as AsyncIterable<A>)
  return Effect.gen(function*() {
    const mailbox = yield* Mailbox.make<A>(concurrency)
    // The reader's failure is kept aside and the mailbox just ended: a mailbox
    // failed with a cause hands its takers that cause merged with its own end.
    let failure: Cause.Cause<E1> | undefined
    yield* Stream.runForEachChunk(source as Stream.Stream<A, E1, R1>, (chunk) => mailbox.offerAll(chunk)).pipe(
      Effect.onExit((exit) => {
        if (Exit.isFailure(exit)) failure = exit.cause
        return mailbox.end
      }),
      Effect.forkScoped
    )
    return Effect.catchTag(
      mailbox.take,
      "NoSuchElementException",
      () => failure === undefined ? Effect.succeed(Done) : Effect.failCause(failure)
    )
  })
}

/**
 * `concurrency` worker fibers share one pull function; each pulls an item, runs
 * `body`, and pulls again. `Effect.all` over the workers gives fail-fast for
 * free: the first failure interrupts the other workers and awaits them before it
 * surfaces. `state.stopped` closes intake synchronously at the moment of
 * failure, so no worker starts a new call while the interruption travels.
 */
const runWorkers = <A, E, R>(
  pull: Effect.Effect<A | Done, E>,
  concurrency: number,
  body: (a: A, index: number) => Effect.Effect<void, E, R> | undefined,
  state: { stopped: boolean }
): Effect.Effect<void, E, R> => {
  let index = 0
  // A failed source fails every worker waiting on it; only the first reports it.
  const pullFailed = (cause: Cause.Cause<E>) => {
    if (state.stopped && !Cause.isInterruptedOnly(cause)) return Effect.void
    state.stopped = true
    return Effect.failCause(cause)
  }
  const worker: Effect.Effect<void, E, R> = Effect.suspend(() =>
    state.stopped ? Effect.void : Effect.matchCauseEffect(pull, {
      onFailure: pullFailed,
      onSuccess: (a) => {
        if (a === Done || state.stopped) return Effect.void
        const step = body(a, index++)
        return step === undefined ? worker : Effect.zipRight(step, worker)
      }
    })
  )
  return Effect.all(Array.from({ length: concurrency }, () => worker), { concurrency: "unbounded", discard: true })
}

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
      return Effect.scoped(Effect.flatMap(makePull(items, options.concurrency), (pull) =>
        runWorkers<A, E | E1, R>(pull, options.concurrency, (a, i) =>
          Effect.matchCauseEffect(f(a, i), {
            onFailure: (cause) => {
              state.stopped = true
              return Effect.failCause(cause)
            },
            onSuccess: (b) => {
              results[i] = b
              return Effect.void
            }
          }), state))).pipe(Effect.as(results))
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
      return Effect.scoped(Effect.flatMap(makePull(items, options.concurrency), (pull) =>
        runWorkers<A, E1, R>(pull, options.concurrency, (a, i) =>
          Effect.map(Effect.exit(f(a, i)), (exit) => {
            results[i] = exit
          }), { stopped: false }))).pipe(Effect.as(results))
    })
  )

/**
 * The streaming form runs the same workers in a background fiber that lives as
 * long as the stream is read; results go to a `Mailbox` of `2 × concurrency`
 * (a slow reader suspends the workers). In input order, a finished result waits
 * in a reorder buffer until the results before it are out, and no worker starts
 * an item more than `4 × concurrency` ahead of the oldest one not yet out, so
 * memory stays bounded when one item is slow.
 *
 * @internal
 */
export const stream = <A, B, E, R, E1, R1>(
  items: Source<A, E1, R1>,
  f: (a: A, index: number) => Effect.Effect<B, E, R>,
  options: Options & { readonly ordered?: boolean | undefined }
): Stream.Stream<B, E | E1, R | R1> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    yield* validate(options.concurrency)
    const concurrency = options.concurrency
    const out = yield* Mailbox.make<B, E | E1>(2 * concurrency)
    const pull = yield* makePull(items, concurrency)
    const state = { stopped: false }
    const fail = (cause: Cause.Cause<E>) => {
      state.stopped = true
      return Effect.failCause(cause)
    }

    let body: (a: A, index: number) => Effect.Effect<void, E | E1, R>
    let gate: Effect.Effect<A | Done, E1> = pull
    if (options.ordered === false) {
      body = (a, i) => Effect.matchCauseEffect(f(a, i), { onFailure: fail, onSuccess: (b) => out.offer(b) })
    } else {
      const window = 4 * concurrency
      const finished = new Map<number, B>()
      const waiting: Array<() => void> = []
      let next = 0
      let pulled = 0
      let emitting = false
      // One emitter at a time moves the finished prefix out, so order holds even
      // while it is suspended on a full mailbox; the others just leave results.
      const emit: Effect.Effect<void> = Effect.suspend(() => {
        if (emitting || !finished.has(next)) return Effect.void
        const batch: Array<B> = []
        while (finished.has(next)) {
          batch.push(finished.get(next)!)
          finished.delete(next++)
        }
        for (const wake of waiting.splice(0)) wake()
        emitting = true
        return Effect.zipRight(
          Effect.ensuring(out.offerAll(batch), Effect.sync(() => emitting = false)),
          emit
        )
      })
      const roomAhead: Effect.Effect<void> = Effect.suspend(() =>
        pulled - next < window ? Effect.void : Effect.zipRight(
          Effect.async<void>((resume) => {
            const wake = () => resume(Effect.void)
            waiting.push(wake)
            return Effect.sync(() => {
              const at = waiting.indexOf(wake)
              if (at >= 0) waiting.splice(at, 1)
            })
          }),
          roomAhead
        )
      )
      gate = Effect.zipRight(roomAhead, Effect.tap(pull, () => void pulled++))
      body = (a, i) =>
        Effect.matchCauseEffect(f(a, i), {
          onFailure: fail,
          onSuccess: (b) => {
            finished.set(i, b)
            return emit
          }
        })
    }

    yield* runWorkers<A, E | E1, R>(gate, concurrency, body, state).pipe(
      Effect.onExit((exit) => out.done(exit)),
      Effect.forkScoped
    )
    return Mailbox.toStream(out)
  }))
