/** @internal */
import type * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Runtime from "effect/Runtime"
import { type ChildProcess, spawn } from "node:child_process"
import type { Readable, Writable } from "node:stream"
import type { JobStdin } from "../Job.js"
import type { OutputClosedError } from "../Output.js"
import { groupAlive, terminateGroup } from "./terminate.js"
import type { TermSeq } from "./termSeq.js"

/** @internal */
export interface ExitStatus {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

/** @internal */
export interface SpawnFailure {
  readonly code: string
  readonly message: string
}

/** Where a pipe's chunks go; awaited one at a time, so a slow sink slows the child instead of filling memory. */
type Sink = (chunk: Uint8Array) => Effect.Effect<void, OutputClosedError>

/** A chunk being written by its sink (its fiber, to interrupt if the job is). */
interface InFlight {
  interrupt: ((id?: FiberId.FiberId) => void) | undefined
}

/** @internal */
export interface ChildOptions {
  readonly env: NodeJS.ProcessEnv
  readonly cwd?: string | undefined
  readonly stdin: JobStdin
  readonly termSeq: TermSeq
  readonly stdout: Sink | undefined
  readonly stderr: Sink | undefined
  /** Completes when the child has run too long, with how long it was allowed. */
  readonly timer: Effect.Effect<Duration.Duration> | undefined
}

/** @internal */
export interface ChildOutcome {
  readonly status: ExitStatus
  /** When the child itself exited, epoch milliseconds. */
  readonly end: number
  /** The timer fired first: the group was terminated after this long. */
  readonly timedOut: Duration.Duration | undefined
  /** A sink reported our own stdout/stderr closed, or a write to it failed: the group was terminated. */
  readonly outputFailure: Cause.Cause<OutputClosedError> | undefined
  readonly stdoutBytes: number
  readonly stderrBytes: number
}

/**
 * After the group is gone our pipes normally close at once; a process that
 * left the group with `setsid` may still hold them. Past this wait they are
 * closed from our side.
 */
const pipeGraceMs = 200

const spawnFailure = (error: NodeJS.ErrnoException): SpawnFailure => ({
  code: error.code ?? "UNKNOWN",
  message: error.message
})

/**
 * Runs `file argv…` to the end as the leader of a new process group and
 * session (`detached`), so the group can be signalled as one and a terminal's
 * Ctrl-C reaches us, not it; feeds its output to the sinks; and returns once
 * the child has exited, nothing is left in its group (leftovers of a finished
 * job are terminated too), and both pipes are drained. A timeout, a closed
 * output or interruption terminates the whole group with the termination
 * sequence, and this waits until it is gone: nothing outlives it (except a
 * grandchild that left the group with `setsid`; its hold on the pipes is cut
 * after a short grace).
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
export const runChild = (
  file: string,
  argv: ReadonlyArray<string>,
  options: ChildOptions
): Effect.Effect<ChildOutcome, SpawnFailure> =>
  Effect.flatMap(Effect.runtime<never>(), (runtime) =>
    Effect.async<ChildOutcome, SpawnFailure>((resume) => {
      let child: ChildProcess
      try {
        child = spawn(file, argv, {
          detached: true,
          env: options.env,
          cwd: options.cwd,
          stdio: [typeof options.stdin === "string" ? options.stdin : "pipe", "pipe", "pipe"]
        })
      } catch (error) {
        // arguments Node refuses outright (a NUL byte in a word)
        return resume(Effect.fail(spawnFailure(error as NodeJS.ErrnoException)))
      }
      const pid = child.pid
      if (pid === undefined) {
        child.once("error", (error: NodeJS.ErrnoException) => resume(Effect.fail(spawnFailure(error))))
        return
      }
      // Later errors (a failed kill) are reported through the exit status.
      child.on("error", () => {})
      const stdout = child.stdout!
      const stderr = child.stderr!
      const runCallback = Runtime.runCallback(runtime)

      let status: ExitStatus | undefined
      let end = 0
      let timedOut: Duration.Duration | undefined
      let outputFailure: Cause.Cause<OutputClosedError> | undefined
      /** The group is being (or was) terminated by us. */
      let stopping = false
      let groupGone = false
      let openPipes = 2
      const inFlight = new Set<InFlight>()
      let grace: NodeJS.Timeout | undefined
      let stopTimer: (() => void) | undefined
      /** Set when the caller was interrupted: called instead of `resume` once everything is gone. */
      let cancelled: (() => void) | undefined
      let settled = false
      const bytes = { stdout: 0, stderr: 0 }

      const feeding = child.stdin === null || typeof options.stdin === "string"
        ? undefined
        : feed(child.stdin, options.stdin, () => settle())

      const destroyPipes = () => {
        feeding?.stop()
        stdout.destroy()
        stderr.destroy()
      }

