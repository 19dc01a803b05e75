import * as Exit from "effect/Exit"
import type { Job } from "../../src/index.js"

/** A one-job spec: a command line for the shell, or an argv. */
export const spec = (command: string | ReadonlyArray<string>, seq = 1): Job.JobSpec => ({ seq, command, args: [] })

/** The typed error an exit failed with; throws if it succeeded or failed otherwise. */
export const failure = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (error === undefined) throw new Error(`expected a typed failure, got ${exit.cause._tag}`)
  return error
}
