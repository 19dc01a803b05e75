/** @internal */
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Runtime from "effect/Runtime"
import type { Readable } from "node:stream"
import type { JobError, JobResult, JobSpec, RunOptions } from "../Job.js"
import { JobExitError, JobSignalError, JobSpawnError, JobTimeoutError } from "../Job.js"
import type { JobOutput, JobRecord } from "../Output.js"
import { OutputClosedError } from "../Output.js"
import { type ExitStatus, spawnGroup } from "./spawn.js"
import { terminateGroup } from "./terminate.js"
import { defaultTermSeq, type TermSeq } from "./termSeq.js"

const plainWord = /^[A-Za-z0-9_\-./:=@%+,]+$/

const quote = (word: string): string => plainWord.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`

/** @internal */
export const commandText = (command: string | ReadonlyArray<string>): string =>
  typeof command === "string" ? command : command.map(quote).join(" ")

/** @internal */
export const defaultShell = "/bin/sh"

const commandLine = (
  command: string | ReadonlyArray<string>,
  shell: string
): readonly [string, ReadonlyArray<string>] =>
  typeof command === "string"
    ? [shell, ["-c", command]]
    : [command[0] ?? "", command.slice(1)]

/**
 * After the group is gone our pipes normally close at once; a process that
 * left the group with `setsid` may still hold them. Past this wait they are
 * closed from our side.
 */
const pipeGraceMs = 200

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
  readonly stdin: "ignore" | "inherit"
  readonly env: NodeJS.ProcessEnv
}

/**
 * Reads a pipe to its end, counting bytes and handing each chunk to `sink`
 * (awaited, so a slow sink slows the child instead of filling memory). When
 * the sink reports our stdout closed, it stops feeding but keeps reading.
 */
const pump = (
  readable: Readable,
  sink: ((chunk: Uint8Array) => Effect.Effect<void, OutputClosedError>) | undefined,
  count: (bytes: number) => void,
  onClosed: Effect.Effect<void>
): Effect.Effect<void> =>
  Effect.flatMap(Effect.runtime<never>(), (runtime) => {
    const runExit = Runtime.runPromiseExit(runtime)
    return Effect.promise(async () => {
      let feeding = sink !== undefined
      try {
        for await (const chunk of readable) {
          const bytes = chunk as Buffer
          count(bytes.length)
          if (feeding && sink !== undefined) {
            const exit = await runExit(sink(bytes))
            if (Exit.isFailure(exit)) {
              feeding = false
              await runExit(onClosed)
            }
          }
        }
      } catch {
        // destroyed from our side after the grace period
      }
    })
  })

const signalOf = (status: ExitStatus): NodeJS.Signals | null => status.code === null ? status.signal : null

/** @internal */
export const runAttempt = (
  spec: JobSpec,
  options: AttemptOptions
): Effect.Effect<JobResult, JobError | OutputClosedError> =>
  Effect.scoped(Effect.gen(function*() {
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
    let stdoutBytes = 0
    let stderrBytes = 0
    const makeResult = (start: number, end: number, status: ExitStatus, timedOut: boolean): JobResult => ({
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
      if (options.output === undefined) return Effect.void
      const record: JobRecord = {
        seq: result.seq,
        args: result.args,
        command: result.command,
        exit: result.signal === null ? result.exitCode : null,
        signal: result.signal,
        start: result.start,
        runtime: result.runtime
      }
      return options.output.end(record, { discard: failed && options.discardOutputOnFailure })
    }

    const start = Date.now()
    const spawned = yield* Effect.either(spawnGroup(file, argv, {
      env,
      cwd: options.cwd,
      stdin: options.stdin,
      termSeq: options.termSeq
    }))
    if (spawned._tag === "Left") {
      const code = spawned.left.code
      const result = makeResult(start, Date.now(), { code: code === "EACCES" ? 126 : 127, signal: null }, false)
      yield* endOutput(result, true)
      return yield* new JobSpawnError({ result, code })
    }
    const child = spawned.right

    const outputClosed = yield* Deferred.make<void>()
    const closed = Deferred.succeed(outputClosed, undefined)
    const pumps = yield* Effect.all([
      pump(child.stdout, options.output?.stdout, (n) => stdoutBytes += n, closed),
      pump(child.stderr, options.output?.stderr, (n) => stderrBytes += n, closed)
    ], { concurrency: 2, discard: true }).pipe(Effect.forkScoped)

    const timedOut = options.timer === undefined ? Effect.never : options.timer(start)
    const outcome = yield* Effect.raceAll([
      Effect.map(child.exit, (status) => ({ _tag: "exit", status }) as const),
      Effect.map(timedOut, (after) => ({ _tag: "timeout", after }) as const),
      Effect.as(Deferred.await(outputClosed), { _tag: "closed" } as const)
    ])
    if (outcome._tag === "closed") return yield* new OutputClosedError()

    // A timeout kills the job; a job that exited may have left children behind.
    yield* terminateGroup(child.pid, options.termSeq)
    const status = outcome._tag === "exit" ? outcome.status : yield* child.exit
    const end = Date.now()
    const drained = yield* Fiber.await(pumps).pipe(Effect.timeout(pipeGraceMs), Effect.option)
    if (drained._tag === "None") {
      child.stdout.destroy()
      child.stderr.destroy()
      yield* Fiber.await(pumps)
    }
    if (yield* Deferred.isDone(outputClosed)) return yield* new OutputClosedError()

    const result = makeResult(start, end, status, outcome._tag === "timeout")
    const failed = outcome._tag === "timeout" || status.code !== 0
    yield* endOutput(result, failed)
    if (outcome._tag === "timeout") return yield* new JobTimeoutError({ result, after: outcome.after })
    if (result.signal !== null) return yield* new JobSignalError({ result })
    if (result.exitCode !== 0) return yield* new JobExitError({ result })
    return result
  }))

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
    env: options.env ?? process.env
  })
}
