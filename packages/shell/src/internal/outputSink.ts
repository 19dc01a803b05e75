/** @internal */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"

/** @internal */
export class OutputClosedError extends Data.TaggedError("OutputClosedError")<{}> {}

/**
 * Writing to one of our own streams failed for a reason other than a reader
 * that went away (a full disk, an I/O error): output was lost, so the run
 * must end with an error, not carry on or exit 0.
 *
 * @internal
 */
export class OutputWriteError extends Data.TaggedError("OutputWriteError")<{
  readonly stream: "standard output" | "standard error"
  readonly reason: string
}> {
  override get message() {
    return `cannot write to ${this.stream}: ${this.reason}`
  }
}

const reasons: Record<string, string> = {
  ENOSPC: "no space left on device",
  EIO: "input/output error",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large",
  EBADF: "bad file descriptor",
  EACCES: "permission denied",
  EAGAIN: "resource temporarily unavailable"
}

const reasonOf = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === "string" && reasons[code] !== undefined) return reasons[code]
  return error instanceof Error ? error.message : String(error)
}

const ignore = () => {}

/** Errors that mean "the reader went away", not "the disk broke". */
const isClosedError = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code
  return code === "EPIPE" || code === "ERR_STREAM_DESTROYED" || code === "ECONNRESET" ||
    code === "ERR_STREAM_WRITE_AFTER_END"
}

interface WritableLike extends NodeJS.WritableStream {
  readonly errored?: Error | null
  readonly writableNeedDrain?: boolean
  readonly writableLength?: number
}

/**
 * Shared state of an `Output`: once one of our streams is closed by its reader,
 * every later operation fails with `OutputClosedError`.
 *
 * @internal
 */
export class Closed {
  closed = false
  failure: unknown = undefined
  private readonly listeners: Array<() => void> = []
  close(failure?: unknown): void {
    if (this.closed) return
    this.closed = true
    this.failure = failure
    for (const listener of this.listeners.splice(0)) listener()
  }
  onClose(listener: () => void): () => void {
    this.listeners.push(listener)
    return () => {
      const i = this.listeners.indexOf(listener)
      if (i >= 0) this.listeners.splice(i, 1)
    }
  }
  /** Fails with `OutputClosedError`, or dies with the stream's error when it was not a closed reader. */
  get fail(): Effect.Effect<never, OutputClosedError> {
    return this.failure === undefined ? Effect.fail(new OutputClosedError()) : Effect.die(this.failure)
  }
}

/**
 * One of our own output streams, written with backpressure: a write that Node
 * buffers past the high-water mark waits for `drain`, so a slow reader slows us
 * down instead of filling our memory.
 *
 * @internal
 */
export class Sink {
  private readonly drainWaiters: Array<() => void> = []
  readonly write: (chunk: Uint8Array) => Effect.Effect<void, OutputClosedError>
  /** Waits for `drain` if the stream needs it, failing if the output closed. */
  readonly drained: Effect.Effect<void, OutputClosedError>

  constructor(
    readonly stream: WritableLike,
    readonly state: Closed,
    private readonly name: OutputWriteError["stream"] = "standard output"
  ) {
    // The listener stays attached until the Output's scope closes, so an EPIPE is never an unhandled
    // 'error' event (and the one left behind keeps a late EPIPE quiet after that).
    stream.on("error", this.onError)
    stream.on("drain", this.onDrain)
    state.onClose(() => this.wake())
    this.drained = Effect.async<void, OutputClosedError>((resume) => {
      if (state.closed) return resume(state.fail)
      // A stream whose write failed at once (a file on a full disk) needs no drain, but its 'error'
      // comes on the next tick: wait for that, or the run would go on as if the bytes were written.
      if (stream.writableNeedDrain === false && !stream.errored) return resume(Effect.void)
      const waiter = () => resume(state.closed ? state.fail : Effect.void)
      this.drainWaiters.push(waiter)
      return Effect.sync(() => {
        const i = this.drainWaiters.indexOf(waiter)
        if (i >= 0) this.drainWaiters.splice(i, 1)
      })
    })
    this.write = (chunk) =>
      Effect.suspend(() => {
        if (state.closed) return state.fail
        if (chunk.length === 0) return Effect.void
        return this.writeNow(chunk) ? Effect.void : this.drained
      })
  }

