/** @internal */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { BatchOptions } from "../Batch.js"
import type { JobResult } from "../Job.js"
import type { JoblogError } from "../Joblog.js"
import type { Output } from "../Output.js"
import * as Joblog from "./joblog.js"

/** The batch's side of the joblog. @internal */
export interface BatchJoblog {
  /** Whether a resumed joblog says this job is done. */
  readonly done: (seq: number) => boolean
  readonly write: (result: JobResult) => Effect.Effect<void, JoblogError>
}

const none: BatchJoblog = { done: () => false, write: () => Effect.void }

/**
 * Opens the joblog (reading the seqs to skip first, when resuming). With
 * `keepOrder`, a job whose output waits for an earlier job is logged when it
 * is printed: a Ctrl-C throws held output away, and a row for it would make a
 * resume skip output never seen.
 *
 * @internal
 */
export const openBatchJoblog = (
  options: Pick<BatchOptions, "joblog" | "joblogAppend" | "joblogHeader" | "resume" | "output">,
  warn: (message: string) => Effect.Effect<void>
): Effect.Effect<BatchJoblog, JoblogError, Scope.Scope> =>
  Effect.gen(function*() {
    const path = options.joblog
    if (path === undefined) return none
    const finished = options.resume === undefined ? undefined : yield* Joblog.finishedSeqs(path, options.resume)
    if (finished?.cut !== undefined) {
      yield* warn(`${path}: its last line was cut off (a crash while writing it?); resuming from the rows before it`)
    }
    const joblog = yield* Joblog.open(path, {
      append: options.resume !== undefined || options.joblogAppend === true,
      header: options.joblogHeader
    })
    const output = options.output
    return {
      done: finished === undefined ? none.done : (seq) => finished.has(seq),
      write: output === undefined ? joblog.write : holdingRows(joblog.write, output)
    }
  })

const holdingRows = (
  write: (result: JobResult) => Effect.Effect<void, JoblogError>,
  output: Output
): BatchJoblog["write"] => {
  const held = new Map<number, JobResult>()
  output.onPrinted((seq) =>
    Effect.suspend(() => {
      const result = held.get(seq)
      if (result === undefined) return Effect.void
      held.delete(seq)
      return Effect.orDie(write(result))
    })
  )
  return (result) =>
    Effect.suspend(() => {
      if (!output.isHeld(result.seq)) return write(result)
      held.set(result.seq, result)
      return Effect.void
    })
}
