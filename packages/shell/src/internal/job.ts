/** @internal */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { JobError, JobResult, JobSpec, JobStdin, RunOptions } from "../Job.js"
import type { JobOutput, JobRecord } from "../Output.js"
import type { OutputClosedError } from "../Output.js"
import { commandText, defaultShell } from "./commandLine.js"
import { JobExitError, JobRunnerLostError, JobSignalError, JobSpawnError, JobTimeoutError } from "./jobErrors.js"

export { commandText, defaultShell, execPrefixed } from "./commandLine.js"
import { JobRunner } from "./jobRunner.js"
import type { ExitStatus } from "./runner/types.js"
import { defaultTermSeq, type TermSeq } from "./termSeq.js"

/** @internal */
export interface AttemptOptions {
  readonly slot: number
  readonly shell: string
  readonly termSeq: TermSeq
  /** Completes when the attempt has run too long, with how long it was allowed. */
  readonly timer: ((start: number) => Effect.Effect<Duration.Duration>) | undefined
  readonly output: JobOutput | undefined
  readonly discardOutputOnFailure: boolean
  readonly attempt: number
  readonly cwd: string | undefined
  readonly stdin: JobStdin
  /** A plain object: spreading `process.env` itself costs a native call per variable, per job. */
  readonly env: NodeJS.ProcessEnv
}

const signalOf = (status: ExitStatus): NodeJS.Signals | null => status.code === null ? status.signal : null

/** @internal */
export const runAttempt = (
  spec: JobSpec,
  options: AttemptOptions
): Effect.Effect<JobResult, JobError | OutputClosedError> =>
  Effect.suspend(() => {
    const seq = String(spec.seq)
    const slot = String(options.slot)
    const extraEnv: Record<string, string> = {
      ...spec.env,
      PARALLEL_SEQ: seq,
      PARALLEL_JOBSLOT: slot,
      FANOUT_SEQ: seq,
      FANOUT_SLOT: slot
    }
    const line = typeof spec.command === "function" ? spec.command(options.slot) : spec.command
    const command = commandText(line)
    const output = options.output
    const makeResult = (
      start: number,
      runtime: number,
      status: ExitStatus,
      timedOut: boolean,
      stdoutBytes: number,
      stderrBytes: number
    ): JobResult => ({
      seq: spec.seq,
      slot: options.slot,
      command,
      args: spec.args,
      exitCode: status.code,
      signal: signalOf(status),
      timedOut,
      start,
      runtime,
      attempts: options.attempt,
      stdoutBytes,
      stderrBytes
    })
    const endOutput = (result: JobResult, failed: boolean) => {
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
      return output.end(record, { discard: failed && options.discardOutputOnFailure })
    }

    const start = Date.now()
    return Effect.matchEffect(
      Effect.flatMap(JobRunner, (runner) =>
        runner.run({
          command: line,
          shell: options.shell,
          env: options.env,
          extraEnv,
          cwd: options.cwd,
          stdin: spec.stdin ?? options.stdin,
          termSeq: options.termSeq,
          stdout: output?.stdout,
          stderr: output?.stderr,
          timer: options.timer?.(start)
        })),
      {
        onFailure: (failure): Effect.Effect<JobResult, JobError | OutputClosedError> => {
          if (failure._tag === "RunnerLost") {
            const result = makeResult(start, Date.now() - start, { code: 255, signal: null }, false, 0, 0)
            return Effect.zipRight(endOutput(result, true), new JobRunnerLostError({ result, reason: failure.reason }))
          }
          const status = { code: failure.code === "EACCES" ? 126 : 127, signal: null }
          const result = makeResult(start, Date.now() - start, status, false, 0, 0)
          return Effect.zipRight(endOutput(result, true), new JobSpawnError({ result, code: failure.code }))
        },
        onSuccess: (outcome): Effect.Effect<JobResult, JobError | OutputClosedError> => {
          // A closed reader fails quietly; a failed write dies with its OutputWriteError.
          if (outcome.outputFailure !== undefined) return Effect.failCause(outcome.outputFailure)
          const timedOut = outcome.timedOut !== undefined
          const { status } = outcome
          const result = makeResult(start, outcome.runtime, status, timedOut, outcome.stdoutBytes, outcome.stderrBytes)
          const failed = timedOut || status.code !== 0
          const verdict: Effect.Effect<JobResult, JobError> = outcome.timedOut !== undefined
            ? new JobTimeoutError({ result, after: outcome.timedOut })
            : result.signal !== null
            ? new JobSignalError({ result })
            : result.exitCode !== 0
            ? new JobExitError({ result })
            : Effect.succeed(result)
          return Effect.zipRight(endOutput(result, failed), verdict)
        }
      }
    )
  })

/** @internal */
export const run = (
  spec: JobSpec,
  options: RunOptions = {}
): Effect.Effect<JobResult, JobError | OutputClosedError> => {
  const timeout = options.timeout === undefined ? undefined : Duration.decode(options.timeout)
  return runAttempt(spec, {
    slot: options.slot ?? 1,
    shell: options.shell ?? defaultShell,
    termSeq: options.termSeq ?? defaultTermSeq,
    timer: timeout === undefined ? undefined : () => Effect.as(Effect.sleep(timeout), timeout),
    output: options.output,
    discardOutputOnFailure: options.discardOutputOnFailure ?? false,
    attempt: options.attempt ?? 1,
    cwd: options.cwd,
    stdin: options.stdin ?? "ignore",
    env: { ...(options.env ?? process.env) }
  })
}
