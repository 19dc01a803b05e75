/** @internal */
import * as Effect from "effect/Effect"
import type { OutputClosedError } from "../Output.js"
import type { Lock, Sink } from "./outputSink.js"
import type { Quota } from "./outputSpill.js"
import { SpillBuffer } from "./outputSpill.js"

const NL = 10

/**
 * `chunk` with `prefix` before every line that starts in it (the first one only
 * when `atLineStart`). Like GNU parallel's `--tag`: a last line without newline
 * is prefixed and left without newline; empty output stays empty.
 */
const prefixLines = (prefix: Uint8Array, chunk: Uint8Array, atLineStart: boolean): Uint8Array => {
  if (chunk.length === 0) return chunk
  let starts = atLineStart ? 1 : 0
  const last = chunk.length - 1
  for (let i = chunk.indexOf(NL); i >= 0 && i < last; i = chunk.indexOf(NL, i + 1)) starts++
  if (starts === 0) return chunk
  const out = new Uint8Array(chunk.length + starts * prefix.length)
  let o = 0
  if (atLineStart) {
    out.set(prefix, 0)
    o = prefix.length
  }
  let from = 0
  for (let i = chunk.indexOf(NL); i >= 0 && i < last; i = chunk.indexOf(NL, i + 1)) {
    out.set(chunk.subarray(from, i + 1), o)
    o += i + 1 - from
    out.set(prefix, o)
    o += prefix.length
    from = i + 1
  }
  out.set(chunk.subarray(from), o)
  return out
}

/** A whole buffer's chunks with every line prefixed (`writeBuffer` without the writing). @internal */
export const prefixedChunks = (
  prefix: Uint8Array | undefined,
  chunks: ReadonlyArray<Uint8Array>
): ReadonlyArray<Uint8Array> => {
  if (prefix === undefined) return chunks
  let atLineStart = true
  return chunks.map((chunk) => {
    const out = prefixLines(prefix, chunk, atLineStart)
    if (chunk.length > 0) atLineStart = chunk[chunk.length - 1] === NL
    return out
  })
}

/**
 * Writes a buffer whole, each line prefixed when `prefix` is set. The caller
 * holds the lock.
 *
 * @internal
 */
export const writeBuffer = (
  sink: Sink,
  buffer: SpillBuffer,
  prefix: Uint8Array | undefined
): Effect.Effect<void, OutputClosedError> => {
  if (prefix === undefined) return buffer.forEachChunk(sink.write)
  return Effect.suspend(() => {
    let atLineStart = true
    return buffer.forEachChunk((chunk) => {
      const out = prefixLines(prefix, chunk, atLineStart)
      atLineStart = chunk[chunk.length - 1] === NL
      return sink.write(out)
    })
  })
}

/**
 * One stream of one job in `line` mode: whole lines go out as they come, the
 * unfinished last line waits (spilling like everything else, so a 4 GB line
 * does not live in memory) until its newline or the job's end.
 *
 * @internal
 */
export class LineWriter {
  private readonly partial: SpillBuffer

  constructor(
    private readonly sink: Sink,
    private readonly lock: Lock,
    private readonly prefix: Uint8Array | undefined,
    quota: Quota,
    tmpdir: string
  ) {
    this.partial = new SpillBuffer(quota, tmpdir)
  }

  push(chunk: Uint8Array): Effect.Effect<void, OutputClosedError> {
    const nl = chunk.lastIndexOf(NL)
    if (nl < 0) return this.partial.append(chunk)
    const lines = chunk.subarray(0, nl + 1)
    const rest = chunk.subarray(nl + 1)
    const write = this.partial.size === 0
      ? this.sink.writeLines(this.lock, this.prefix === undefined ? lines : prefixLines(this.prefix, lines, true))
      : this.lock.with(this.writePartialThen(lines))
    return rest.length === 0 ? write : Effect.zipRight(write, Effect.suspend(() => this.partial.append(rest)))
  }

  /** Writes the unfinished last line, if any (the job ended). */
  flush(): Effect.Effect<void, OutputClosedError> {
    return Effect.suspend(() =>
      this.partial.size === 0 ? Effect.void : this.lock.with(this.writePartialThen(new Uint8Array(0)))
    )
  }

  private writePartialThen(lines: Uint8Array): Effect.Effect<void, OutputClosedError> {
    return Effect.zipRight(
      Effect.ensuring(writeBuffer(this.sink, this.partial, this.prefix), Effect.sync(() => this.partial.reset())),
      this.sink.write(this.prefix === undefined ? lines : prefixLines(this.prefix, lines, false))
    )
  }

  reset(): void {
    this.partial.reset()
  }
}
