/**
 * One shell command (or argv) run as its own process group: the model of a job,
 * the value it ends with, and the typed ways it can fail.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as commandLine from "./internal/commandLine.js"
import * as internal from "./internal/job.js"
import * as errors from "./internal/jobErrors.js"
import type { JobOutput, OutputClosedError } from "./Output.js"
import type { TermSeq } from "./TermSeq.js"

/**
 * What to run. A `string` command is a command line run by the shell
 * (`/bin/sh -c` unless `shell` says otherwise); an array is an argv run with no
 * shell.
 *
 * @since 0.1.0
 * @category models
 */
export interface JobSpec {
  /** 1-based position in the input (GNU parallel's `{#}`, `PARALLEL_SEQ`). */
  readonly seq: number
  /**
   * A command line for the shell, or an argv run with no shell. A function is
   * called with the job's slot once it has one, for templates that use the
   * slot (GNU parallel's `{%}`).
   */
  readonly command: string | ReadonlyArray<string> | ((slot: number) => string)
  /** The input arguments the command was made from (for tags, JSON records). */
  readonly args: ReadonlyArray<string>
  /** Prefix for each output line (`--tag`, `--tagstring`); a function gets the slot, as `command`. */
  readonly tag?: string | ((slot: number) => string) | undefined
  /** Extra environment variables, on top of ours. */
  readonly env?: Readonly<Record<string, string>> | undefined
  /** This job's stdin, over the batch's or the run's (GNU parallel's `--pipe` gives each job its block). */
  readonly stdin?: JobStdin | undefined
}

/**
 * What a job reads on stdin: `"ignore"` (/dev/null), `"inherit"` (ours), or
 * bytes written into a pipe: one buffer, several (written at once with
 * `writev`, not joined), or a function giving a stream of them (called again
 * for a retry), written as the job reads it. A job that exits or closes its
 * stdin while bytes are still to be written ends as killed by `SIGPIPE`, as
 * under GNU parallel, whose writer dies of it (bytes already in the pipe
 * count as taken).
 *
 * @since 0.1.0
 * @category models
 */
export type JobStdin =
  | "ignore"
  | "inherit"
  | Uint8Array
  | ReadonlyArray<Uint8Array>
  | (() => AsyncIterable<Uint8Array>)

/**
 * How a job ended. Every job, failed or not, ends with one.
 *
 * @since 0.1.0
 * @category models
 */
export interface JobResult {
  readonly seq: number
  /** The job slot it ran in, 1..jobs (`PARALLEL_JOBSLOT`, `{%}`). */
  readonly slot: number
  /** The command as written in the joblog: the command line, or the argv shell-quoted. */
  readonly command: string
  readonly args: ReadonlyArray<string>
  /** Exit code; `null` when the job died by a signal. 127/126 when it could not be started. */
  readonly exitCode: number | null
  /** The signal that ended the job (`"SIGTERM"`), or `null`. */
  readonly signal: NodeJS.Signals | null
  /** It was killed because it ran longer than its timeout. */
  readonly timedOut: boolean
  /** Start of the last attempt, epoch milliseconds. */
  readonly start: number
  /** Wall time of the last attempt in milliseconds. */
  readonly runtime: number
  /** How many times it ran (1 unless retried). */
  readonly attempts: number
  readonly stdoutBytes: number
  readonly stderrBytes: number
}

/**
 * The command could not be started (no such program, not executable).
 *
 * @since 0.1.0
 * @category errors
 */
export const JobSpawnError: typeof errors.JobSpawnError = errors.JobSpawnError

/**
 * @since 0.1.0
 * @category errors
 */
export type JobSpawnError = errors.JobSpawnError

/**
 * The job exited with a non-zero code.
 *
 * @since 0.1.0
 * @category errors
 */
export const JobExitError: typeof errors.JobExitError = errors.JobExitError

/**
 * @since 0.1.0
 * @category errors
 */
export type JobExitError = errors.JobExitError

/**
 * The job was killed by a signal it did not get from us.
 *
 * @since 0.1.0
 * @category errors
 */
export const JobSignalError: typeof errors.JobSignalError = errors.JobSignalError

/**
 * @since 0.1.0
 * @category errors
 */
export type JobSignalError = errors.JobSignalError

/**
 * The job ran longer than its timeout; its group was terminated.
 *
 * @since 0.1.0
 * @category errors
 */
