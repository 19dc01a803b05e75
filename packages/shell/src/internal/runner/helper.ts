/**
 * The Node side of the job runner: one helper process (helper.pl, run by
 * Perl), the frames to and from it, and one small state object per job.
 *
 * @internal
 */
import type * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Runtime from "effect/Runtime"
import { type ChildProcess, spawn } from "node:child_process"
import type { HelperOptions } from "../../JobRunner.js"
import type { OutputClosedError } from "../../Output.js"
import { execPrefixed, plainWords } from "../commandLine.js"
import { terminateGroup } from "../terminate.js"
import type { TermSeq } from "../termSeq.js"
import { helperScript } from "./helperScript.js"
import {
  code,
  envPayload,
  frame,
  FrameReader,
  parseDone,
  protocolVersion,
  runPayload,
  termSeqText
} from "./protocol.js"
import { Relay } from "./relay.js"
import type { ChildOutcome, ChildRequest, RunnerLost, SpawnFailure } from "./types.js"

/**
 * `perl -e` with this reads the helper's source from its stdin, then runs it
 * on the same pipe: the command line stays short (ps, ssh) and nothing has to
 * be found on disk.
 */
const bootstrap = (length: number) =>
  `my($n,$s)=(${length},"");while(length($s)<$n){sysread(STDIN,$s,$n-length($s),length($s))or exit 255}` +
  `eval "#line 1 helper.pl\\n".$s;if($@){print STDERR "fanout-runner: $@";exit 255}`

const T = {
  hello: code("H"),
  started: code("S"),
  failed: code("F"),
  stdout: code("O"),
  stderr: code("E"),
  done: code("D")
}

type Resume = (effect: Effect.Effect<ChildOutcome, SpawnFailure | RunnerLost>) => void

/**
 * One job run by the helper, from `R` to `D` (or `F`, or the helper's death).
 *
 * @internal
 */
export class HelperJob {
  pid: number | undefined
  private done: ReturnType<typeof parseDone> | undefined
  private timedOut: Duration.Duration | undefined
  private outputFailure: Cause.Cause<OutputClosedError> | undefined
  private stopping = false
  private stopTimer: (() => void) | undefined
  private cancelled: (() => void) | undefined
  private settled = false
  readonly stdout: Relay | undefined
  readonly stderr: Relay | undefined
  private callback: ReturnType<typeof Runtime.runCallback<never>> | undefined

  constructor(
    private readonly helper: HelperProcess,
    readonly id: number,
    private readonly request: ChildRequest,
    private readonly runtime: () => Runtime.Runtime<never>,
    private readonly resume: Resume
  ) {
    this.stdout = request.stdout === undefined ? undefined : new Relay(this, request.stdout)
    this.stderr = request.stderr === undefined ? undefined : new Relay(this, request.stderr)
    if (request.timer !== undefined) {
      const fiber = Runtime.runFork(runtime())(request.timer)
      fiber.addObserver((exit) => {
        if (Exit.isSuccess(exit)) this.onTimeout(exit.value)
      })
      this.stopTimer = () => fiber.unsafeInterruptAsFork(FiberId.none)
    }
  }

  /** Runs an effect of this job (a sink's write, a clean-up) in the caller's runtime, made when first needed. */
  get runCallback(): ReturnType<typeof Runtime.runCallback<never>> {
    return this.callback ??= Runtime.runCallback(this.runtime())
  }

  onStarted(pid: number) {
    this.pid = pid
  }

  onOutput(type: number, chunk: Buffer) {
    if (this.outputFailure !== undefined || this.cancelled !== undefined) return
    ;(type === T.stdout ? this.stdout : this.stderr)?.push(chunk)
  }

  onDone(payload: Buffer) {
    this.done = parseDone(payload)
    this.helper.completed++
    this.helper.forget(this.id)
    this.settle()
  }

  onStartFailed(payload: Buffer) {
    const [name, message] = payload.toString("utf8").split("\0")
    this.finish(Effect.fail({ _tag: "SpawnFailure", code: name, message: message ?? name }))
  }

  /** The helper died with this job running: its group is terminated here, and the job fails. */
  onHelperLost(reason: string) {
    const end = (effect: Effect.Effect<ChildOutcome, SpawnFailure | RunnerLost>) =>
      this.pid === undefined
        ? this.finish(effect)
        : this.runCallback(terminateGroup(this.pid, this.request.termSeq), { onExit: () => this.finish(effect) })
    end(Effect.fail({ _tag: "RunnerLost", reason }))
  }

