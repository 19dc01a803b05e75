/**
 * Many jobs through a fixed number of slots: timeout, retries, halt policy,
 * delay between starts, joblog and resume, and a summary with the exit status
 * GNU parallel would give.
 *
 * @since 0.1.0
 */
import type { Items } from "@fanout/pool"
import type * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import type { HaltPolicy } from "./Halt.js"
import * as internal from "./internal/batch.js"
import type { JobResult, JobSpec } from "./Job.js"
import type { JoblogError, ResumeMode } from "./Joblog.js"
import type { Output } from "./Output.js"
import type { TermSeq } from "./TermSeq.js"

/**
 * Where the jobs come from, read lazily (a job spec is read when a slot is
 * about to be free), so an input of 10^6 lines is never held.
 *
 * @since 0.1.0
 * @category models
 */
export type Inputs<E = never, R = never> = Items<JobSpec, E, R>

/**
 * A fixed time, or a percentage of the median runtime of the jobs that
 * succeeded so far (GNU parallel's `--timeout 200%`; no limit until one has).
 *
 * @since 0.1.0
 * @category models
 */
export type Timeout = Duration.DurationInput | { readonly percent: number }

/**
 * @since 0.1.0
 * @category models
 */
export interface BatchOptions {
  /** Job slots: at most this many jobs run at once. */
  readonly jobs: number
  /** Shell for string commands (default `/bin/sh`). */
  readonly shell?: string | undefined
  /** How a job's group is stopped (default `TERM,200,TERM,100,TERM,50,KILL,25`). */
  readonly termSeq?: TermSeq | undefined
  readonly timeout?: Timeout | undefined
  /**
   * GNU parallel's `--retries`: a failing job runs up to this many times in
   * all (default 1); 0 means until it succeeds. A retry keeps its slot; only
   * the last attempt's output is written and logged.
   */
  readonly retries?: number | undefined
  readonly halt?: HaltPolicy | undefined
  /** The number of jobs, for a `%` halt policy; without it the input is read whole first. */
  readonly total?: number | undefined
  /** Minimum time between two job starts. */
  readonly delay?: Duration.DurationInput | undefined
  /** Where job output goes; without it, output is counted and dropped. The batch calls `finish` at its end. */
  readonly output?: Output | undefined
  /** Path of a joblog to write (GNU parallel's format), truncated unless `joblogAppend` or `resume`. */
  readonly joblog?: string | undefined
  readonly joblogAppend?: boolean | undefined
  /** `false`: the joblog gets no header row, even when new (GNU parallel's `--joblog +FILE`). */
  readonly joblogHeader?: boolean | undefined
  /** Skip the jobs the joblog shows finished (`all`) or succeeded (`succeeded`), by seq; appends to it. */
  readonly resume?: ResumeMode | undefined
  /** When this completes, start no new job and let running ones finish (SIGHUP). */
  readonly drain?: Deferred.Deferred<void> | undefined
  /** Called as each job ends (after its joblog row), for progress reports. */
  readonly onJobEnd?: ((result: JobResult) => Effect.Effect<void>) | undefined
  /** One-line notices (timeouts, halts). Default: the message and a newline on stderr. */
  readonly warn?: ((message: string) => Effect.Effect<void>) | undefined
  readonly cwd?: string | undefined
  readonly stdin?: "ignore" | "inherit" | undefined
  readonly env?: NodeJS.ProcessEnv | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface BatchSummary {
  /** Jobs read from the input. */
  readonly jobs: number
  readonly started: number
  readonly succeeded: number
  /** Jobs that failed (after their last retry), timeouts included. */
  readonly failed: number
  readonly timedOut: number
  /** Jobs skipped because the joblog shows them done (`resume`). */
  readonly skipped: number
  /** Jobs read but not started because the batch was stopping. */
  readonly notStarted: number
  /** The failed jobs (the first 1000). */
  readonly failures: ReadonlyArray<JobResult>
  /** Why the batch ended early, if it did. `output-closed`: our stdout's reader went away. */
  readonly stoppedBy: "halt" | "drain" | "output-closed" | undefined
  /**
   * GNU parallel's exit status: 0 all succeeded, 1–100 that many failed, 101
   * more than 100; with a halt policy `fail=1`/`done=1`, the exit status of the
   * job that triggered it (128 + signal for a signal); with `%` forms the
   * percentage of failed jobs, rounded up; a `done=N` halt (N > 1) reached
   * with no failure gives 101, as GNU parallel 20221122 does.
   */
  readonly exitStatus: number
}

/**
 * Runs the jobs, at most `jobs` at once, each in the lowest free slot
 * (`PARALLEL_JOBSLOT`), and returns the summary once every started job has
 * ended. Nothing keeps running after it returns:
 *
 * - halt `now` terminates running jobs' groups with the termination sequence;
 *   `soon` and `drain` start nothing new and wait for running jobs.
 * - Interrupting it terminates every running job's group (sequence included)
 *   before it returns; the joblog already holds every job that finished.
 *   Jobs stopped this way get no joblog row (as GNU parallel), so `resume`
 *   runs them again.
 * - When our stdout's reader goes away (`OutputClosedError`) the batch stops
 *   running jobs and ends quietly with `stoppedBy: "output-closed"`.
 * - When an async iterable of inputs rejects, nothing new starts; the batch
 *   fails with that error once the running jobs have ended (and are logged).
 *   A failing `Stream` of inputs interrupts the running jobs instead.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { pipe } from "effect/Function"
 * import { Batch, Halt } from "@fanout/shell"
 *
 * const specs = ["a", "b", "c"].map((arg, i) => ({ seq: i + 1, command: `echo ${arg}`, args: [arg] }))
 * const program = Batch.run(specs, { jobs: 2, timeout: "1 minute", halt: Halt.never }).pipe(
 *   Effect.map((summary) => summary.exitStatus)
 * )
 * // or data-last
 * const same = pipe(specs, Batch.run({ jobs: 2 }))
 * ```
 *
 * @since 0.2.0
 * @category execution
 */
export const run: {
  (options: BatchOptions): <E = never, R = never>(
    inputs: Inputs<E, R>
  ) => Effect.Effect<BatchSummary, E | JoblogError, R>
  <E = never, R = never>(inputs: Inputs<E, R>, options: BatchOptions): Effect.Effect<BatchSummary, E | JoblogError, R>
} = dual(2, internal.run)

/**
 * The former name of {@link run}.
 *
 * @deprecated Use {@link run}.
 * @since 0.1.0
 * @category execution
 */
export const runJobs: <E = never, R = never>(
  inputs: Inputs<E, R>,
  options: BatchOptions
) => Effect.Effect<BatchSummary, E | JoblogError, R> = internal.run
