/** @internal */
import * as Data from "effect/Data"

/** What a thread sends for a thrown value: enough to rebuild what the caller needs. @internal */
export interface SerializedError {
  readonly name: string
  readonly message: string
  readonly stack: string | undefined
  /** The thrown value's own enumerable properties that survived the structured clone. */
  readonly properties: Readonly<Record<string, unknown>>
}

/** @internal */
export class ThreadTaskError extends Data.TaggedError("ThreadTaskError")<{
  readonly name: string
  readonly message: string
  readonly stack: string
  readonly properties: Readonly<Record<string, unknown>>
  readonly thread: number
  readonly call: string
}> {}

/** @internal */
export class ThreadCrashError extends Data.TaggedError("ThreadCrashError")<{
  readonly thread: number
  readonly call: string
  readonly exitCode: number | undefined
  readonly reason: string
}> {
  override get message() {
    return `thread ${this.thread} died running '${this.call}': ${this.reason}`
  }
}

/** @internal */
export class ThreadPoolStartError extends Data.TaggedError("ThreadPoolStartError")<{
  readonly module: string
  readonly cause: SerializedError
}> {
  override get message() {
    return `cannot start threads on ${this.module}: ${this.cause.name}: ${this.cause.message}`
  }
}