  private onTimeout(after: Duration.Duration) {
    if (this.done !== undefined || this.stopping) return
    this.timedOut = after
    this.stop()
  }

  onSinkFailure(cause: Cause.Cause<OutputClosedError>) {
    // our own output is gone: stop feeding, end the job
    if (this.outputFailure !== undefined) return
    this.outputFailure = cause
    this.stdout?.cancel()
    this.stderr?.cancel()
    if (this.done === undefined) this.stop()
  }

  ack(bytes: number) {
    if (this.done === undefined) this.helper.send("A", this.id, String(bytes))
  }

  private stop(cancel = false) {
    this.stopTimer?.()
    if (this.stopping && !cancel) return
    this.stopping = true
    this.helper.send("T", this.id, cancel ? "c" : "")
  }

  settle() {
    if (this.settled || this.done === undefined) return
    if (this.stdout?.idle === false || this.stderr?.idle === false) return
    const done = this.done
    this.finish(Effect.succeed({
      status: { code: done.code, signal: done.signal },
      runtime: done.runtime,
      timedOut: this.timedOut,
      outputFailure: this.outputFailure,
      stdoutBytes: done.stdoutBytes,
      stderrBytes: done.stderrBytes
    }))
  }

  private finish(effect: Effect.Effect<ChildOutcome, SpawnFailure | RunnerLost>) {
    if (this.settled) return
    this.settled = true
    this.stopTimer?.()
    this.helper.forget(this.id)
    if (this.cancelled !== undefined) return this.cancelled()
    this.resume(effect)
  }

  /** The caller was interrupted: the group is terminated, nothing more is written, and this waits for the end. */
  readonly interrupt = Effect.async<void>((resumeCancel) => {
    if (this.settled) return resumeCancel(Effect.void)
    this.cancelled = () => resumeCancel(Effect.void)
    this.stdout?.cancel()
    this.stderr?.cancel()
    if (this.done !== undefined) return this.finish(Effect.void as never)
    this.stop(true)
  })
}

/**
 * One helper process. `ready` once it said hello with our protocol version;
 * `lost` once it is gone (its running jobs are failed with `RunnerLost` and
 * their groups terminated from here).
 *
 * @internal
 */
export class HelperProcess {
  private readonly child: ChildProcess
  private readonly jobs = new Map<number, HelperJob>()
  private nextId = 1
  private sentEnv: NodeJS.ProcessEnv | undefined
  private closing = false
  private pending: Array<Buffer> = []
  ready = false
  lost: string | undefined
  /** Jobs it ran to their end. */
  completed = 0
  /** Completes when the process has exited. */
  readonly exited: Promise<void>

  constructor(options: HelperOptions, private readonly onChange: () => void) {
    const script = Buffer.from(helperScript, "latin1")
    const [file, ...args] = options.command ?? [options.perl ?? "perl", "-e", bootstrap(script.length)]
    this.child = spawn(file, args, {
      stdio: ["pipe", "pipe", "inherit"],
      // its own session: a terminal's Ctrl-C reaches fanout, which stops the jobs in order
      detached: true
    })
    this.exited = new Promise((resolve) => {
      this.child.once("exit", () => resolve())
      this.child.once("error", () => resolve())
    })
    this.child.once("error", (error) => this.onLost(`cannot start ${file}: ${error.message}`))
    this.child.stdin!.on("error", () => {})
    if (options.command === undefined) this.child.stdin!.write(script)
    const reader = new FrameReader((type, id, payload) => this.onFrame(type, id, payload))
    this.child.stdout!.on("data", (chunk: Buffer) => reader.push(chunk))
    this.child.stdout!.once("close", () => {
      this.onLost(this.closing ? "closed" : "the job runner process exited")
    })
  }

  get pid(): number | undefined {
    return this.child.pid
  }

  get running(): number {
    return this.jobs.size
  }

  private onFrame(type: number, id: number, payload: Buffer) {
    if (type === T.hello) return this.onHello(payload)
    const job = this.jobs.get(id)
    if (job === undefined) return
    if (type === T.stdout || type === T.stderr) job.onOutput(type, payload)
    else if (type === T.started) job.onStarted(Number(payload.toString("latin1")))
    else if (type === T.done) job.onDone(payload)
    else if (type === T.failed) job.onStartFailed(payload)
  }

