/** @internal */
import { applyInParallel } from "@fanout/pool"
import * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import type { BatchOptions, BatchSummary, Inputs } from "../Batch.js"
import type { JobError, JobResult, JobSpec } from "../Job.js"
import type { JoblogError, JoblogWriter } from "../Joblog.js"
import { HaltTracker } from "./halt.js"
import { defaultShell, runAttempt } from "./job.js"
import * as Joblog from "./joblog.js"
import { PercentTimeout } from "./medianRuntime.js"
import { Slots } from "./slots.js"
import { defaultTermSeq } from "./termSeq.js"

/** Raised inside the batch to stop every running job at once. */
class StopNow extends Data.TaggedError("StopNow")<{}> {}

const keptFailures = 1000

const isStream = <E, R>(inputs: Inputs<E, R>): inputs is Stream.Stream<JobSpec, E, R> => Stream.StreamTypeId in inputs

const toStream = <E, R>(inputs: Inputs<E, R>): Stream.Stream<JobSpec, E, R> =>
  isStream(inputs)
    ? inputs
    : Symbol.asyncIterator in inputs
    ? Stream.fromAsyncIterable(inputs as AsyncIterable<JobSpec>, (error) => error as E)
    : Stream.fromIteratorSucceed(iterate(inputs as Iterable<JobSpec>), 1)

function* iterate<A>(items: Iterable<A>): IterableIterator<A> {
  yield* items
}

/**
 * The inputs, read until `stopped()`. Iterables stay iterables: the pool pulls
 * them directly, which costs far less per job than a `Stream` of one-item chunks.
 * An async iterable's rejection ends intake and is kept in `state.error` (the
 * batch fails with it once the running jobs are done); an input read after the
 * stop is counted in `state.dropped` (it was never started).
 */
const intake = <E, R>(
  inputs: Inputs<E, R>,
  stopped: () => boolean,
  state: { error?: E; dropped: number }
): Iterable<JobSpec> | AsyncIterable<JobSpec> | Stream.Stream<JobSpec, E, R> => {
  const refused = () => {
    if (!stopped()) return false
    state.dropped++
    return true
  }
  if (isStream(inputs)) return Stream.takeWhile(inputs, () => !refused())
  if (Symbol.asyncIterator in inputs) {
    return (async function*() {
      try {
        for await (const spec of inputs as AsyncIterable<JobSpec>) {
          if (refused()) return
          yield spec
        }
      } catch (error) {
        state.error = error as E
      }
    })()
  }
  return (function*() {
    for (const spec of inputs as Iterable<JobSpec>) {
      if (refused()) return
      yield spec
    }
  })()
}

const spawnReasons: Record<string, string> = {
  ENOENT: "no such file or directory (the shell)",
  EACCES: "permission denied",
  E2BIG: "its command line and environment are longer than the system allows",
  EAGAIN: "the system has no more processes to give (fork failed)",
  ENOMEM: "not enough memory to start a process",
  EMFILE: "too many open files",
  ERR_INVALID_ARG_VALUE: "its command line holds a NUL byte"
}

const spawnReason = (code: string): string => spawnReasons[code] ?? code

const defaultWarn = (message: string) => Effect.sync(() => void process.stderr.write(`${message}\n`))

const resultOf = (error: JobError): JobResult => error.result

