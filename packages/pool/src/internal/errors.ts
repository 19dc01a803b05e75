import * as Data from "effect/Data"
import * as Duration from "effect/Duration"

/** @internal */
export class PoolClosedError extends Data.TaggedError("PoolClosedError")<{}> {
  override get message() {
    return "the worker pool is shut down and takes no new tasks"
  }
}

/** @internal */
export class TaskTimeoutError extends Data.TaggedError("TaskTimeoutError")<{
  readonly label: string | undefined
  readonly timeout: Duration.Duration
}> {
  override get message() {
    return `task ${this.label === undefined ? "" : `'${this.label}' `}timed out after ${Duration.format(this.timeout)}`
  }
}
