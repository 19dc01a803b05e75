/** @internal */
import type * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Runtime from "effect/Runtime"
import { type ChildProcess, spawn } from "node:child_process"
import type { Readable } from "node:stream"
import type { OutputClosedError } from "../Output.js"
import * as Bytes from "./bytes.js"
import { commandText, execPrefixed, plainWords } from "./commandLine.js"
import {
  type ChildOutcome,
  type ChildRequest,
  type ExitStatus,
  pipeGraceMs,
  type Runner,
  type RunnerLost,
  type Sink,
  type SpawnFailure,
  takeNowOf
} from "./runner/types.js"
import { feedStdin, type StdinFeed } from "./stdinFeed.js"
import { groupAlive, terminateGroup } from "./terminate.js"

const spawnFailure = (error: NodeJS.ErrnoException): SpawnFailure => ({
  _tag: "SpawnFailure",
  code: error.code ?? "UNKNOWN",
  message: error.message
})

/**
 * Node writes every argument of a child as UTF-8, so a byte that is not valid
 * UTF-8 cannot reach the job as itself. A shell can make it, though: the
 * command line travels as the argument of `printf %b` (escaped bytes as
 * `\0NNN`), the shell turns it back into its bytes and evaluates that. `$0`
 * stays the shell's name and no positional parameter or variable is left.
 */
const viaPrintf = "c=$(printf %bx \"$1\"); shift; eval \"unset c; ${c%x}\""

/** The file and arguments Node spawns for a request. */
const commandLine = (request: ChildRequest): readonly [string, ReadonlyArray<string>] => {
  let command = request.command
  if (typeof command !== "string") {
    if (!command.some(Bytes.hasRawBytes)) return [command[0] ?? "", command.slice(1)]
    command = `exec ${commandText(command)}`
  }
  const line = execPrefixed(command, request.shell)
  return Bytes.hasRawBytes(line)
    ? [request.shell, ["-c", viaPrintf, request.shell, Bytes.printfEscaped(line)]]
    : [request.shell, ["-c", line]]
}

/** A chunk being written by its sink (its fiber, to interrupt if the job is). */
interface InFlight {
  interrupt: ((id?: FiberId.FiberId) => void) | undefined
}

type Resume = (effect: Effect.Effect<ChildOutcome, SpawnFailure | RunnerLost>) => void

/**
 * One child forked by Node, from spawn to the end of its group and pipes: a
 * small state object with one method per event (exit, data, a sink done, a
 * pipe closed, the timer, the group gone, interruption). It settles once the
 * child has exited, nothing is left in its group and both pipes are drained.
 */
class ChildRun {
  private status: ExitStatus | undefined
  private end = 0
  private timedOut: Duration.Duration | undefined
  private outputFailure: Cause.Cause<OutputClosedError> | undefined
  /** The group is being (or was) terminated by us. */
  private stopping = false
  private groupGone = false
  private openPipes = 2
  private readonly inFlight = new Set<InFlight>()
  private grace: NodeJS.Timeout | undefined
  private stopTimer: (() => void) | undefined
  /** Set when the caller was interrupted: called instead of `resume` once everything is gone. */
  private cancelled: (() => void) | undefined
  private settled = false
  private readonly bytes = { stdout: 0, stderr: 0 }
  /** The bytes being written to the job's stdin, when it was given bytes. */
  private readonly feeding: StdinFeed | undefined
  private readonly runCallback: ReturnType<typeof Runtime.runCallback<never>>

