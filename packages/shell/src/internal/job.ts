/** @internal */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { JobError, JobResult, JobSpec, JobStdin, RunOptions } from "../Job.js"
import { JobExitError, JobSignalError, JobSpawnError, JobTimeoutError } from "../Job.js"
import type { JobOutput, JobRecord } from "../Output.js"
import type { OutputClosedError } from "../Output.js"
import * as Bytes from "./bytes.js"
import { type ExitStatus, runChild } from "./spawn.js"
import { defaultTermSeq, type TermSeq } from "./termSeq.js"

const plainWord = /^[A-Za-z0-9_\-./:=@%+,]+$/

const quote = (word: string): string => plainWord.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`

/** @internal */
export const commandText = (command: string | ReadonlyArray<string>): string =>
  typeof command === "string" ? command : command.map(quote).join(" ")

/** @internal */
export const defaultShell = "/bin/sh"

/** Words that dash runs itself: `exec` would find another program by that name, or none. */
const shellWords = new Set([
  ...[".", ":", "[", "alias", "bg", "break", "cd", "chdir", "command", "continue", "echo", "eval", "exec", "exit"],
  ...["export", "false", "fc", "fg", "getopts", "hash", "jobs", "kill", "local", "printf", "pwd", "read"],
  ...["readonly", "return", "set", "shift", "test", "times", "trap", "true", "type", "ulimit", "umask"],
  ...["unalias", "unset", "wait", "case", "do", "done", "elif", "else", "esac", "fi", "for", "if", "in"],
  ...["then", "until", "while", "function", "time", "select"]
])

/** Anything that could make a command line more than one simple command, or its first word more than a name. */
const compound = /[\n;&|<>()`{}!#]/
const firstWord = /^\s*([^\s]+)/
const programName = /^[A-Za-z0-9_./][A-Za-z0-9_\-./+,@%:]*$/

/**
 * Debian's `/bin/sh` (dash) runs the one command of `sh -c 'cmd args'` as a child
 * and waits, where bash replaces itself: a second fork and exec per job, about
 * 3 ms of slot time here, and a shell between the job's signals and its program.
 * A command line that is plainly one simple command running a program gets
 * `exec ` in front, which bash does on its own. Anything else (builtins,
 * keywords, assignments, redirections, lists, pipes, quoting in the first word)
 * runs as written.
 *
 * @internal
 */
export const execPrefixed = (command: string, shell: string): string => {
  const base = shell.slice(shell.lastIndexOf("/") + 1)
  if (base !== "sh" && base !== "dash") return command
  if (compound.test(command)) return command
  const first = firstWord.exec(command)?.[1]
  if (first === undefined || !programName.test(first) || shellWords.has(first)) return command
  return `exec ${command}`
}

/**
 * Node writes every argument of a child as UTF-8, so a byte that is not valid
 * UTF-8 cannot reach the job as itself. A shell can make it, though: the
 * command line travels as the argument of `printf %b` (escaped bytes as
 * `\0NNN`), the shell turns it back into its bytes and evaluates that. `$0`
 * stays the shell's name and no positional parameter or variable is left.
 */
const viaPrintf = "c=$(printf %bx \"$1\"); shift; eval \"unset c; ${c%x}\""

const commandLine = (
  command: string | ReadonlyArray<string>,
  shell: string
): readonly [string, ReadonlyArray<string>] => {
  if (typeof command !== "string") {
    if (!command.some(Bytes.hasRawBytes)) return [command[0] ?? "", command.slice(1)]
    command = `exec ${commandText(command)}`
  }
  const line = execPrefixed(command, shell)
  return Bytes.hasRawBytes(line) ? [shell, ["-c", viaPrintf, shell, Bytes.printfEscaped(line)]] : [shell, ["-c", line]]
}

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
    const env: NodeJS.ProcessEnv = {
      ...options.env,
      ...spec.env,
      PARALLEL_SEQ: seq,
      PARALLEL_JOBSLOT: slot,
      FANOUT_SEQ: seq,
      FANOUT_SLOT: slot
    }
    const line = typeof spec.command === "function" ? spec.command(options.slot) : spec.command
    const [file, argv] = commandLine(line, options.shell)
    const command = commandText(line)
    const output = options.output
    const makeResult = (
      start: number,
      end: number,
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
      runtime: end - start,
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
      runChild(file, argv, {
        env,
        cwd: options.cwd,
        stdin: spec.stdin ?? options.stdin,
        termSeq: options.termSeq,
        stdout: output?.stdout,
        stderr: output?.stderr,
        timer: options.timer?.(start)
      }),
      {
        onFailure: (failure): Effect.Effect<JobResult, JobError | OutputClosedError> => {
          const status = { code: failure.code === "EACCES" ? 126 : 127, signal: null }
          const result = makeResult(start, Date.now(), status, false, 0, 0)
          return Effect.zipRight(endOutput(result, true), new JobSpawnError({ result, code: failure.code }))
        },
        onSuccess: (outcome): Effect.Effect<JobResult, JobError | OutputClosedError> => {
          // A closed reader fails quietly; a failed write dies with its OutputWriteError.
          if (outcome.outputFailure !== undefined) return Effect.failCause(outcome.outputFailure)
          const timedOut = outcome.timedOut !== undefined
          const { status } = outcome
          const result = makeResult(start, outcome.end, status, timedOut, outcome.stdoutBytes, outcome.stderrBytes)
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
