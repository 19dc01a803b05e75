/** @internal */
import { applyInParallel } from "@fanout/pool"
import type * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { BatchOptions, BatchSummary, Inputs } from "../Batch.js"
import type { JobSpec } from "../Job.js"
import type { JoblogError } from "../Joblog.js"
import type { OutputClosedError } from "../Output.js"
import { intake, type IntakeEnd, readAll } from "./batchInputs.js"
import { type JobOutcome, makeBatchJob } from "./batchJob.js"
import { type BatchJoblog, openBatchJoblog } from "./batchJoblog.js"
import { BatchState, StopNow } from "./batchState.js"
import { makeDelayGate } from "./delayGate.js"
import { makeJobTimer } from "./jobTimer.js"

const defaultWarn = (message: string) => Effect.sync(() => void process.stderr.write(`${message}\n`))

type Warn = (message: string) => Effect.Effect<void>

/**
 * Runs the jobs, at most `options.jobs` at once; see `Batch.run`. The parts:
 * the inputs (`batchInputs.ts`), the joblog (`batchJoblog.ts`), the counts and
 * the halt policy (`batchState.ts`), one job's slot and attempts
 * (`batchJob.ts`), the timer (`jobTimer.ts`) and the delay gate (`delayGate.ts`).
 *
 * @internal
 */
export const run = <E = never, R = never>(
  inputs: Inputs<E, R>,
  options: BatchOptions
): Effect.Effect<BatchSummary, E | JoblogError, R> =>
  Effect.scoped(Effect.gen(function*() {
    const warn = options.warn ?? defaultWarn
    const joblog = yield* openBatchJoblog(options, warn)
    const halt = options.halt ?? { when: "never" }
    // A percentage of all jobs needs their number first.
    const all = halt.when !== "never" && halt.threshold._tag === "Percent" && options.total === undefined
      ? yield* readAll(inputs)
      : undefined
    const { percent, timer } = makeJobTimer(options.timeout)
    const state = new BatchState(halt, all?.length ?? options.total, percent)
    const awaitTurn = yield* makeDelayGate(options.delay)
    if (options.drain !== undefined) yield* drainOn(options.drain, state, warn)
    const handle = handler(options, state, joblog, warn, awaitTurn, makeBatchJob(options, timer, awaitTurn, state))
    const end: IntakeEnd<E> = { dropped: 0 }
    const jobs = intake(all ?? inputs, () => state.stopped, end)
    // discard: nothing is kept per job (a result stream cost ~15 µs a job, ~50 while warming up)
    const ran = yield* applyInParallel(jobs, handle, {
      concurrency: Math.max(1, Math.floor(options.jobs)),
      discard: true
    }).pipe(
      Effect.catchTag("StopNow", () => Effect.void),
      Effect.catchTag("OutputClosedError", () => Effect.sync(() => state.stop("output-closed"))),
      Effect.either
    )
    if (Either.isRight(ran) && "error" in end) return yield* Effect.fail(end.error as E)
    if (Either.isLeft(ran)) return yield* Effect.fail(ran.left as E | JoblogError)
    if (options.output !== undefined && state.stoppedBy !== "output-closed") {
      yield* options.output.finish.pipe(
        Effect.catchTag("OutputClosedError", () => Effect.sync(() => state.stop("output-closed")))
      )
    }
    return state.summary(end.dropped)
  }))

/** Once `drain` completes, no job starts. */
const drainOn = (drain: Deferred.Deferred<void>, state: BatchState, warn: Warn) =>
  Effect.forkScoped(Effect.andThen(drain, () => {
    state.stop("drain")
    return state.running > 0 ? warn(`waiting for ${state.running} jobs to finish`) : Effect.void
  }))

/** What the pool runs for each input: skip it, refuse it (stopping), or run it and record how it ended. */
const handler = (
  options: BatchOptions,
  state: BatchState,
  joblog: BatchJoblog,
  warn: Warn,
  awaitTurn: Effect.Effect<void>,
  job: (spec: JobSpec) => Effect.Effect<JobOutcome, StopNow>
) => {
  const skip = (seq: number) => options.output === undefined ? Effect.void : options.output.skip(seq)
  const finished = (outcome: JobOutcome) =>
    Effect.gen(function*() {
      const { halt, notices, result } = Either.isRight(outcome)
        ? state.finish({ result: outcome.right, error: undefined })
        : state.finish({ result: outcome.left.result, error: outcome.left })
      yield* joblog.write(result)
      for (const notice of notices) yield* warn(notice)
      if (options.onJobEnd !== undefined) yield* options.onJobEnd(result)
      if (halt === undefined) return
      state.stop("halt")
      if (halt === "now") return yield* new StopNow()
      if (state.running > 0) yield* warn(`starting no more jobs, waiting for ${state.running} jobs to finish`)
    })
  return (spec: JobSpec): Effect.Effect<void, StopNow | JoblogError | OutputClosedError> =>
    Effect.suspend(() => {
      state.seen++
      if (joblog.done(spec.seq)) {
        state.skip()
        return skip(spec.seq)
      }
      return Effect.zipRight(
        state.stopped ? Effect.void : awaitTurn,
        Effect.suspend((): Effect.Effect<void, StopNow | JoblogError | OutputClosedError> => {
          if (state.stopped) {
            state.refuse()
            return skip(spec.seq)
          }
          // Once the job's process has ended, its row and counts are written even if
          // the batch is being interrupted: a job that finished is never forgotten.
          return Effect.uninterruptibleMask((restore) => Effect.flatMap(restore(job(spec)), finished))
        })
      )
    })
}
