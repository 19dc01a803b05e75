import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Mailbox from "effect/Mailbox"
import * as Stream from "effect/Stream"
import type { Items, StreamOptions } from "../ApplyInParallel.js"
import { ReorderWindow } from "./reorderWindow.js"
import { makePull } from "./source.js"
import { type Body, collect, type Intake, runWorkers, validate } from "./workers.js"

type F<A, B, E, R> = (a: A, index: number) => Effect.Effect<B, E, R>

/** Stops intake at once, then fails: the other workers are interrupted by `Effect.all`. */
const stop = <E>(intake: Intake, cause: Cause.Cause<E>) => {
  intake.stopped = true
  return Effect.failCause(cause)
}

/** @internal */
export const failFast = <A, B, E, R, E1, R1>(
  items: Items<A, E1, R1>,
  f: F<A, B, E, R>,
  concurrency: number
): Effect.Effect<Array<B>, E | E1, R | R1> =>
  collect(
    items,
    concurrency,
    (results: Array<B>, intake): Body<A, E | E1, R> => (a, i, next) =>
      Effect.matchCauseEffect(f(a, i), {
        onFailure: (cause) => stop(intake, cause),
        onSuccess: (b) => {
          results[i] = b
          return next
        }
      })
  )

/** @internal */
export const settle = <A, B, E, R, E1, R1>(
  items: Items<A, E1, R1>,
  f: F<A, B, E, R>,
  concurrency: number
): Effect.Effect<Array<Exit.Exit<B, E>>, E1, R | R1> =>
  collect(
    items,
    concurrency,
    (results: Array<Exit.Exit<B, E>>): Body<A, E1, R> => (a, i, next) =>
      Effect.matchCauseEffect(f(a, i), {
        onFailure: (cause) => {
          results[i] = Exit.failCause(cause)
          return next
        },
        onSuccess: (b) => {
          results[i] = Exit.succeed(b)
          return next
        }
      })
  )

/**
 * For effects only (`discard: true`): no result is kept, so memory stays flat
 * however many items. Fail-fast stops at the first failure; settle goes on.
 *
 * @internal
 */
export const discard = <A, B, E, R, E1, R1>(
  items: Items<A, E1, R1>,
  f: F<A, B, E, R>,
  concurrency: number,
  settle: boolean
): Effect.Effect<void, E | E1, R | R1> =>
  Effect.asVoid(collect(
    items,
    concurrency,
    (_results: Array<never>, intake): Body<A, E | E1, R> => (a, i, next) =>
      Effect.matchCauseEffect(f(a, i), {
        onFailure: (cause) => settle ? next : stop(intake, cause),
        onSuccess: () => next
      })
  ))

/**
 * The streaming form runs the same workers in a background fiber that lives as
 * long as the stream is read; results go to a `Mailbox` of `2 × concurrency`
 * (a slow reader suspends the workers), through a `ReorderWindow` of
 * `4 × concurrency` in input order.
 *
 * @internal
 */
export const stream = <A, B, E, R, E1, R1>(
  items: Items<A, E1, R1>,
  f: F<A, B, E, R>,
  options: StreamOptions
): Stream.Stream<B, E | E1, R | R1> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const concurrency = options.concurrency
    yield* validate(concurrency)
    const out = yield* Mailbox.make<B, E | E1>(2 * concurrency)
    const source = yield* makePull(items, concurrency)
    const intake: Intake = { stopped: false }
    const ordered = options.ordered !== false
    const window = new ReorderWindow<B>(4 * concurrency, out)
    const body: Body<A, E | E1, R> = (a, i, next) =>
      Effect.matchCauseEffect(f(a, i), {
        onFailure: (cause) => stop(intake, cause),
        onSuccess: (b) => Effect.zipRight(ordered ? window.finish(i, b) : out.offer(b), next)
      })
    const pull = ordered ? { pull: window.gate(source.pull) } : source
    yield* runWorkers(pull, concurrency, body, intake).pipe(
      Effect.onExit((exit) => out.done(exit)),
      Effect.forkScoped
    )
    return Mailbox.toStream(out)
  }))
