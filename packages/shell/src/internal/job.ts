/** @internal */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type { JobError, JobResult, JobSpec, JobStdin, RunOptions } from "../Job.js"
import type { JobOutput, JobRecord } from "../Output.js"
import type { OutputClosedError } from "../Output.js"
import { commandText, defaultShell } from "./commandLine.js"
import { JobExitError, JobRunnerLostError, JobSignalError, JobSpawnError, JobTimeoutError } from "./jobErrors.js"
import { JobRunner } from "./jobRunner.js"
import { type JobTimer, makeJobTimer } from "./jobTimer.js"
import type { ChildOutcome, ExitStatus, RunnerLost, SpawnFailure } from "./runner/types.js"
import { defaultTermSeq, type TermSeq } from "./termSeq.js"

/** @internal */
export interface AttemptOptions {
  readonly slot: number
  readonly shell: string
  readonly termSeq: TermSeq
  /** Completes when the attempt has run too long, with how long it was allowed. */
  readonly timer: JobTimer | undefined
  readonly output: JobOutput | undefined
  readonly discardOutputOnFailure: boolean
  readonly attempt: number
  readonly cwd: string | undefined
  readonly stdin: JobStdin
  /** A plain object: spreading `process.env` itself costs a native call per variable, per job. */
  readonly env: NodeJS.ProcessEnv
}

const signalOf = (status: ExitStatus): NodeJS.Signals | null => status.code === null ? status.signal : null

/** The variables a job gets on top of the environment: GNU parallel's and ours. */
const jobEnv = (spec: JobSpec, slot: number): Record<string, string> => {
  const seq = String(spec.seq)
  const slotText = String(slot)
  return { ...spec.env, PARALLEL_SEQ: seq, PARALLEL_JOBSLOT: slotText, FANOUT_SEQ: seq, FANOUT_SLOT: slotText }
}

/** How an attempt ended, as the runner saw it. */
interface Ending {
  readonly status: ExitStatus
  readonly runtime: number
  readonly timedOut: boolean
  readonly stdoutBytes: number
  readonly stderrBytes: number
}

const notRun = (code: number, runtime: number): Ending => ({
  status: { code, signal: null },
  runtime,
  timedOut: false,
  stdoutBytes: 0,
  stderrBytes: 0
})

/**
 * One run of a job: the runner forks it, its output goes to `options.output`,
 * and it ends with its result or with the error that says how it failed. The
 * output is ended (its record written, or thrown away) before either.
 *
 * @internal
 */
export const runAttempt = (
  spec: JobSpec,
  options: AttemptOptions
): Effect.Effect<JobResult, JobError | OutputClosedError> =>
  Effect.flatMap(Clock.currentTimeMillis, (start) => {
    const line = typeof spec.command === "function" ? spec.command(options.slot) : spec.command
    const attempt = new Attempt(spec, options, commandText(line), start)
    return Effect.matchEffect(
      Effect.flatMap(JobRunner, (runner) =>
        runner.run({
          command: line,
          shell: options.shell,
          env: options.env,
          extraEnv: jobEnv(spec, options.slot),
          cwd: options.cwd,
          stdin: spec.stdin ?? options.stdin,
          termSeq: options.termSeq,
          stdout: options.output?.stdout,
          stderr: options.output?.stderr,
          timer: options.timer?.(start)
        })),
      { onFailure: (failure) => attempt.notStarted(failure), onSuccess: (outcome) => attempt.ended(outcome) }
    )
  })

/** The parts of an attempt that come after the runner: its result, its output's end, its verdict. */
class Attempt {
  constructor(
    private readonly spec: JobSpec,
    private readonly options: AttemptOptions,
    private readonly command: string,
    private readonly start: number
  ) {}

  notStarted(failure: SpawnFailure | RunnerLost): Effect.Effect<never, JobError | OutputClosedError> {
    return Effect.flatMap(Clock.currentTimeMillis, (now): Effect.Effect<never, JobError | OutputClosedError> => {
      const runtime = now - this.start
      if (failure._tag === "RunnerLost") {
        const result = this.result(notRun(255, runtime))
        return Effect.zipRight(this.endOutput(result, true), new JobRunnerLostError({ result, reason: failure.reason }))
      }
      const result = this.result(notRun(failure.code === "EACCES" ? 126 : 127, runtime))
      return Effect.zipRight(this.endOutput(result, true), new JobSpawnError({ result, code: failure.code }))
    })
  }

  ended(outcome: ChildOutcome): Effect.Effect<JobResult, JobError | OutputClosedError> {
    // A closed reader fails quietly; a failed write dies with its OutputWriteError.
    if (outcome.outputFailure !== undefined) return Effect.failCause(outcome.outputFailure)
    const result = this.result({ ...outcome, timedOut: outcome.timedOut !== undefined })
    const verdict: Effect.Effect<JobResult, JobError> = outcome.timedOut !== undefined
      ? new JobTimeoutError({ result, after: outcome.timedOut })
      : result.signal !== null
      ? new JobSignalError({ result })
      : result.exitCode !== 0
      ? new JobExitError({ result })
      : Effect.succeed(result)
    return Effect.zipRight(this.endOutput(result, result.timedOut || outcome.status.code !== 0), verdict)
  }

  private result(ending: Ending): JobResult {
    return {
      seq: this.spec.seq,
      slot: this.options.slot,
      command: this.command,
      args: this.spec.args,
      exitCode: ending.status.code,
      signal: signalOf(ending.status),
      timedOut: ending.timedOut,
      start: this.start,
      runtime: ending.runtime,
      attempts: this.options.attempt,
      stdoutBytes: ending.stdoutBytes,
      stderrBytes: ending.stderrBytes
    }
  }

  private endOutput(result: JobResult, failed: boolean): Effect.Effect<void, OutputClosedError> {
    const output = this.options.output
    if (output === undefined) return Effect.void
    const record: JobRecord = {
      seq: result.seq,
      args: result.args,
      command: result.command,
      exit: result.signal === null ? result.exitCode : null,
      signal: result.signal,
      start: result.start,
      runtime: result.runtime,
      timedOut: result.timedOut
    }
    return output.end(record, { discard: failed && this.options.discardOutputOnFailure })
  }
}

/** @internal */
export const run = (
  spec: JobSpec,
  options: RunOptions = {}
): Effect.Effect<JobResult, JobError | OutputClosedError> => {
  return runAttempt(spec, {
    slot: options.slot ?? 1,
    shell: options.shell ?? defaultShell,
    termSeq: options.termSeq ?? defaultTermSeq,
    timer: makeJobTimer(options.timeout).timer,
    output: options.output,
    discardOutputOnFailure: options.discardOutputOnFailure ?? false,
    attempt: options.attempt ?? 1,
    cwd: options.cwd,
    stdin: options.stdin ?? "ignore",
    env: { ...(options.env ?? process.env) }
  })
}