  private onHello(payload: Buffer) {
    const [name, version] = payload.toString("latin1").split(" ")
    if (name !== "fanout-runner" || Number(version) !== protocolVersion) {
      this.child.kill("SIGKILL")
      return this.onLost(`the job runner speaks ${name} protocol ${version}, not ${protocolVersion}`)
    }
    this.ready = true
    this.onChange()
  }

  private onLost(reason: string) {
    if (this.lost !== undefined) return
    this.lost = reason
    this.ready = false
    // unref: a helper that outlives its jobs must not keep this process alive
    this.child.stdin!.destroy()
    for (const job of [...this.jobs.values()]) job.onHelperLost(reason)
    this.jobs.clear()
    this.onChange()
  }

  /**
   * Frames wait for the end of this turn of the event loop and go out in one write: the jobs
   * that end together are replaced together, and one write per frame cost ~50 µs a job.
   */
  send(type: string, id: number, payload: Uint8Array | string = "") {
    if (this.lost !== undefined) return
    if (this.pending.length === 0) setImmediate(this.flush)
    this.pending.push(frame(type, id, payload))
  }

  private readonly flush = () => {
    const frames = this.pending
    if (frames.length === 0) return
    this.pending = []
    if (this.lost === undefined) this.child.stdin!.write(frames.length === 1 ? frames[0] : Buffer.concat(frames))
  }

  forget(id: number) {
    this.jobs.delete(id)
  }

  /** Guards a group forked in-process: it is terminated with the others if we go away. Returns its id. */
  guard(pgid: number, termSeq: TermSeq): number {
    const id = this.nextId++
    this.send("G", id, `${pgid} ${termSeqText(termSeq)}`)
    return id
  }

  unguard(id: number) {
    this.send("U", id)
  }

  /** Runs one job here; the helper must be ready. */
  run(request: ChildRequest): Effect.Effect<ChildOutcome, SpawnFailure | RunnerLost> {
    return Effect.withFiberRuntime<ChildOutcome, SpawnFailure | RunnerLost>((fiber, status) =>
      Effect.async((resume) => {
        const command = request.command
        const shellLine = typeof command === "string"
          ? [request.shell, "-c", execPrefixed(command, request.shell)]
          : undefined
        const plain = typeof command === "string" ? plainWords(command, request.shell) : undefined
        const payload = runPayload({
          argv: plain ?? shellLine ?? (command as ReadonlyArray<string>),
          fallback: plain === undefined ? undefined : shellLine,
          extraEnv: request.extraEnv,
          cwd: request.cwd,
          termSeq: request.termSeq,
          relayStdout: request.stdout !== undefined,
          relayStderr: request.stderr !== undefined
        })
        if (payload === undefined) {
          return resume(Effect.fail({ _tag: "SpawnFailure", code: "ERR_INVALID_ARG_VALUE", message: "a NUL byte" }))
        }
        if (this.lost !== undefined) return resume(Effect.fail({ _tag: "RunnerLost", reason: this.lost }))
        if (request.env !== this.sentEnv) {
          this.sentEnv = request.env
          this.send("V", 0, envPayload(request.env))
        }
        // Most jobs need no runtime of their own (no output, no timer): it is made only for those that do.
        const runtime = () =>
          Runtime.make({
            context: fiber.currentContext,
            fiberRefs: fiber.getFiberRefs(),
            runtimeFlags: status.runtimeFlags
          })
        const job = new HelperJob(this, this.nextId++, request, runtime, resume)
        this.jobs.set(job.id, job)
        this.send("R", job.id, payload)
        return job.interrupt
      })
    )
  }

  /**
   * Ends the helper: with no job running it exits as soon as its input
   * closes; one still starting up has no jobs and is killed outright.
   */
  close(): Promise<void> {
    this.closing = true
    this.flush()
    this.child.stdin!.end()
    if (this.ready || this.lost !== undefined) return this.exited
    // still starting, so no job of ours: not worth waiting for (a one-job run would)
    this.child.kill("SIGKILL")
    this.child.unref()
    ;(this.child.stdout as unknown as { unref?: () => void }).unref?.()
    return Promise.resolve()
  }
}
