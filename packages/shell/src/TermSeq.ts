/**
 * The termination sequence: which signals a job's process group gets, and how
 * long to wait after each, when a job is stopped (GNU parallel's `--termseq`).
 *
 * @since 0.1.0
 */
import type * as Either from "effect/Either"
import * as internal from "./internal/termSeq.js"

/**
 * One step: send `signal` to the job's process group, then wait up to `waitMs`
 * milliseconds for the group to vanish before the next step.
 *
 * @since 0.1.0
 * @category models
 */
export type TermStep = internal.TermStep

/**
 * @since 0.1.0
 * @category models
 */
export type TermSeq = internal.TermSeq

/**
 * A termination sequence that does not parse; `message` is one line naming the
 * bad value and what was expected.
 *
 * @since 0.1.0
 * @category errors
 */
export const TermSeqParseError: typeof internal.TermSeqParseError = internal.TermSeqParseError

/**
 * @since 0.1.0
 * @category errors
 */
export type TermSeqParseError = internal.TermSeqParseError

/**
 * GNU parallel's default: `TERM,200,TERM,100,TERM,50,KILL,25`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultTermSeq: TermSeq = internal.defaultTermSeq

/**
 * Parses `SIGNAL,MS,SIGNAL,MS,…` (names with or without `SIG`, or numbers).
 * When the last step leaves something alive, KILL follows anyway: stopping a
 * job always ends with its group gone.
 *
 * @example
 * ```ts
 * import { TermSeq } from "@fanout/shell"
 *
 * const seq = TermSeq.parse("INT,1000,TERM,500,KILL,25")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const parse: (input: string) => Either.Either<TermSeq, TermSeqParseError> = internal.parse
