/**
 * Bytes read but not yet handed on, kept as the slices they arrived in: a
 * block cut from them is a list of slices of the same buffers, never a copy.
 * Searches see the slices as one run of bytes, matches across a seam included.
 *
 * @internal
 */

/** @internal */
export class ByteQueue {
  private chunks: Array<Buffer> = []
  /** Chunks pushed and since taken off whole, for whoever lends the buffers (`takeReleased`). */
  private released: Array<Buffer> = []
  length = 0

  /** The chunks taken off whole since the last call. */
  takeReleased(): Array<Buffer> {
    const released = this.released
    this.released = []
    return released
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return
    this.chunks.push(chunk)
    this.length += chunk.length
  }

  /** Takes the first `n` bytes off, as slices of the buffers they are in. */
  take(n: number): Array<Buffer> {
    const taken: Array<Buffer> = []
    let left = n
    while (left > 0) {
      const chunk = this.chunks[0]
      if (chunk.length <= left) {
        taken.push(chunk)
        this.released.push(chunk)
        this.chunks.shift()
        left -= chunk.length
      } else {
        taken.push(chunk.subarray(0, left))
        this.chunks[0] = chunk.subarray(left)
        left = 0
      }
    }
    this.length -= n
    return taken
  }

  /** The first `end` bytes as one buffer: a copy only when they span several slices. */
  head(end: number): Buffer {
    const first = this.chunks[0]
    if (first !== undefined && first.length >= end) return first.subarray(0, end)
    const all = Buffer.concat(this.chunks, Math.min(this.length, Math.max(end, 0)))
    return all.subarray(0, end)
  }

  /** The first match of `needle` starting at or after `from` and ending by `end`, or -1. */
  indexOf(needle: Buffer, from: number, end: number): number {
    let offset = 0
    for (let k = 0; k < this.chunks.length && offset < end; k++) {
      const chunk = this.chunks[k]
      const stop = Math.min(chunk.length, end - offset)
      if (from < offset + stop) {
        const at = chunk.subarray(0, stop).indexOf(needle, Math.max(from - offset, 0))
        if (at !== -1) return offset + at
      }
      const seam = this.seamMatch(needle, k, offset + chunk.length, from, end, "first")
      if (seam !== -1) return seam
      offset += chunk.length
    }
    return -1
  }

  /** The last match of `needle` lying wholly within the first `end` bytes, or -1. */
  lastIndexOf(needle: Buffer, end: number): number {
    const starts: Array<number> = []
    let offset = 0
    for (const chunk of this.chunks) {
      if (offset >= end) break
      starts.push(offset)
      offset += chunk.length
    }
    for (let k = starts.length - 1; k >= 0; k--) {
      const seam = this.seamMatch(needle, k, starts[k] + this.chunks[k].length, 0, end, "last")
      if (seam !== -1) return seam
      const view = this.chunks[k].subarray(0, Math.min(this.chunks[k].length, end - starts[k]))
      const at = needle.length <= view.length ? view.lastIndexOf(needle) : -1
      if (at !== -1) return starts[k] + at
    }
    return -1
  }

  /** Counts `byte` in the first `end` bytes. */
  count(byte: number, end: number): number {
    let n = 0
    let offset = 0
    for (const chunk of this.chunks) {
      if (offset >= end) break
      const view = chunk.subarray(0, Math.min(chunk.length, end - offset))
      for (let at = view.indexOf(byte); at !== -1; at = view.indexOf(byte, at + 1)) n++
      offset += chunk.length
    }
    return n
  }

  /**
   * A match of a needle of several bytes that starts in chunk `k` and ends in a
   * later one (the seam at `seamAt`), within [from, end).
   */
  private seamMatch(
    needle: Buffer,
    k: number,
    seamAt: number,
    from: number,
    end: number,
    which: "first" | "last"
  ): number {
    if (needle.length < 2 || k + 1 >= this.chunks.length) return -1
    const reach = needle.length - 1
    const start = Math.max(seamAt - reach, from, 0)
    const stop = Math.min(seamAt + reach, end)
    if (stop - start < needle.length) return -1
    const window = this.slice(start, stop)
    let at = which === "first" ? window.indexOf(needle) : window.lastIndexOf(needle)
    // only matches that cross the seam: the others are found inside a chunk
    while (at !== -1 && (start + at >= seamAt || start + at + needle.length <= seamAt)) {
      at = which === "first" ? window.indexOf(needle, at + 1) : at === 0 ? -1 : window.lastIndexOf(needle, at - 1)
    }
    return at === -1 ? -1 : start + at
  }

  /** A copy of bytes [start, stop); only used for the few bytes around a seam. */
  private slice(start: number, stop: number): Buffer {
    const parts: Array<Buffer> = []
    let offset = 0
    for (const chunk of this.chunks) {
      const lo = Math.max(start - offset, 0)
      const hi = Math.min(stop - offset, chunk.length)
      if (lo < hi) parts.push(chunk.subarray(lo, hi))
      offset += chunk.length
      if (offset >= stop) break
    }
    return Buffer.concat(parts)
  }
}
