/** @internal */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { BatchOptions } from "../Batch.js"
import type { JobError, JobResult, JobSpec } from "../Job.js"
import type { JobOutput } from "../Output.js"
import { type BatchState, StopNow } from "./batchState.js"
import { defaultShell } from "./commandLine.js"
import { runAttempt } from "./job.js"
import type { JobTimer } from "./jobTimer.js"
import { openNowOf } from "./output.js"
import { Slots } from "./slots.js"
import { defaultTermSeq } from "./termSeq.js"

/** How one job of a batch ended, after its last attempt. @internal */
export type JobOutcome = Either.Either<JobResult, JobError>

/**
 * One job of the batch: it takes the lowest free slot and keeps it through its
 * attempts, retried up to `retries` runs in all (0: until it succeeds) while
 * the batch is not stopping, each retry waiting its turn at the delay gate.
 * Only the last attempt's output is kept. A closed output stops the batch.
 *
 * @internal
 */
export const makeBatchJob = (
  options: BatchOptions,
  timer: JobTimer | undefined,
  awaitTurn: Effect.Effect<void>,
  state: BatchState
): (spec: JobSpec) => Effect.Effect<JobOutcome, StopNow> => {
  const slots = new Slots(Math.max(1, Math.floor(options.jobs)))
  const output = options.output
  const retries = options.retries ?? 1
  const lastTry = (n: number) => retries !== 0 && n >= retries
  const attemptOptions = {
    shell: options.shell ?? defaultShell,
    termSeq: options.termSeq ?? defaultTermSeq,
    timer,
    cwd: options.cwd,
    stdin: options.stdin ?? "ignore",
    // a plain copy: each job spreads it, and spreading process.env itself is a native call per variable
    env: { ...(options.env ?? process.env) }
  } as const

  // Our own outputs open without a Scope per job (see `openNow`); any other is opened in one.
  const now = output === undefined ? undefined : openNowOf(output)

  const attempt = (spec: JobSpec, slot: number, n: number) => {
    const run = (jobOutput: JobOutput | undefined) =>
      runAttempt(spec, { ...attemptOptions, slot, output: jobOutput, discardOutputOnFailure: !lastTry(n), attempt: n })
    if (output === undefined) return run(undefined)
    const info = { seq: spec.seq, slot, tag: typeof spec.tag === "function" ? spec.tag(slot) : spec.tag }
    if (now === undefined) return Effect.scoped(Effect.flatMap(output.open(info), run))
    return Effect.acquireUseRelease(
      Effect.sync(() => now(info)),
      (opened) => run(opened.output),
      (opened) => Effect.sync(opened.release)
    )
  }

  const attempts = (spec: JobSpec, slot: number, n: number): Effect.Effect<JobOutcome, StopNow> =>
    Effect.flatMap(Effect.either(attempt(spec, slot, n)), (exit) => {
      if (Either.isLeft(exit) && exit.left._tag === "OutputClosedError") {
        state.stop("output-closed")
        return new StopNow()
      }
      const outcome = exit as JobOutcome
      if (Either.isRight(outcome) || lastTry(n) || state.stopped) return Effect.succeed(outcome)
      return Effect.zipRight(awaitTurn, attempts(spec, slot, n + 1))
    })

  // Called where it cannot be interrupted: the slot taken here is given back by `ensuring`.
  return (spec) => {
    const slot = slots.take()
    state.start()
    return Effect.ensuring(
      attempts(spec, slot, 1),
      Effect.sync(() => {
        state.ended()
        slots.release(slot)
      })
    )
  }
}