      const settle = () => {
        if (settled || status === undefined || !groupGone) return
        if (openPipes > 0 || inFlight.size > 0 || feeding?.done === false) {
          if (cancelled !== undefined) {
            for (const feed of inFlight) feed.interrupt?.(FiberId.none)
            inFlight.clear()
            destroyPipes()
          } else if (grace === undefined) {
            grace = setTimeout(destroyPipes, pipeGraceMs)
          }
          if (openPipes > 0 || inFlight.size > 0 || feeding?.done === false) return
        }
        settled = true
        if (grace !== undefined) clearTimeout(grace)
        stopTimer?.()
        if (cancelled !== undefined) return cancelled()
        resume(Effect.succeed({
          // GNU parallel's writer dies of SIGPIPE when a job leaves part of its stdin unread.
          status: feeding?.unread === true && status.signal === null ? { code: null, signal: "SIGPIPE" } : status,
          end,
          timedOut,
          outputFailure,
          stdoutBytes: bytes.stdout,
          stderrBytes: bytes.stderr
        }))
      }

      const onGroupGone = () => {
        groupGone = true
        settle()
      }

      /** Terminates the whole group by the sequence (once), then settles. */
      const stop = () => {
        if (stopping) return
        stopping = true
        stopTimer?.()
        runCallback(terminateGroup(pid, options.termSeq), { onExit: onGroupGone })
      }

      child.once("exit", (code, signal) => {
        status = { code, signal }
        end = Date.now()
        if (stopping) return settle()
        // the common case: the group ended with its leader, nothing to terminate
        if (!groupAlive(pid)) return onGroupGone()
        stop()
      })

      const pipe = (readable: Readable, name: "stdout" | "stderr", sink: Sink | undefined) => {
        readable.on("data", (chunk: Buffer) => {
          bytes[name] += chunk.length
          if (sink === undefined || outputFailure !== undefined) return
          readable.pause()
          const feed: InFlight = { interrupt: undefined }
          inFlight.add(feed)
          feed.interrupt = runCallback(sink(chunk), {
            onExit: (exit) => {
              inFlight.delete(feed)
              if (Exit.isFailure(exit) && !Exit.isInterrupted(exit)) {
                // our own output is gone: stop feeding, keep reading, end the job
                outputFailure ??= exit.cause
                if (status === undefined) stop()
              }
              readable.resume()
              settle()
            }
          })
        })
        readable.once("close", () => {
          openPipes--
          settle()
        })
      }
      pipe(stdout, "stdout", options.stdout)
      pipe(stderr, "stderr", options.stderr)

      if (options.timer !== undefined) {
        const fiber = Runtime.runFork(runtime)(options.timer)
        fiber.addObserver((exit) => {
          if (Exit.isSuccess(exit) && status === undefined && !stopping) {
            timedOut = exit.value
            stop()
          }
        })
        stopTimer = () => fiber.unsafeInterruptAsFork(FiberId.none)
      }

      return Effect.async<void>((resumeCancel) => {
        if (settled) return resumeCancel(Effect.void)
        cancelled = () => {
          destroyPipes()
          resumeCancel(Effect.void)
        }
        stopTimer?.()
        if (status !== undefined && groupGone) settle()
        else stop()
      })
    }))

/** A job's stdin being written. */
interface Feeding {
  /** Stops writing and closes the pipe (the job is being torn down). */
  readonly stop: () => void
  /** Every byte is written, or the job stopped reading. */
  done: boolean
  /** The job stopped reading (EPIPE) with bytes left to write. */
  unread: boolean
}

/**
 * Writes a job's stdin bytes into its pipe: buffers at once (corked, so
 * several go out in one `writev`), a stream as the job reads it. `onDone` is
 * called once, when everything is written or the job stopped reading.
 */
const feed = (stdin: Writable, input: Exclude<JobStdin, "ignore" | "inherit">, onDone: () => void): Feeding => {
  const state: Feeding = {
    stop: () => {
      finish()
      stdin.destroy()
    },
    done: false,
    unread: false
  }
  const finish = () => {
    if (state.done) return
    state.done = true
    onDone()
  }
  stdin.on("error", () => {
    stdin.destroy()
  })
  // EPIPE, or Node closing the pipe when the job exits: either way bytes were left unwritten.
  stdin.on("close", () => {
    if (!state.done && !stdin.writableFinished) state.unread = true
    finish()
  })
  if (typeof input !== "function") {
    const chunks: ReadonlyArray<Uint8Array> = input instanceof Uint8Array ? [input] : input
    stdin.cork()
    for (const chunk of chunks) if (chunk.length > 0) stdin.write(chunk)
    stdin.uncork()
    stdin.end()
    return state
  }
  const drained = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        stdin.off("drain", done)
        stdin.off("close", done)
        resolve()
      }
      stdin.on("drain", done)
      stdin.on("close", done)
    })
  void (async () => {
    const iterator = input()[Symbol.asyncIterator]()
    try {
      while (!state.done) {
        const next = await iterator.next()
        if (next.done === true || state.done) break
        if (!stdin.write(next.value)) await drained()
      }
    } finally {
      if (!state.done) stdin.end()
      void iterator.return?.()
    }
  })().catch(() => {
    // A source that fails mid-way: the job gets what was read, and ends at its end of input.
  })
  return state
}
