/**
 * Apply an effectful function to many items, at most `concurrency` at a time.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import type * as Stream from "effect/Stream"
import * as internal from "./internal/applyInParallel.js"

/**
 * What `applyInParallel` reads from, pulled lazily. A sync iterable is read one
 * item per free worker (no read-ahead); an `AsyncIterable` too, one `next()`
 * at a time (a call never overlaps the previous one); a `Stream` is read by one
 * reader fiber at most `concurrency` items (plus the chunk in hand) ahead of
 * the workers. A `Stream`'s error `E1` fails
 * the whole call; an `AsyncIterable` that throws is a defect.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import type { Items } from "@fanout/pool"
 *
 * const fromArray: Items<number> = [1, 2, 3]
 * const fromStream: Items<number, string> = Stream.fail("no input")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Items<A, E1 = never, R1 = never> = Iterable<A> | AsyncIterable<A> | Stream.Stream<A, E1, R1>

/**
 * Options of `applyInParallel`.
 *
 * @example
 * ```ts
 * import type { Options } from "@fanout/pool"
 *
 * const options: Options = { concurrency: 4, mode: "settle" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** How many calls of `f` may run at once: a whole number >= 1. */
  readonly concurrency: number
  /** `"fail-fast"` (default) stops at the first failure; `"settle"` returns an `Exit` per item. */
  readonly mode?: "fail-fast" | "settle" | undefined
  /**
   * `true`: run `f` for its effects only, as `Effect.forEach`'s `discard`. The
   * call returns `void` and keeps nothing per item, so memory stays flat
   * however many items; `"settle"` then ignores failures of `f`.
   */
  readonly discard?: boolean | undefined
}

/**
 * Options of `applyInParallel.stream`.
 *
 * @example
 * ```ts
 * import type { StreamOptions } from "@fanout/pool"
 *
 * const asTheyComplete: StreamOptions = { concurrency: 8, ordered: false }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamOptions {
  /** How many calls of `f` may run at once: a whole number >= 1. */
  readonly concurrency: number
  /** `true` (default): results in input order; `false`: as they complete. */
  readonly ordered?: boolean | undefined
}