/** @internal */
export const runJobs = <E = never, R = never>(
  inputs: Inputs<E, R>,
  options: BatchOptions
): Effect.Effect<BatchSummary, E | JoblogError, R> =>
  Effect.scoped(Effect.gen(function*() {
    const jobs = Math.max(1, Math.floor(options.jobs))
    const warn = options.warn ?? defaultWarn
    const output = options.output
    const termSeq = options.termSeq ?? defaultTermSeq
    const shell = options.shell ?? defaultShell
    // a plain copy: each job spreads it, and spreading process.env itself is a native call per variable
    const env = { ...(options.env ?? process.env) }
    const retries = options.retries ?? 1
    const delay = options.delay === undefined ? 0 : Duration.toMillis(Duration.decode(options.delay))

    const joblogPath = options.joblog
    const finished = options.resume !== undefined && joblogPath !== undefined
      ? yield* Joblog.finishedSeqs(joblogPath, options.resume)
      : undefined
    if (finished?.cut !== undefined) {
      yield* warn(
        `${joblogPath}: its last line was cut off (a crash while writing it?); resuming from the rows before it`
      )
    }
    const joblog: JoblogWriter | undefined = joblogPath === undefined
      ? undefined
      : yield* Joblog.open(joblogPath, { append: options.resume !== undefined || options.joblogAppend === true })

    let source: Inputs<E, R> = inputs
    let total = options.total
    const halt = options.halt ?? { when: "never" }
    if (halt.when !== "never" && halt.threshold._tag === "Percent" && total === undefined) {
      // A percentage of all jobs needs their number first (GNU parallel reads all input here too).
      const all = yield* Stream.runCollect(toStream(inputs))
      total = all.length
      source = Chunk.toReadonlyArray(all)
    }
    const tracker: HaltTracker = new HaltTracker(halt, (): number => total ?? tracker.started)

    let percentTimeout: PercentTimeout | undefined
    const timer: ((start: number) => Effect.Effect<Duration.Duration>) | undefined = (() => {
      const timeout = options.timeout
      if (timeout === undefined) return undefined
      if (typeof timeout === "object" && timeout !== null && "percent" in timeout) {
        const percent = new PercentTimeout(timeout.percent)
        percentTimeout = percent
        return percent.timer
      }
      const after = Duration.decode(timeout)
      return () => Effect.as(Effect.sleep(after), after)
    })()

    const slots = new Slots(jobs)
    let seen = 0
    let succeeded = 0
    let skipped = 0
    let notStarted = 0
    let timedOut = 0
    let running = 0
    const failures: Array<JobResult> = []
    let stoppedBy: BatchSummary["stoppedBy"] = undefined
    const stop = (reason: NonNullable<BatchSummary["stoppedBy"]>) => {
      stoppedBy ??= reason
    }

    if (options.drain !== undefined) {
      yield* Deferred.await(options.drain).pipe(
        Effect.andThen(() => {
          stop("drain")
          return running > 0 ? warn(`waiting for ${running} jobs to finish`) : Effect.void
        }),
        Effect.forkScoped
      )
    }

    const gate = yield* Effect.makeSemaphore(1)
    let lastStart = 0
    const awaitTurn = delay === 0 ? Effect.void : gate.withPermits(1)(Effect.suspend(() => {
      const wait = lastStart + delay - Date.now()
      return Effect.as(wait > 0 ? Effect.sleep(wait) : Effect.void, undefined).pipe(
        Effect.tap(() => lastStart = Date.now())
      )
    }))

    const skip = (seq: number) => output === undefined ? Effect.void : output.skip(seq)

    const attempt = (spec: JobSpec, slot: number, n: number) =>
      Effect.scoped(Effect.gen(function*() {
        const jobOutput = output === undefined ? undefined : yield* output.open({
          seq: spec.seq,
          tag: typeof spec.tag === "function" ? spec.tag(slot) : spec.tag
        })
        return yield* runAttempt(spec, {
          slot,
          shell,
          termSeq,
          timer,
          output: jobOutput,
          discardOutputOnFailure: retries === 0 || n < retries,
          attempt: n,
          cwd: options.cwd,
          stdin: options.stdin ?? "ignore",
          env
        })
      }))

    const runJob = (spec: JobSpec) => {
      const slot = slots.take()
      running++
      tracker.onStart()
      return Effect.gen(function*() {
        let n = 1
        let outcome: Either.Either<JobResult, JobError>
        for (;;) {
          const exit = yield* Effect.either(attempt(spec, slot, n))
          if (Either.isLeft(exit) && exit.left._tag === "OutputClosedError") {
            stop("output-closed")
            return yield* new StopNow()
          }
          outcome = exit as Either.Either<JobResult, JobError>
          const again = Either.isLeft(outcome) && (retries === 0 || n < retries) && stoppedBy === undefined
          if (!again) break
          n++
          yield* awaitTurn
        }
        return outcome
      }).pipe(Effect.ensuring(Effect.sync(() => {
        running--
        slots.release(slot)
      })))
    }

    // With keepOrder, a job whose output waits for an earlier job is logged when it is printed: a
    // Ctrl-C throws held output away, and a row for it would make a resume skip output never seen.
    const heldRows = new Map<number, JobResult>()
    const logOrHold = (result: JobResult) =>
      Effect.suspend(() => {
        if (output?.isHeld(result.seq) !== true) return joblog!.write(result)
        heldRows.set(result.seq, result)
        return Effect.void
      })
    output?.onPrinted((seq) =>
      Effect.suspend(() => {
        const result = heldRows.get(seq)
        if (result === undefined || joblog === undefined) return Effect.void
        heldRows.delete(seq)
        return Effect.orDie(joblog.write(result))
      })
    )

    const onFinished = (outcome: Either.Either<JobResult, JobError>) =>
      Effect.gen(function*() {
        const result = Either.isRight(outcome) ? outcome.right : resultOf(outcome.left)
        if (joblog !== undefined) yield* logOrHold(result)
        if (Either.isRight(outcome)) {
          succeeded++
          percentTimeout?.succeeded(result.runtime)
        } else {
          if (outcome.left._tag === "JobSpawnError") {
            yield* warn(`job ${result.seq} (${result.command}) could not start: ${spawnReason(outcome.left.code)}`)
          }
          if (failures.length < keptFailures) failures.push(result)
          if (result.timedOut) {
            timedOut++
            yield* warn(`job ${result.seq} was killed because it timed out: ${result.command}`)
          }
        }
        const verdict = tracker.onEnd({
          failed: Either.isLeft(outcome),
          exitCode: result.exitCode,
          signal: result.signal
        })
        if (verdict.counted !== undefined) yield* warn(`this job ${verdict.counted}: ${result.command}`)
        if (options.onJobEnd !== undefined) yield* options.onJobEnd(result)
        if (verdict.halt !== undefined) {
          stop("halt")
          if (verdict.halt === "now") return yield* new StopNow()
          if (running > 0) yield* warn(`starting no more jobs, waiting for ${running} jobs to finish`)
        }
      })

    const handle = (spec: JobSpec) =>
      Effect.gen(function*() {
        seen++
        if (finished?.has(spec.seq) === true) {
          skipped++
          return yield* skip(spec.seq)
        }
        if (stoppedBy === undefined) yield* awaitTurn
        if (stoppedBy !== undefined) {
          notStarted++
          return yield* skip(spec.seq)
        }
        // Once the job's process has ended, its row and counts are written even if
        // the batch is being interrupted: a job that finished is never forgotten.
        yield* Effect.uninterruptibleMask((restore) => Effect.flatMap(restore(runJob(spec)), onFinished))
      })

    const inputFailure: { error?: E; dropped: number } = { dropped: 0 }
    const jobsIn = intake(source, () => stoppedBy !== undefined, inputFailure)
    const ran = yield* applyInParallel.stream(jobsIn, handle, { concurrency: jobs, ordered: false }).pipe(
      Stream.runDrain,
      Effect.catchTag("StopNow", () => Effect.void),
      Effect.catchTag("OutputClosedError", () => Effect.sync(() => stop("output-closed"))),
      Effect.either
    )
    if (Either.isRight(ran) && "error" in inputFailure) return yield* Effect.fail(inputFailure.error as E)
    if (Either.isLeft(ran)) return yield* Effect.fail(ran.left as E | JoblogError)
    if (output !== undefined && stoppedBy !== "output-closed") {
      yield* output.finish.pipe(Effect.catchTag("OutputClosedError", () => Effect.sync(() => stop("output-closed"))))
    }
    const summary: BatchSummary = {
      jobs: seen + inputFailure.dropped,
      started: tracker.started,
      succeeded,
      failed: tracker.failed,
      timedOut,
      skipped,
      notStarted: notStarted + inputFailure.dropped,
      failures,
      stoppedBy,
      exitStatus: tracker.exitStatus()
    }
    return summary
  }))
