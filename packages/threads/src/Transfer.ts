/**
 * Moving `ArrayBuffer`s between threads instead of copying them. This module
 * has no dependency, so a thread's module can import it cheaply.
 *
 * @since 0.1.0
 */
import type { TransferListItem } from "node:worker_threads"

/** @internal */
export const transferKey: unique symbol = Symbol.for("@fanout/threads/transfer") as never

/**
 * A value wrapped with its transfer list; typed as the value itself.
 *
 * @example
 * ```ts
 * import type { Transferred } from "@fanout/threads/Transfer"
 *
 * const listOf = (wrapped: Transferred) => wrapped.value
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Transferred {
  readonly [transferKey]: ReadonlyArray<TransferListItem>
  readonly value: unknown
}

/**
 * Marks `value` to be moved, with the `ArrayBuffer`s (or ports) in `list`, when
 * it crosses to or from a thread: an argument of `pool.run`, or what a task
 * returns. After the move the sender's buffers are detached (length 0).
 *
 * @example
 * ```ts
 * import { transfer } from "@fanout/threads/Transfer"
 *
 * // in a thread's module:
 * export const fill = (n: number) => {
 *   const bytes = new Uint8Array(n).fill(7)
 *   return transfer(bytes, [bytes.buffer])
 * }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const transfer = <A>(value: A, list: ReadonlyArray<TransferListItem>): A =>
  ({ [transferKey]: list, value }) as unknown as A

/** @internal */
export const isTransferred = (value: unknown): value is Transferred =>
  typeof value === "object" && value !== null && transferKey in value
