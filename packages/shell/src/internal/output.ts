/** @internal */
import * as Effect from "effect/Effect"
import * as Scope from "effect/Scope"
import * as os from "node:os"
import type { JobInfo, JobOutput, JobRecord, Output, OutputClosedError, OutputOptions } from "../Output.js"
import * as Bytes from "./bytes.js"
import { LineWriter, prefixedChunks, writeBuffer } from "./outputLines.js"
import { Order } from "./outputOrder.js"
import type { Waiting } from "./outputOrder.js"
import { Closed, Lock, Sink } from "./outputSink.js"
import { Quota, SpillBuffer } from "./outputSpill.js"
import { withTakeNow } from "./runner/types.js"

/** @internal */
export const defaultSpillThreshold = 1024 * 1024

/** Jobs held for `keepOrder` keep this many spill thresholds in memory together; the rest waits in their files. */
const BACKLOG_THRESHOLDS = 16

const encoder = new TextEncoder()
const strictUtf8 = new TextDecoder("utf-8", { fatal: true })
const lossyUtf8 = new TextDecoder("utf-8")

/**
 * JSON strings hold text: valid UTF-8 goes in as is; otherwise the string has
 * U+FFFD for each bad sequence and `<name>_base64` carries the exact bytes.
 */
const textFields = (name: "stdout" | "stderr", bytes: Uint8Array): Record<string, string> => {
  try {
    return { [name]: strictUtf8.decode(bytes) }
  } catch {
    return { [name]: lossyUtf8.decode(bytes), [`${name}_base64`]: Buffer.from(bytes).toString("base64") }
  }
}

/** A string that holds bytes ({@link Bytes.decode}) as JSON text: each escaped byte becomes U+FFFD. */
const lossyText = (text: string): string => Bytes.hasRawBytes(text) ? lossyUtf8.decode(Bytes.encode(text)) : text
const base64 = (text: string): string => Bytes.encode(text).toString("base64")

const jsonLine = (record: JobRecord, stdout: Uint8Array, stderr: Uint8Array): string => {
  const out = textFields("stdout", stdout)
  const err = textFields("stderr", stderr)
  return JSON.stringify({
    seq: record.seq,
    args: record.args.map(lossyText),
    command: lossyText(record.command),
    ...(record.args.some(Bytes.hasRawBytes) ? { args_base64: record.args.map(base64) } : {}),
    ...(Bytes.hasRawBytes(record.command) ? { command_base64: base64(record.command) } : {}),
    exit: record.exit,
    signal: record.signal,
    start: record.start,
    runtime: record.runtime,
    timedOut: record.timedOut === true,
    stdout: out.stdout,
    stderr: err.stderr,
    ...(out.stdout_base64 === undefined ? {} : { stdout_base64: out.stdout_base64 }),
    ...(err.stderr_base64 === undefined ? {} : { stderr_base64: err.stderr_base64 })
  }) + "\n"
}

interface Shared {
  readonly state: Closed
  readonly out: Sink
  readonly err: Sink
  readonly lock: Lock
  readonly order: Order | undefined
  readonly threshold: number
  readonly tmpdir: string
}

type EndOptions = { readonly discard?: boolean } | undefined

const validate = (options: OutputOptions): void => {
  const threshold = options.spillThreshold
  if (threshold !== undefined && !(Number.isSafeInteger(threshold) && threshold >= 0)) {
    throw new RangeError(`Output: spillThreshold must be a whole number of bytes >= 0, got ${threshold}`)
  }
}

