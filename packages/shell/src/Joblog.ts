/**
 * GNU parallel's joblog: one tab-separated row per finished job, written as the
 * job ends, so tools that read parallel's joblog read ours, and `resume` can
 * tell what is done.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/joblog.js"
import type { JobResult } from "./Job.js"

/**
 * The header: `Seq Host Starttime JobRuntime Send Receive Exitval Signal Command`, tab-separated.
 *
 * @since 0.1.0
 * @category constants
 */
export const header: string = internal.header

/**
 * The joblog cannot be opened, written or read (`reason` says why, on one line).
 *
 * @since 0.1.0
 * @category errors
 */
export const JoblogError: typeof internal.JoblogError = internal.JoblogError

/**
 * @since 0.1.0
 * @category errors
 */
export type JoblogError = internal.JoblogError

/**
 * @since 0.1.0
 * @category models
 */
export interface JoblogWriter {
  /** Appends the job's row with one `write` (no buffering: a crash loses no finished job). */
  readonly write: (result: JobResult) => Effect.Effect<void, JoblogError>
}

/**
 * Which jobs count as finished when resuming: `all` (GNU parallel's `--resume`:
 * any job with a row) or `succeeded` (`--resume-failed`: rows with Exitval 0
 * and Signal 0; failed jobs run again).
 *
 * @since 0.1.0
 * @category models
 */
export type ResumeMode = "all" | "succeeded"

/**
 * One job's row, ending with a newline. Host is `:` (this machine), Send is 0,
 * Receive is the bytes of stdout, Exitval is -1 for a job killed by its
 * timeout, Signal is the number of the signal that ended the job.
 *
 * @example
 * ```ts
 * import { Joblog } from "@fanout/shell"
 *
 * Joblog.formatRow({
 *   seq: 1, slot: 1, command: "sleep 1", args: ["1"], exitCode: null, signal: "SIGTERM", timedOut: true,
 *   start: 1700000000000, runtime: 815, attempts: 1, stdoutBytes: 0, stderrBytes: 0
 * }) // "1\t:\t1700000000.000\t     0.815\t0\t0\t-1\t15\tsleep 1\n"
 * ```
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatRow: (result: JobResult) => string = internal.formatRow

/**
 * Opens a joblog for writing: truncated and given a header, or with `append`
 * kept and extended (a header is written only into an empty file). With
 * `header: false` no header is written at all (GNU parallel's `--joblog +FILE`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const open: (
  path: string,
  options?: { readonly append?: boolean | undefined; readonly header?: boolean | undefined }
) => Effect.Effect<JoblogWriter, JoblogError, Scope.Scope> = internal.open

/**
 * The seqs a resumed batch skips (see `ResumeMode`). A joblog that does not
 * exist yet skips nothing.
 *
 * @since 0.1.0
 * @category constructors
 */
export const finishedSeqs: (
  path: string,
  mode: ResumeMode
) => Effect.Effect<
  { readonly has: (seq: number) => boolean; readonly size: number; readonly cut: string | undefined },
  JoblogError
> = internal.finishedSeqs
