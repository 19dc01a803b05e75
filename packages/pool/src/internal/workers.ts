import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { Items } from "../ApplyInParallel.js"
import { Done, makePull, type Pull } from "./source.js"

/**
 * What a worker does with one item: call `f`, record the outcome, and go on
 * with `next` (the worker's next round).
 *
 * @internal
 */
export type Body<A, E, R> = (a: A, index: number, next: Effect.Effect<void, E, R>) => Effect.Effect<void, E, R>

/**
 * Set by a body the moment it fails, so that no worker starts a new call while
 * the interruption of the others travels.
 *
 * @internal
 */
export interface Intake {
  stopped: boolean
}

/** @internal */
export const validate = (concurrency: number): Effect.Effect<void> =>
  Number.isInteger(concurrency) && concurrency >= 1
    ? Effect.void
    : Effect.dieMessage(`applyInParallel: concurrency must be a whole number >= 1, got ${String(concurrency)}`)

/**
 * `concurrency` worker fibers share one pull; each takes an item, runs `body`,
 * and takes again. `Effect.all` over the workers gives fail-fast for free: the
 * first failure interrupts the other workers and awaits them before it
 * surfaces.
 *
 * @internal
 */
export const runWorkers = <A, E, R>(
  source: Pull<A, E>,
  concurrency: number,
  body: Body<A, E, R>,
  intake: Intake
): Effect.Effect<void, E, R> => {
  let index = 0
  const handlers = {
    // a failed source fails every worker waiting on it; only the first reports it
    onFailure: (cause: Cause.Cause<E>) => {
      if (intake.stopped && !Cause.isInterruptedOnly(cause)) return Effect.void
      intake.stopped = true
      return Effect.failCause(cause)
    },
    onSuccess: (a: A | Done) => a === Done || intake.stopped ? Effect.void : body(a, index++, worker)
  }
  const { next, pull } = source
  const worker: Effect.Effect<void, E, R> = Effect.suspend(() => {
    if (intake.stopped) return Effect.void
    if (next === undefined) return Effect.matchCauseEffect(pull, handlers)
    const a = next()
    return a === Done ? Effect.void : body(a, index++, worker)
  })
  return Effect.all(Array.from({ length: concurrency }, () => worker), { concurrency: "unbounded", discard: true })
}

/**
 * The scaffold of both forms of `applyInParallel`: workers over the source,
 * each outcome written at its item's index by `body`, the array returned once
 * every worker is done.
 *
 * @internal
 */
export const collect = <A, E1, R1, Out, E, R>(
  items: Items<A, E1, R1>,
  concurrency: number,
  body: (results: Array<Out>, intake: Intake) => Body<A, E | E1, R>
): Effect.Effect<Array<Out>, E | E1, R | R1> =>
  Effect.zipRight(
    validate(concurrency),
    Effect.suspend(() => {
      const results: Array<Out> = []
      const intake: Intake = { stopped: false }
      const run = (source: Pull<A, E1>) => runWorkers(source, concurrency, body(results, intake), intake)
      const scoped: Effect.Effect<void, E | E1, R | R1 | Scope.Scope> = Effect.flatMap(
        makePull(items, concurrency),
        run
      )
      return Effect.as(Effect.scoped(scoped), results)
    })
  )