/** @internal */
export const make = (options: OutputOptions): Effect.Effect<Output, never, Scope.Scope> =>
  Effect.gen(function*() {
    validate(options)
    const state = new Closed()
    const threshold = options.spillThreshold ?? defaultSpillThreshold
    const lock = new Lock()
    const out = new Sink(options.stdout ?? process.stdout, state)
    const err = new Sink(options.stderr ?? process.stderr, state, "standard error")
    const keepOrder = options.keepOrder && (options.format === "json" || options.mode !== "ungroup")
    const order = keepOrder ? new Order(lock, new Quota(threshold * BACKLOG_THRESHOLDS)) : undefined
    const shared: Shared = { state, out, err, lock, order, threshold, tmpdir: options.tmpdir ?? os.tmpdir() }
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        order?.releaseAll()
        out.detach()
        err.detach()
      })
    )

    // ungrouped output keeps nothing per job: one for all of them
    const straight: Opened = { output: ungrouped(shared), release: () => {} }
    const opened = (job: JobInfo): Opened => {
      if (options.format === "json") return buffered(shared, job, "json")
      switch (options.mode) {
        case "ungroup":
          return straight
        case "group":
          return buffered(shared, job, "group")
        case "line":
          return order === undefined ? lines(shared, job) : orderedLines(shared, order, job)
      }
    }

    const flushed = Effect.zipRight(out.flushed, err.flushed)
    return {
      open: (job) => openedUntilScopeEnds(() => opened(job)),
      [openNow]: opened,
      isHeld: (seq) => order?.isHeld(seq) === true,
      onPrinted: (f) => {
        if (order !== undefined) order.onPrinted = f
      },
      skip: (seq) =>
        Effect.suspend(() => state.closed ? state.fail : order === undefined ? Effect.void : order.skip(seq)),
      finish: Effect.suspend(() =>
        state.closed ? state.fail : order === undefined ? flushed : Effect.zipRight(order.finish, flushed)
      )
    }
  })

/** A job's output, opened, and what to do once the job is over. @internal */
export interface Opened {
  readonly output: JobOutput
  readonly release: () => void
}

/**
 * `open` without a Scope, on the outputs `make` returns: the batch calls it and
 * releases the output itself. Making, providing and closing a Scope for every
 * job copied the fiber's FiberRefs twice a job, the largest cost of its output.
 * A symbol of this module, not a registered one: another copy of the package
 * (another version) never takes an output of this one for its own.
 *
 * @internal
 */
const openNow: unique symbol = Symbol("@fanout/shell/Output/openNow")

/** The output's `openNow`, when it is one of ours. @internal */
export const openNowOf = (output: Output): ((job: JobInfo) => Opened) | undefined =>
  (output as { readonly [openNow]?: (job: JobInfo) => Opened })[openNow]

/**
 * A job's output, released when the job's scope closes. Not
 * `Effect.acquireRelease`: its finalizer diffs and patches every FiberRef twice;
 * these finalizers are plain synchronous clean-ups that need none of that.
 */
const openedUntilScopeEnds = (open: () => Opened): Effect.Effect<JobOutput, never, Scope.Scope> =>
  Effect.uninterruptible(Effect.flatMap(Effect.scope, (scope) => {
    const { output, release } = open()
    return Effect.as(Scope.addFinalizer(scope, Effect.sync(release)), output)
  }))

const prefixOf = (job: JobInfo): Uint8Array | undefined =>
  job.tag === undefined ? undefined : Bytes.encode(`${job.tag}\t`)

/** `ungroup`: bytes go straight through. Tags and keepOrder do not apply (as with GNU parallel's `-u`). */
const ungrouped = (shared: Shared): JobOutput => ({
  stdout: shared.out.write,
  stderr: shared.err.write,
  end: () => Effect.suspend(() => shared.state.closed ? shared.state.fail : Effect.void)
})

/** A job's buffered stdout, then its stderr, each whole. */
const printBuffers = (
  shared: Shared,
  outBuffer: SpillBuffer,
  errBuffer: SpillBuffer,
  prefix: Uint8Array | undefined
): Effect.Effect<void, OutputClosedError> =>
  Effect.zipRight(writeBuffer(shared.out, outBuffer, prefix), writeBuffer(shared.err, errBuffer, prefix))

/**
 * A grouped job's output written without the lock, when it can be: nothing at
 * all (most jobs of a large batch print nothing: ~15 µs of ~90 a job went to
 * taking the lock for it), or buffers that never spilled, while the lock is
 * free: written at once, so no other job can write in between (taking the lock
 * and writing chunk by chunk cost 47 effects a job, of 125). `undefined`
 * otherwise.
 */
