/**
 * Writing a job's stdin when it was given bytes (GNU parallel's `--pipe` gives
 * each job its block).
 *
 * @internal
 */
import type { Writable } from "node:stream"
import type { JobStdin } from "../Job.js"

/** A job's stdin being written. @internal */
export interface StdinFeed {
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
 *
 * @internal
 */
export const feedStdin = (
  stdin: Writable,
  input: Exclude<JobStdin, "ignore" | "inherit">,
  onDone: () => void
): StdinFeed => {
  const state: StdinFeed = {
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
