/**
 * When a batch stops early: GNU parallel's `--halt` policy.
 *
 * @since 0.1.0
 */
import type * as Either from "effect/Either"
import * as internal from "./internal/halt.js"

/**
 * A count of jobs, or a percentage of all jobs in the batch.
 *
 * @since 0.1.0
 * @category models
 */
export type HaltThreshold =
  | { readonly _tag: "Count"; readonly count: number }
  | { readonly _tag: "Percent"; readonly percent: number }

/**
 * - `never`: run every job (the default).
 * - `soon`: once the threshold is reached, start no new job and let running ones finish.
 * - `now`: once the threshold is reached, terminate running jobs (termination sequence) and stop.
 *
 * `on` says which jobs count: `fail`ed ones, ones that `success`fully ended, or
 * all that are `done`.
 *
 * @since 0.1.0
 * @category models
 */
export type HaltPolicy =
  | { readonly when: "never" }
  | {
    readonly when: "now" | "soon"
    readonly on: "fail" | "success" | "done"
    readonly threshold: HaltThreshold
  }

/**
 * A halt policy that does not parse; `message` is one line naming the bad
 * value and what was expected.
 *
 * @since 0.1.0
 * @category errors
 */
export const HaltParseError: typeof internal.HaltParseError = internal.HaltParseError

/**
 * @since 0.1.0
 * @category errors
 */
export type HaltParseError = internal.HaltParseError

/**
 * Parses GNU parallel's `--halt` syntax: `never`, `now|soon,fail|success|done=N`
 * or `=N%`, and the legacy forms `0`, `1`, `2`, `-1`, `-2` and `N%`.
 *
 * @example
 * ```ts
 * import { Halt } from "@fanout/shell"
 *
 * const policy = Halt.parse("now,fail=1") // Either.right({ when: "now", on: "fail", threshold: { _tag: "Count", count: 1 } })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const parse: (input: string) => Either.Either<HaltPolicy, HaltParseError> = internal.parse

/**
 * @since 0.1.0
 * @category constructors
 */
export const never: HaltPolicy = { when: "never" }
