/** @internal */
import * as Data from "effect/Data"
import type { BatchSummary } from "../Batch.js"
import type { HaltPolicy } from "../Halt.js"
import type { JobError, JobResult } from "../Job.js"
import { HaltTracker } from "./halt.js"
import type { PercentTimeout } from "./jobTimer.js"

/** Why the batch started no more jobs. @internal */
export type StopReason = NonNullable<BatchSummary["stoppedBy"]>

/** How many failed jobs the summary keeps. */
const keptFailures = 1000

const spawnReasons: Record<string, string> = {
  ENOENT: "no such file or directory (the shell)",
  EACCES: "permission denied",
  E2BIG: "its command line and environment are longer than the system allows",
  EAGAIN: "the system has no more processes to give (fork failed)",
  ENOMEM: "not enough memory to start a process",
  EMFILE: "too many open files",
  ERR_INVALID_ARG_VALUE: "its command line holds a NUL byte"
}

/** What to do about one finished job: the notices to print, and whether to halt now or soon. @internal */
export interface Finished {
  readonly result: JobResult
  readonly notices: ReadonlyArray<string>
  readonly halt: "now" | "soon" | undefined
}

/**
 * The batch's counts and its stop reason, changed by plain synchronous calls
 * as jobs are read, start and end; `summary` reads them off at the end.
 *
 * @internal
 */
export class BatchState {
  seen = 0
  running = 0
  private succeeded = 0
  private skipped = 0
  private notStarted = 0
  private timedOut = 0
  private readonly failures: Array<JobResult> = []
  private readonly tracker: HaltTracker
  stoppedBy: StopReason | undefined = undefined

  constructor(halt: HaltPolicy, total: number | undefined, private readonly percent: PercentTimeout | undefined) {
    this.tracker = new HaltTracker(halt, () => total ?? this.tracker.started)
  }

  get stopped(): boolean {
    return this.stoppedBy !== undefined
  }

  /** The first reason wins. */
  stop(reason: StopReason): void {
    this.stoppedBy ??= reason
  }

  skip(): void {
    this.skipped++
  }

  refuse(): void {
    this.notStarted++
  }

  start(): void {
    this.running++
    this.tracker.onStart()
  }

  /** The attempts are over (the job's slot is free again). */
  ended(): void {
    this.running--
  }

  finish(outcome: { readonly result: JobResult; readonly error: JobError | undefined }): Finished {
    const { error, result } = outcome
    const notices: Array<string> = []
    if (error === undefined) {
      this.succeeded++
      this.percent?.succeeded(result.runtime)
    } else {
      if (error._tag === "JobSpawnError") {
        notices.push(`job ${result.seq} (${result.command}) could not start: ${spawnReasons[error.code] ?? error.code}`)
      }
      if (this.failures.length < keptFailures) this.failures.push(result)
      if (result.timedOut) {
        this.timedOut++
        notices.push(`job ${result.seq} was killed because it timed out: ${result.command}`)
      }
    }
    const verdict = this.tracker.onEnd({
      failed: error !== undefined,
      exitCode: result.exitCode,
      signal: result.signal
    })
    if (verdict.counted !== undefined) notices.push(`this job ${verdict.counted}: ${result.command}`)
    return { result, notices, halt: verdict.halt }
  }

  summary(dropped: number): BatchSummary {
    return {
      jobs: this.seen + dropped,
      started: this.tracker.started,
      succeeded: this.succeeded,
      failed: this.tracker.failed,
      timedOut: this.timedOut,
      skipped: this.skipped,
      notStarted: this.notStarted + dropped,
      failures: this.failures,
      stoppedBy: this.stoppedBy,
      exitStatus: this.tracker.exitStatus()
    }
  }
}

/** Raised inside the batch to stop every running job at once. @internal */
export class StopNow extends Data.TaggedError("StopNow")<{}> {}