  /**
   * Writes whole lines: right away when `lock` is free (the check and the write
   * happen in one step, so no multi-write emission can be cut), else under it.
   */
  writeLines(lock: Lock, chunk: Uint8Array): Effect.Effect<void, OutputClosedError> {
    return Effect.suspend(() => {
      if (this.state.closed) return this.state.fail
      if (lock.held) return lock.with(this.write(chunk))
      if (chunk.length === 0) return Effect.void
      return this.writeNow(chunk) ? Effect.void : this.drained
    })
  }

  /**
   * Hands every chunk to the stream at once, in one step nothing else can write
   * between (they are in memory already; waiting for `drain` between them would
   * keep them there, not free them). `false` when the caller must wait for
   * `drain`, or find the output closed.
   */
  writeAllNow(chunks: ReadonlyArray<Uint8Array>): boolean {
    let ready = true
    for (let i = 0; i < chunks.length && !this.state.closed; i++) {
      if (chunks[i].length > 0 && !this.writeNow(chunks[i])) ready = false
    }
    return ready && !this.state.closed
  }

  /** Hands `chunk` to the stream; `false` when the caller must wait for `drain`. */
  private writeNow(chunk: Uint8Array): boolean {
    try {
      return this.stream.write(chunk)
    } catch (error) {
      this.failed(error)
      return true
    }
  }

  private readonly onError = (error: unknown) => this.failed(error)

  private failed(latest: unknown): void {
    // A write after the stream broke fails as "destroyed"; why it broke is its first error.
    const error = this.stream.errored ?? latest
    this.state.close(
      isClosedError(error) ? undefined : new OutputWriteError({ stream: this.name, reason: reasonOf(error) })
    )
  }
  private readonly onDrain = () => this.wake()

  /** Stops listening to the stream; a quiet 'error' listener stays so that a late EPIPE cannot crash us. */
  detach(): void {
    this.stream.removeListener("drain", this.onDrain)
    this.stream.removeListener("error", this.onError)
    if (this.stream.listenerCount("error") === 0) this.stream.on("error", ignore)
  }

  private wake(): void {
    for (const waiter of this.drainWaiters.splice(0)) waiter()
  }

  /** Waits until every byte handed to the stream so far has been taken by the OS. */
  readonly flushed: Effect.Effect<void, OutputClosedError> = Effect.async<void, OutputClosedError>((resume) => {
    if (this.state.closed) return resume(this.state.fail)
    if (this.stream.writableLength === 0 && !this.stream.errored) return resume(Effect.void)
    const off = this.state.onClose(() => resume(this.state.fail))
    try {
      // The callback of an empty write runs after every write queued before it.
      this.stream.write(new Uint8Array(0), (error?: Error | null) => {
        off()
        if (error) this.failed(error)
        resume(this.state.closed ? this.state.fail : Effect.void)
      })
    } catch (error) {
      off()
      this.failed(error)
      resume(this.state.fail)
    }
    return Effect.sync(off)
  })
}

/**
 * A FIFO mutex for emissions that take several writes (a whole job in `group`
 * mode, a spilled partial line in `line` mode): while it is held, nobody else
 * writes. Single writes of whole lines skip it when it is free.
 *
 * @internal
 */
export class Lock {
  held = false
  private readonly waiters: Array<{ granted: boolean; wake: () => void }> = []

  private readonly acquire: Effect.Effect<void> = Effect.async<void>((resume) => {
    if (!this.held) {
      this.held = true
      return resume(Effect.void)
    }
    const waiter = { granted: false, wake: () => resume(Effect.void) }
    this.waiters.push(waiter)
    return Effect.sync(() => {
      if (waiter.granted) this.releaseNow()
      else this.waiters.splice(this.waiters.indexOf(waiter), 1)
    })
  })

  private releaseNow(): void {
    const next = this.waiters.shift()
    if (next === undefined) {
      this.held = false
    } else {
      next.granted = true
      next.wake()
    }
  }

  private readonly release = Effect.sync(() => this.releaseNow())

  with<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> {
    return Effect.uninterruptibleMask((restore) =>
      Effect.zipRight(restore(this.acquire), Effect.ensuring(restore(self), this.release))
    )
  }
}
