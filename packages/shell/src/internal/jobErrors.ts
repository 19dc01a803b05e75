import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import type { JobResult } from "../Job.js"

/** @internal */
export class JobSpawnError extends Data.TaggedError("JobSpawnError")<{
  readonly result: JobResult
  /** The system error code: `ENOENT`, `EACCES`, … */
  readonly code: string
}> {
  override get message() {
    return `cannot run ${this.result.command}: ${this.code}`
  }
}

/** @internal */
export class JobExitError extends Data.TaggedError("JobExitError")<{ readonly result: JobResult }> {
  override get message() {
    return `job ${this.result.seq} exited with ${this.result.exitCode}: ${this.result.command}`
  }
}

/** @internal */
export class JobSignalError extends Data.TaggedError("JobSignalError")<{ readonly result: JobResult }> {
  override get message() {
    return `job ${this.result.seq} was killed by ${this.result.signal}: ${this.result.command}`
  }
}

/** @internal */
export class JobTimeoutError extends Data.TaggedError("JobTimeoutError")<{
  readonly result: JobResult
  readonly after: Duration.Duration
}> {
  override get message() {
    return `job ${this.result.seq} timed out: ${this.result.command}`
  }
}

/** @internal */
export class JobRunnerLostError extends Data.TaggedError("JobRunnerLostError")<{
  readonly result: JobResult
  /** What happened to the runner. */
  readonly reason: string
}> {
  override get message() {
    return `job ${this.result.seq} was stopped because its job runner died (${this.reason}): ${this.result.command}`
  }
}