export const JobTimeoutError: typeof errors.JobTimeoutError = errors.JobTimeoutError

/**
 * @since 0.1.0
 * @category errors
 */
export type JobTimeoutError = errors.JobTimeoutError

/**
 * The helper process that ran the job (see `JobRunner`) died while the job
 * ran; the job's process group was terminated. Its result says exit 255, as
 * GNU parallel reports a job whose ssh connection died.
 *
 * @since 0.1.0
 * @category errors
 */
export const JobRunnerLostError: typeof errors.JobRunnerLostError = errors.JobRunnerLostError

/**
 * @since 0.1.0
 * @category errors
 */
export type JobRunnerLostError = errors.JobRunnerLostError

/**
 * @since 0.1.0
 * @category errors
 */
export type JobError = JobSpawnError | JobExitError | JobSignalError | JobTimeoutError | JobRunnerLostError

/**
 * @since 0.1.0
 * @category models
 */
export interface RunOptions {
  /** Job slot, 1-based (default 1): `PARALLEL_JOBSLOT`, `FANOUT_SLOT`. */
  readonly slot?: number | undefined
  /** Shell for string commands (default `/bin/sh`), run as `shell -c command`. */
  readonly shell?: string | undefined
  /** How to stop the group (default GNU parallel's `TERM,200,TERM,100,TERM,50,KILL,25`). */
  readonly termSeq?: TermSeq | undefined
  readonly timeout?: Duration.DurationInput | undefined
  /** Where the job's bytes go; without it they are counted and dropped. */
  readonly output?: JobOutput | undefined
  /** On failure, `end` the output with `discard: true` (an attempt that will be retried). */
  readonly discardOutputOnFailure?: boolean | undefined
  /** Reported as `attempts` in the result (default 1). */
  readonly attempt?: number | undefined
  readonly cwd?: string | undefined
  /** The job's stdin (default `"ignore"`: /dev/null); a spec's own `stdin` wins over it. */
  readonly stdin?: JobStdin | undefined
  /** Base environment (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv | undefined
}

/**
 * Runs one job as the leader of its own process group (forked by the
 * `JobRunner` in the context: in-process unless a layer says otherwise), with `PARALLEL_SEQ`,
 * `PARALLEL_JOBSLOT`, `FANOUT_SEQ` and `FANOUT_SLOT` in its environment.
 *
 * - When the job exits, whatever it left running in its group (`cmd &`) is
 *   terminated with the termination sequence before this returns.
 * - Interruption and timeout terminate the group with the sequence and return
 *   only when the whole group is gone.
 * - A non-zero exit, a signal, a timeout or a failed start fail with a typed
 *   error that carries the `JobResult`.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { pipe } from "effect/Function"
 * import { Job } from "@fanout/shell"
 *
 * const program = Job.run({ seq: 1, command: "echo $PARALLEL_SEQ", args: [] }, { timeout: "10 seconds" }).pipe(
 *   Effect.map((result) => result.exitCode)
 * )
 * // or data-last
 * const same = pipe({ seq: 1, command: "echo $PARALLEL_SEQ", args: [] }, Job.run({ timeout: "10 seconds" }))
 * ```
 *
 * @since 0.1.0
 * @category execution
 */
export const run: {
  (options?: RunOptions): (spec: JobSpec) => Effect.Effect<JobResult, JobError | OutputClosedError>
  (spec: JobSpec, options?: RunOptions): Effect.Effect<JobResult, JobError | OutputClosedError>
} = dual(
  (args) => typeof args[0] === "object" && args[0] !== null && "command" in args[0],
  internal.run
)

/**
 * The command as the joblog writes it: the command line as is, an argv joined
 * with spaces, each word quoted for the shell when it needs it.
 *
 * @since 0.1.0
 * @category getters
 */
export const commandText: (command: string | ReadonlyArray<string>) => string = commandLine.commandText

/**
 * A word quoted for a Bourne shell only when it needs it, exactly as GNU
 * parallel quotes it (`shell_quote_scalar_default`): the word as is when it is
 * plain, else in single quotes.
 *
 * @example
 * ```ts
 * import { Job } from "@fanout/shell"
 *
 * Job.quote("a.txt") // a.txt
 * Job.quote("it's") // 'it'"'"'s'
 * ```
 *
 * @since 0.2.0
 * @category getters
 */
export const quote: (word: string) => string = commandLine.quote