  constructor(
    private readonly child: ChildProcess,
    private readonly pid: number,
    private readonly start: number,
    private readonly request: ChildRequest,
    private readonly runtime: Runtime.Runtime<never>,
    private readonly resume: Resume
  ) {
    this.runCallback = Runtime.runCallback(runtime)
    // Later errors (a failed kill) are reported through the exit status.
    child.on("error", () => {})
    child.once("exit", (code, signal) => this.onExit(code, signal))
    this.pipe(child.stdout!, "stdout", request.stdout)
    this.pipe(child.stderr!, "stderr", request.stderr)
    this.feeding = typeof request.stdin === "string" || child.stdin === null
      ? undefined
      : feedStdin(child.stdin, request.stdin, () => this.settle())
    if (request.timer !== undefined) this.startTimer(request.timer)
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null) {
    this.status = { code, signal }
    this.end = Date.now()
    if (this.stopping) return this.settle()
    // the common case: the group ended with its leader, nothing to terminate
    if (!groupAlive(this.pid)) return this.onGroupGone()
    this.stop()
  }

  private pipe(readable: Readable, name: "stdout" | "stderr", sink: Sink | undefined) {
    readable.on("data", (chunk: Buffer) => this.onData(readable, name, sink, chunk))
    readable.once("close", () => this.onPipeClosed())
  }

  private onData(readable: Readable, name: "stdout" | "stderr", sink: Sink | undefined, chunk: Buffer) {
    this.bytes[name] += chunk.length
    if (sink === undefined || this.outputFailure !== undefined) return
    // taken at once only behind no chunk in flight, so bytes never pass one another
    if (this.inFlight.size === 0 && takeNowOf(sink)?.(chunk) === true) return
    readable.pause()
    const feed: InFlight = { interrupt: undefined }
    this.inFlight.add(feed)
    feed.interrupt = this.runCallback(sink(chunk), {
      onExit: (exit) => this.onSinkDone(readable, feed, exit)
    })
  }

  private onSinkDone(readable: Readable, feed: InFlight, exit: Exit.Exit<void, OutputClosedError>) {
    this.inFlight.delete(feed)
    if (Exit.isFailure(exit) && !Exit.isInterrupted(exit)) {
      // our own output is gone: stop feeding, keep reading, end the job
      this.outputFailure ??= exit.cause
      if (this.status === undefined) this.stop()
    }
    readable.resume()
    this.settle()
  }

  private onPipeClosed() {
    this.openPipes--
    this.settle()
  }

  private startTimer(timer: Effect.Effect<Duration.Duration>) {
    const fiber = Runtime.runFork(this.runtime)(timer)
    fiber.addObserver((exit) => {
      if (Exit.isSuccess(exit)) this.onTimeout(exit.value)
    })
    this.stopTimer = () => fiber.unsafeInterruptAsFork(FiberId.none)
  }

  private onTimeout(after: Duration.Duration) {
    if (this.status !== undefined || this.stopping) return
    this.timedOut = after
    this.stop()
  }

  private onGroupGone() {
    this.groupGone = true
    this.settle()
  }

  /** Terminates the whole group by the sequence (once), then settles. */
  private stop() {
    if (this.stopping) return
    this.stopping = true
    this.stopTimer?.()
    this.runCallback(terminateGroup(this.pid, this.request.termSeq), { onExit: () => this.onGroupGone() })
  }

  private destroyPipes() {
    this.feeding?.stop()
    this.child.stdout!.destroy()
    this.child.stderr!.destroy()
  }

  private settle() {
    if (this.settled || this.status === undefined || !this.groupGone) return
    if (this.openPipes > 0 || this.inFlight.size > 0 || this.feeding?.done === false) {
      if (this.cancelled !== undefined) {
        for (const feed of this.inFlight) feed.interrupt?.(FiberId.none)
        this.inFlight.clear()
        this.destroyPipes()
      } else if (this.grace === undefined) {
        this.grace = setTimeout(() => this.destroyPipes(), pipeGraceMs)
      }
      if (this.openPipes > 0 || this.inFlight.size > 0 || this.feeding?.done === false) return
    }
    this.settled = true
    this.request.group?.ended(this.pid)
    if (this.grace !== undefined) clearTimeout(this.grace)
    this.stopTimer?.()
    if (this.cancelled !== undefined) return this.cancelled()
    this.resume(Effect.succeed({
      // GNU parallel's writer dies of SIGPIPE when a job leaves part of its stdin unread.
      status: this.feeding?.unread === true && this.status.signal === null
        ? { code: null, signal: "SIGPIPE" }
        : this.status,
      runtime: this.end - this.start,
      timedOut: this.timedOut,
      outputFailure: this.outputFailure,
      stdoutBytes: this.bytes.stdout,
      stderrBytes: this.bytes.stderr
    }))
  }

