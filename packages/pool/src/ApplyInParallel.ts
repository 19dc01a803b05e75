/**
 * Apply an effectful function to many items, at most `concurrency` at a time.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Stream from "effect/Stream"
import * as internal from "./internal/applyInParallel.js"

/**
 * What `applyInParallel` reads from: pulled lazily, one item per free worker.
 *
 * @since 0.1.0
 * @category models
 */
export type Items<A, E1 = never, R1 = never> = Iterable<A> | AsyncIterable<A> | Stream.Stream<A, E1, R1>

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** How many calls of `f` may run at once: a whole number >= 1. */
  readonly concurrency: number
  /** `"fail-fast"` (default) stops at the first failure; `"settle"` returns an `Exit` per item. */
  readonly mode?: "fail-fast" | "settle" | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface StreamOptions {
  readonly concurrency: number
  /** `true` (default): results in input order; `false`: as they complete. */
  readonly ordered?: boolean | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ApplyInParallel {
  <A, B, E, R, E1 = never, R1 = never>(
    items: Items<A, E1, R1>,
    f: (a: A, index: number) => Effect.Effect<B, E, R>,
    options: Options & { readonly mode: "settle" }
  ): Effect.Effect<Array<Exit.Exit<B, E>>, E1, R | R1>
  <A, B, E, R, E1 = never, R1 = never>(
    items: Items<A, E1, R1>,
    f: (a: A, index: number) => Effect.Effect<B, E, R>,
    options: Options & { readonly mode?: "fail-fast" | undefined }
  ): Effect.Effect<Array<B>, E | E1, R | R1>
  /**
   * The streaming form: results as they are produced, in input order or as they
   * complete. Fails (after interrupting the running calls) at the first failure.
   */
  readonly stream: <A, B, E, R, E1 = never, R1 = never>(
    items: Items<A, E1, R1>,
    f: (a: A, index: number) => Effect.Effect<B, E, R>,
    options: StreamOptions
  ) => Stream.Stream<B, E | E1, R | R1>
}

/**
 * Runs `f` over `items` with at most `options.concurrency` calls at once, and
 * returns the results in input order. It returns only when no call of `f` is
 * running any more.
 *
 * Items are pulled lazily — one per free worker — so an infinite generator, an
 * `AsyncIterable` or a `Stream` works. In `"fail-fast"` mode (the default) the
 * first failure stops intake, interrupts the running calls, awaits them, then
 * fails with that error. In `"settle"` mode it never fails because of `f` and
 * returns an `Exit` per item.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { applyInParallel } from "@fanout/pool"
 *
 * const squares = applyInParallel([1, 2, 3, 4], (n) => Effect.succeed(n * n), { concurrency: 2 })
 * // Effect<Array<number>>: [1, 4, 9, 16]
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const applyInParallel: ApplyInParallel = Object.assign(
  (
    items: Items<unknown, unknown, unknown>,
    f: (a: unknown, i: number) => Effect.Effect<unknown, unknown, unknown>,
    options: Options
  ) => options.mode === "settle" ? internal.applySettle(items, f, options) : internal.applyFailFast(items, f, options),
  { stream: internal.stream }
) as ApplyInParallel