const printNow = (
  shared: Shared,
  outBuffer: SpillBuffer,
  errBuffer: SpillBuffer,
  prefix: Uint8Array | undefined
): Effect.Effect<void, OutputClosedError> | undefined => {
  if (outBuffer.size === 0 && errBuffer.size === 0) return Effect.void
  const outChunks = outBuffer.inMemoryChunks
  const errChunks = errBuffer.inMemoryChunks
  if (shared.lock.held || outChunks === undefined || errChunks === undefined) return undefined
  const outReady = shared.out.writeAllNow(prefixedChunks(prefix, outChunks))
  const errReady = shared.err.writeAllNow(prefixedChunks(prefix, errChunks))
  if (shared.state.closed) return shared.state.fail
  return outReady
    ? (errReady ? Effect.void : shared.err.drained)
    : Effect.zipRight(shared.out.drained, shared.err.drained)
}

/** `group` and `json`: everything is buffered and written when the job ends. */
const buffered = (shared: Shared, job: JobInfo, format: "group" | "json"): Opened => {
  const { order, out, state } = shared
  const quota = new Quota(shared.threshold)
  const outBuffer = new SpillBuffer(quota, shared.tmpdir)
  const errBuffer = new SpillBuffer(quota, shared.tmpdir)
  const prefix = prefixOf(job)
  let handedOver = false
  const reset = () => {
    outBuffer.reset()
    errBuffer.reset()
  }
  const print = printBuffers(shared, outBuffer, errBuffer, prefix)
  const printJson = (record: JobRecord): Effect.Effect<void, OutputClosedError> =>
    Effect.flatMap(
      Effect.zip(outBuffer.readAll(), errBuffer.readAll()),
      ([stdout, stderr]) => out.write(encoder.encode(jsonLine(record, stdout, stderr)))
    )
  const jobOutput: JobOutput = {
    stdout: withTakeNow(
      (chunk) => Effect.suspend(() => state.closed ? state.fail : outBuffer.append(chunk)),
      (chunk) => !state.closed && outBuffer.tryAppend(chunk)
    ),
    stderr: withTakeNow(
      (chunk) => Effect.suspend(() => state.closed ? state.fail : errBuffer.append(chunk)),
      (chunk) => !state.closed && errBuffer.tryAppend(chunk)
    ),
    end: (record: JobRecord, options?: EndOptions) =>
      Effect.suspend(() => {
        if (state.closed) return state.fail
        if (options?.discard === true) return Effect.sync(reset)
        const write = format === "json" ? printJson(record) : print
        if (order === undefined) {
          const now = format === "group" ? printNow(shared, outBuffer, errBuffer, prefix) : undefined
          if (now !== undefined) {
            reset()
            return now
          }
          return Effect.ensuring(shared.lock.with(write), Effect.sync(reset))
        }
        handedOver = true
        return order.hold(job.seq, { print: write, buffers: [outBuffer, errBuffer] })
      })
  }
  return { output: jobOutput, release: () => handedOver || reset() }
}

/** `line` without keepOrder: every job writes its whole lines as they come. */
const lines = (shared: Shared, job: JobInfo): Opened => {
  const { state } = shared
  const quota = new Quota(shared.threshold)
  const prefix = prefixOf(job)
  const outLines = new LineWriter(shared.out, shared.lock, prefix, quota, shared.tmpdir)
  const errLines = new LineWriter(shared.err, shared.lock, prefix, quota, shared.tmpdir)
  const reset = () => {
    outLines.reset()
    errLines.reset()
  }
  const jobOutput: JobOutput = {
    stdout: (chunk) => Effect.suspend(() => state.closed ? state.fail : outLines.push(chunk)),
    stderr: (chunk) => Effect.suspend(() => state.closed ? state.fail : errLines.push(chunk)),
    end: (_record, options?: EndOptions) =>
      Effect.suspend(() => {
        if (state.closed) return state.fail
        if (options?.discard === true) return Effect.sync(reset)
        return Effect.ensuring(Effect.zipRight(outLines.flush(), errLines.flush()), Effect.sync(reset))
      })
  }
  return { output: jobOutput, release: reset }
}

