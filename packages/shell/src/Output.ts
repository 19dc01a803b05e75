/**
 * Where a job's bytes go. The runner (`Job`/`Batch`) opens one `JobOutput` per
 * job attempt and feeds it stdout and stderr chunks as they arrive; the `Output`
 * decides when and how they reach our own stdout/stderr (group, line, ungroup,
 * keep-order, tags, JSON records).
 *
 * This file is the seam between the process side and the output side of
 * `@fanout/shell`: the types below are the contract, the implementation lives in
 * `internal/output*.ts`.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/output.js"
import * as sink from "./internal/outputSink.js"

/**
 * - `group`: a job's stdout then its stderr, each whole, written when the job ends.
 * - `line`: whole lines as they come; lines of different jobs interleave, a line is never cut.
 * - `ungroup`: bytes as they come.
 *
 * @since 0.1.0
 * @category models
 */
export type OutputMode = "group" | "line" | "ungroup"

/**
 * @since 0.1.0
 * @category models
 */
export interface OutputOptions {
  readonly mode: OutputMode
  /** Print jobs in `seq` order (1, 2, 3, …) while they still run in parallel. */
  readonly keepOrder: boolean
  /**
   * `json`: instead of the job's bytes, one JSON object per job (see `JobRecord`)
   * on stdout, written when the job ends, one per line:
   * `{"seq","args","command","exit","signal","start","runtime","stdout","stderr"}`.
   * `stdout`/`stderr` are the output as text; when it is not valid UTF-8 the
   * string has U+FFFD in place of each bad sequence and an extra field
   * `stdout_base64`/`stderr_base64` holds the exact bytes. `mode` and `tag` do
   * not apply; `keepOrder` orders the records.
   */
  readonly format: "raw" | "json"
  /**
   * Bytes a job may hold in memory (stdout and stderr together) before the rest
   * spills to a temp file. Default `defaultSpillThreshold` (1 MiB). Jobs held
   * for `keepOrder` share 16 thresholds of memory; beyond that they wait in
   * their spill files.
   */
  readonly spillThreshold?: number
  /**
   * Directory for spill files (default: `os.tmpdir()`). A spill file is unlinked
   * right after it is opened: nothing is left on disk however we end.
   */
  readonly tmpdir?: string
  /** Where our output goes (default: `process.stdout` / `process.stderr`). */
  readonly stdout?: NodeJS.WritableStream
  readonly stderr?: NodeJS.WritableStream
}

/**
 * What the output side needs to know about a job when it opens.
 *
 * @since 0.1.0
 * @category models
 */
export interface JobInfo {
  /** 1-based position of the job in the input (GNU parallel's `{#}`). */
  readonly seq: number
  /** When set, every line is prefixed with `tag` and a TAB (`--tag`, `--tagstring`). */
  readonly tag?: string | undefined
  /** The job's slot (GNU parallel's `{%}`), when a batch runs it. */
  readonly slot?: number | undefined
}

/**
 * What a job ended with, for the `json` format (and anything else that reports per job).
 *
 * @since 0.1.0
 * @category models
 */
export interface JobRecord {
  readonly seq: number
  readonly args: ReadonlyArray<string>
  readonly command: string
  /** Exit code, or `null` when the job was killed by a signal or never ran. */
  readonly exit: number | null
  readonly signal: string | null
  /** Start time, epoch milliseconds. */
  readonly start: number
  /** Wall time in milliseconds. */
  readonly runtime: number
  /** The job was stopped because it ran past its timeout (its `signal` is the one that ended it). */
  readonly timedOut?: boolean | undefined
}

/**
 * Our stdout was closed by its reader (`fanout … | head`). The run should stop
 * quietly: start nothing new, stop running jobs, report no error.
 *
 * @since 0.1.0
 * @category errors
 */
export const OutputClosedError: typeof sink.OutputClosedError = sink.OutputClosedError

/**
 * @since 0.1.0
 * @category errors
 */
export type OutputClosedError = sink.OutputClosedError