/**
 * The type of `applyInParallel`: `"settle"` returns `Array<Exit<B, E>>` and fails
 * only with the input's `E1`; `"fail-fast"` returns `Array<B>` and fails with `E | E1`.
 * With `discard: true` both return `void`. Data-first, or data-last for `pipe`.
 *
 * @example
 * ```ts
 * import { Effect, Exit, pipe } from "effect"
 * import { applyInParallel } from "@fanout/pool"
 *
 * const exits: Effect.Effect<Array<Exit.Exit<number, string>>> = applyInParallel(
 *   [1, 2],
 *   (n) => n > 1 ? Effect.fail("too big") : Effect.succeed(n),
 *   { concurrency: 2, mode: "settle" }
 * )
 * const doubled: Effect.Effect<Array<number>> = pipe(
 *   [1, 2],
 *   applyInParallel((n: number) => Effect.succeed(2 * n), { concurrency: 2 })
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ApplyInParallel {
  <A, B, E, R>(
    f: (a: A, index: number) => Effect.Effect<B, E, R>,
    options: Options & { readonly mode: "settle"; readonly discard: true }
  ): <E1 = never, R1 = never>(items: Items<A, E1, R1>) => Effect.Effect<void, E1, R | R1>
  <A, B, E, R>(
    f: (a: A, index: number) => Effect.Effect<B, E, R>,
    options: Options & { readonly mode?: "fail-fast" | undefined; readonly discard: true }
  ): <E1 = never, R1 = never>(items: Items<A, E1, R1>) => Effect.Effect<void, E | E1, R | R1>
  <A, B, E, R, E1 = never, R1 = never>(
    items: Items<A, E1, R1>,
    f: (a: A, index: number) => Effect.Effect<B, E, R>,
    options: Options & { readonly mode: "settle"; readonly discard: true }
  ): Effect.Effect<void, E1, R | R1>
  <A, B, E, R, E1 = never, R1 = never>(
    items: Items<A, E1, R1>,
    f: (a: A, index: number) => Effect.Effect<B, E, R>,
    options: Options & { readonly mode?: "fail-fast" | undefined; readonly discard: true }
  ): Effect.Effect<void, E | E1, R | R1>
  <A, B, E, R>(
    f: (a: A, index: number) => Effect.Effect<B, E, R>,
    options: Options & { readonly mode: "settle"; readonly discard?: false | undefined }
  ): <E1 = never, R1 = never>(items: Items<A, E1, R1>) => Effect.Effect<Array<Exit.Exit<B, E>>, E1, R | R1>
  <A, B, E, R>(
    f: (a: A, index: number) => Effect.Effect<B, E, R>,
    options: Options & { readonly mode?: "fail-fast" | undefined; readonly discard?: false | undefined }
  ): <E1 = never, R1 = never>(items: Items<A, E1, R1>) => Effect.Effect<Array<B>, E | E1, R | R1>
  <A, B, E, R, E1 = never, R1 = never>(
    items: Items<A, E1, R1>,
    f: (a: A, index: number) => Effect.Effect<B, E, R>,
    options: Options & { readonly mode: "settle"; readonly discard?: false | undefined }
  ): Effect.Effect<Array<Exit.Exit<B, E>>, E1, R | R1>
  <A, B, E, R, E1 = never, R1 = never>(
    items: Items<A, E1, R1>,
    f: (a: A, index: number) => Effect.Effect<B, E, R>,
    options: Options & { readonly mode?: "fail-fast" | undefined; readonly discard?: false | undefined }
  ): Effect.Effect<Array<B>, E | E1, R | R1>
  /**
   * The streaming form: results as they are produced, in input order (default)
   * or as they complete. Fails (after interrupting the running calls) at the
   * first failure; a reader that stops early interrupts the running calls. A
   * slow reader suspends the workers, and in input order no call starts more
   * than `4 × concurrency` items ahead of the oldest result not yet out, so
   * memory stays flat however long the input.
   *
   * @example
   * ```ts
   * import { Effect, Stream } from "effect"
   * import { applyInParallel } from "@fanout/pool"
   *
   * const doubled = applyInParallel.stream(Stream.range(1, 1_000_000), (n) => Effect.succeed(2 * n), {
   *   concurrency: 8,
   *   ordered: false
   * })
   * const tripled = Stream.range(1, 10).pipe(
   *   applyInParallel.stream((n) => Effect.succeed(3 * n), { concurrency: 2 }),
   *   Stream.runCollect
   * )
   * ```
   */
  readonly stream: {
    <A, B, E, R>(
      f: (a: A, index: number) => Effect.Effect<B, E, R>,
      options: StreamOptions
    ): <E1 = never, R1 = never>(items: Items<A, E1, R1>) => Stream.Stream<B, E | E1, R | R1>
    <A, B, E, R, E1 = never, R1 = never>(
      items: Items<A, E1, R1>,
      f: (a: A, index: number) => Effect.Effect<B, E, R>,
      options: StreamOptions
    ): Stream.Stream<B, E | E1, R | R1>
  }
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
 * const logged = applyInParallel([1, 2, 3], (n) => Effect.log(n), { concurrency: 2, discard: true })
 * // Effect<void>: nothing kept per item
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const applyInParallel: ApplyInParallel = Object.assign(
  dual(
    3,
    <A, B, E, R, E1, R1>(items: Items<A, E1, R1>, f: (a: A, i: number) => Effect.Effect<B, E, R>, options: Options) =>
      options.discard === true
        ? internal.discard(items, f, options.concurrency, options.mode === "settle")
        : options.mode === "settle"
        ? internal.settle(items, f, options.concurrency)
        : internal.failFast(items, f, options.concurrency)
  ),
  { stream: dual(3, internal.stream) }
) as ApplyInParallel