  /** The caller was interrupted: terminate the group, and return once everything is gone. */
  readonly interrupt = Effect.async<void>((resumeCancel) => {
    if (this.settled) return resumeCancel(Effect.void)
    this.cancelled = () => {
      this.destroyPipes()
      resumeCancel(Effect.void)
    }
    this.stopTimer?.()
    if (this.status !== undefined && this.groupGone) this.settle()
    else this.stop()
  })
}

/**
 * Runs a request to the end as the leader of a new process group and session
 * (`detached`), so the group can be signalled as one and a terminal's Ctrl-C
 * reaches us, not it; feeds its output to the sinks; and returns once the
 * child has exited, nothing is left in its group (leftovers of a finished job
 * are terminated too), and both pipes are drained. A timeout, a closed output
 * or interruption terminates the whole group with the termination sequence,
 * and this waits until it is gone: nothing outlives it (except a grandchild
 * that left the group with `setsid`; its hold on the pipes is cut after a
 * short grace).
 *
 * One callback-driven `Effect.async` per job rather than fibers per pipe and a
 * race: a job then costs no fiber at all unless it has a timer or output, and
 * the CPU left over goes to the children (1000 × `true` at -j 8 spent 4 ms of
 * runtime work per job in the fiber version). A direct `child_process.spawn`
 * rather than `@effect/platform`'s `CommandExecutor`: measured 1000 × `true` at
 * concurrency 8, the executor took 1.6–2.1× the time of a bare spawn, and it
 * cannot escalate to KILL.
 *
 * @internal
 */
const runChild = (request: ChildRequest): Effect.Effect<ChildOutcome, SpawnFailure | RunnerLost> =>
  Effect.flatMap(
    Effect.runtime<never>(),
    (runtime) =>
      Effect.async<ChildOutcome, SpawnFailure | RunnerLost>((resume) => {
        const env = { ...request.env, ...request.extraEnv }
        const fork = ([file, argv]: readonly [string, ReadonlyArray<string>]) =>
          spawn(file, argv, {
            detached: true,
            env,
            cwd: request.cwd,
            stdio: [typeof request.stdin === "string" ? request.stdin : "pipe", "pipe", "pipe"]
          })
        const start = Date.now()
        let child: ChildProcess
        try {
          // A plain command runs without its shell, as the helper runs it (the shell's start added ~0.9 ms to
          // the 2.2 ms of spawning `true` to its exit); when it cannot be (not found, not executable), the
          // shell runs it and says why.
          const plain = typeof request.command === "string" ? plainWords(request.command, request.shell) : undefined
          child = fork(plain === undefined ? commandLine(request) : [plain[0], plain.slice(1)])
          if (plain !== undefined && child.pid === undefined) {
            child.on("error", () => {})
            child = fork(commandLine(request))
          }
        } catch (error) {
          // arguments Node refuses outright (a NUL byte in a word)
          return resume(Effect.fail(spawnFailure(error as NodeJS.ErrnoException)))
        }
        const pid = child.pid
        if (pid === undefined) {
          child.once("error", (error: NodeJS.ErrnoException) => resume(Effect.fail(spawnFailure(error))))
          return
        }
        request.group?.started(pid)
        return new ChildRun(child, pid, start, request, runtime, resume).interrupt
      })
  )

/**
 * Jobs forked by this Node process itself: no helper, but no guarantee either
 * that they stop if this process is killed with SIGKILL.
 *
 * @internal
 */
export const inProcessRunner: Runner = { kind: "in-process", run: runChild }
