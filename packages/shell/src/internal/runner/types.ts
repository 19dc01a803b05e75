/** @internal */
import type * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { JobStdin } from "../../Job.js"
import type { OutputClosedError } from "../../Output.js"
import type { TermSeq } from "../termSeq.js"

/** @internal */
export interface ExitStatus {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

/** The job's process could not be started (`ENOENT`, `EACCES`, a NUL byte in a word, …). @internal */
export interface SpawnFailure {
  readonly _tag: "SpawnFailure"
  readonly code: string
  readonly message: string
}

/** The helper process that ran the job died; the job's group was terminated. @internal */
export interface RunnerLost {
  readonly _tag: "RunnerLost"
  readonly reason: string
}

/** Where a pipe's chunks go; awaited one at a time, so a slow sink slows the child instead of filling memory. */
export type Sink = (chunk: Uint8Array) => Effect.Effect<void, OutputClosedError>

/**
 * A sink of ours may also take a chunk at once, with no effect to run: its
 * `takeNow` returns true when it did (output kept in memory), false when the
 * chunk must go through the sink. Running the sink's effect costs a fiber a
 * chunk. A symbol of this module, as `openNow` is of output.ts.
 *
 * @internal
 */
const takeNow: unique symbol = Symbol("@fanout/shell/Sink/takeNow")

/** `sink` with a `takeNow`. @internal */
export const withTakeNow = (sink: Sink, take: (chunk: Uint8Array) => boolean): Sink =>
  Object.assign(sink, { [takeNow]: take })

/** The sink's `takeNow`, when it has one. @internal */
export const takeNowOf = (sink: Sink | undefined): ((chunk: Uint8Array) => boolean) | undefined =>
  (sink as { readonly [takeNow]?: (chunk: Uint8Array) => boolean } | undefined)?.[takeNow]

/**
 * One job for a runner: a command line run by `shell -c`, or an argv run with
 * no shell, in words that may hold raw bytes (see `bytes.ts`).
 *
 * @internal
 */
export interface ChildRequest {
  readonly command: string | ReadonlyArray<string>
  readonly shell: string
  /** The environment shared by many jobs (a runner may send it once). */
  readonly env: NodeJS.ProcessEnv
  /** Variables of this job only, on top of `env`. */
  readonly extraEnv: Readonly<Record<string, string>>
  readonly cwd?: string | undefined
  readonly stdin: JobStdin
  readonly termSeq: TermSeq
  readonly stdout: Sink | undefined
  readonly stderr: Sink | undefined
  /** Completes when the child has run too long, with how long it was allowed. */
  readonly timer: Effect.Effect<Duration.Duration> | undefined
  /** Told the job's process group when it starts, and when it is gone (in-process only). */
  readonly group?: {
    readonly started: (pgid: number) => void
    readonly ended: (pgid: number) => void
  } | undefined
}

/** @internal */
export interface ChildOutcome {
  readonly status: ExitStatus
  /** From the start of the child to its exit, milliseconds. */
  readonly runtime: number
  /** The timer fired first: the group was terminated after this long. */
  readonly timedOut: Duration.Duration | undefined
  /** A sink reported our own stdout/stderr closed, or a write to it failed: the group was terminated. */
  readonly outputFailure: Cause.Cause<OutputClosedError> | undefined
  readonly stdoutBytes: number
  readonly stderrBytes: number
}

/** @internal */
export interface Runner {
  readonly kind: "helper" | "in-process"
  readonly run: (request: ChildRequest) => Effect.Effect<ChildOutcome, SpawnFailure | RunnerLost>
}

/**
 * After the group is gone our pipes normally close at once; a process that
 * left the group with `setsid` may still hold them. Past this wait they are
 * closed from our side.
 *
 * @internal
 */
export const pipeGraceMs = 200