/**
 * Writing to our own stdout or stderr failed for another reason than a reader
 * that went away (a full disk, an I/O error). Output was lost, so it is not
 * quiet like `OutputClosedError`: the batch dies with it (a defect carrying
 * this error) and running jobs are stopped. `message`: `cannot write to
 * standard output: no space left on device`.
 *
 * @since 0.1.0
 * @category errors
 */
export const OutputWriteError: typeof sink.OutputWriteError = sink.OutputWriteError

/**
 * @since 0.1.0
 * @category errors
 */
export type OutputWriteError = sink.OutputWriteError

/**
 * One attempt of one job.
 *
 * @since 0.1.0
 * @category models
 */
export interface JobOutput {
  /**
   * Feed the job's bytes, one chunk at a time per stream (await each before the
   * next). The chunk may be kept until it is written: do not reuse its memory.
   */
  readonly stdout: (chunk: Uint8Array) => Effect.Effect<void, OutputClosedError>
  readonly stderr: (chunk: Uint8Array) => Effect.Effect<void, OutputClosedError>
  /**
   * The job ended and its streams are drained. Writes what is still held (all of
   * it in `group` mode, the last unterminated line in `line` mode) or, with
   * `keepOrder`, holds it until every earlier `seq` is written or skipped.
   * `discard: true` drops what is held (a failed attempt that will be retried).
   */
  readonly end: (record: JobRecord, options?: { readonly discard?: boolean }) => Effect.Effect<void, OutputClosedError>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Output {
  /** Opens a job's output. Closing the scope releases its spill file. */
  readonly open: (job: JobInfo) => Effect.Effect<JobOutput, never, Scope.Scope>
  /**
   * With `keepOrder`: whether job `seq` has ended and its output is held until
   * earlier jobs are written. If the Output's scope closes first (Ctrl-C), that
   * output is thrown away, so whoever logs the job should wait for `onPrinted`.
   */
  readonly isHeld: (seq: number) => boolean
  /** Sets what runs after a held job's output has been written (one listener; the batch's). */
  readonly onPrinted: (f: (seq: number) => Effect.Effect<void>) => void
  /** `seq` will produce no output (skipped by resume, or never started): `keepOrder` must not wait for it. */
  readonly skip: (seq: number) => Effect.Effect<void, OutputClosedError>
  /**
   * The batch is over: write everything still held, in `seq` order, without
   * waiting for seqs that never came, and wait until our streams have taken it.
   */
  readonly finish: Effect.Effect<void, OutputClosedError>
}

/**
 * The default `spillThreshold`: 1 MiB per job. Thirty jobs at once hold at most
 * 30 MiB; a job of a few lines never touches the disk.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultSpillThreshold: number = internal.defaultSpillThreshold

/**
 * Makes an `Output`. Closing the scope releases what is still held (spill files
 * of `keepOrder` jobs that were never written) and detaches from the streams.
 *
 * - `ungroup`: chunks go straight to our stream (`tag` and `keepOrder` do not
 *   apply, as with GNU parallel's `-u`).
 * - `line`: each job writes whole lines as they come; with `tag`, each line is
 *   prefixed by `tag` and a TAB; the last line without newline is written (and
 *   tagged) at `end`, without adding a newline.
 * - `group`: at `end`, stdout whole then stderr whole, no other job in between.
 *
 * Writes wait for `drain` when our stream is full. When a reader closes our
 * stdout or stderr (EPIPE), every later call fails with `OutputClosedError`
 * and nothing is thrown or logged.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { Output } from "@fanout/shell"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const output = yield* Output.make({ mode: "group", keepOrder: true, format: "raw" })
 *     const job = yield* output.open({ seq: 1, tag: "a" })
 *     yield* job.stdout(new TextEncoder().encode("hello\n"))
 *     yield* job.end({ seq: 1, args: ["a"], command: "echo hello", exit: 0, signal: null, start: 0, runtime: 1 })
 *     yield* output.finish
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: OutputOptions) => Effect.Effect<Output, never, Scope.Scope> = internal.make