/**
 * `line` with keepOrder: the job whose turn it is writes its lines as they come;
 * the others buffer (spilling) until their turn, or print whole if they end first.
 */
const orderedLines = (shared: Shared, order: Order, job: JobInfo): Opened => {
  const ordered = new OrderedLines(shared, order, job)
  return { output: ordered.open(), release: () => ordered.close() }
}

/** One job's output under `line` with keepOrder: buffered until it goes live (its turn) or ends. */
class OrderedLines implements Waiting {
  private readonly prefix: Uint8Array | undefined
  private readonly outBuffer: SpillBuffer
  private readonly errBuffer: SpillBuffer
  private readonly outLines: LineWriter
  private readonly errLines: LineWriter
  // Serialises this job's writes with its promotion, which runs on another fiber.
  private readonly jobLock = new Lock()
  private live = false
  private ended = false
  private handedOver = false
  private readonly output: JobOutput
  readonly goLive: Effect.Effect<void, OutputClosedError>

  constructor(private readonly shared: Shared, private readonly order: Order, private readonly job: JobInfo) {
    const quota = new Quota(shared.threshold)
    this.prefix = prefixOf(job)
    this.outBuffer = new SpillBuffer(quota, shared.tmpdir)
    this.errBuffer = new SpillBuffer(quota, shared.tmpdir)
    this.outLines = new LineWriter(shared.out, shared.lock, this.prefix, quota, shared.tmpdir)
    this.errLines = new LineWriter(shared.err, shared.lock, this.prefix, quota, shared.tmpdir)
    this.goLive = this.jobLock.with(Effect.suspend(() => {
      if (this.ended || this.live) return Effect.void
      this.live = true
      return Effect.zipRight(replay(this.outBuffer, this.outLines), replay(this.errBuffer, this.errLines))
    }))
    this.output = {
      stdout: this.push(this.outBuffer, this.outLines),
      stderr: this.push(this.errBuffer, this.errLines),
      end: (_record, options?: EndOptions) => this.end(options)
    }
  }

  open(): JobOutput {
    this.live = this.order.register(this.job.seq, this)
    return this.output
  }

  close(): void {
    this.order.unregister(this.job.seq, this)
    if (!this.handedOver) this.reset()
  }

  private reset() {
    this.outBuffer.reset()
    this.errBuffer.reset()
    this.outLines.reset()
    this.errLines.reset()
  }

  private push(buffer: SpillBuffer, writer: LineWriter) {
    const state = this.shared.state
    return (chunk: Uint8Array) =>
      this.jobLock.with(
        Effect.suspend(() => state.closed ? state.fail : this.live ? writer.push(chunk) : buffer.append(chunk))
      )
  }

  private end(options: EndOptions): Effect.Effect<void, OutputClosedError> {
    return this.jobLock.with(Effect.suspend(() => {
      const state = this.shared.state
      if (state.closed) return state.fail
      if (options?.discard === true) return Effect.sync(() => this.reset())
      this.ended = true
      this.order.unregister(this.job.seq, this)
      if (this.live) {
        return Effect.ensuring(
          Effect.zipRight(Effect.zipRight(this.outLines.flush(), this.errLines.flush()), this.order.done(this.job.seq)),
          Effect.sync(() => this.reset())
        )
      }
      this.handedOver = true
      const print = printBuffers(this.shared, this.outBuffer, this.errBuffer, this.prefix)
      return this.order.hold(this.job.seq, { print, buffers: [this.outBuffer, this.errBuffer] })
    }))
  }
}

/** Writes what a buffer holds through a line writer, then empties the buffer. */
const replay = (buffer: SpillBuffer, writer: LineWriter) =>
  Effect.ensuring(buffer.forEachChunk((chunk) => writer.push(chunk)), Effect.sync(() => buffer.reset()))
