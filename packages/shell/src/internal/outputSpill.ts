/** @internal */
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as path from "node:path"

/** Bytes read back from a spill file per write to our stream. */
const READ_CHUNK = 128 * 1024

/**
 * How many bytes some buffers may keep in memory together (one job's stdout
 * and stderr share one; held `keepOrder` jobs share another).
 *
 * @internal
 */
export class Quota {
  used = 0
  constructor(readonly limit: number) {}
}

const fsDie = (error: NodeJS.ErrnoException, what: string) =>
  Effect.die(new Error(`cannot ${what} spill file: ${error.message}`, { cause: error }))

/**
 * A descriptor with a count of operations in flight: closing waits for them, so
 * a write still queued in libuv can never land in a file that reused the number.
 */
class Descriptor {
  private inflight = 0
  private closing = false
  constructor(readonly fd: number) {}

  private done(): void {
    this.inflight--
    if (this.closing && this.inflight === 0) this.closeNow()
  }

  private closeNow(): void {
    try {
      fs.closeSync(this.fd)
    } catch {
      // The descriptor is ours alone; a failing close loses nothing.
    }
  }

  close(): void {
    this.closing = true
    if (this.inflight === 0) this.closeNow()
  }

  writeAt(data: Uint8Array, position: number): Effect.Effect<void> {
    return Effect.async<void>((resume) => {
      const loop = (offset: number): void => {
        this.inflight++
        fs.write(this.fd, data, offset, data.length - offset, position + offset, (error, written) => {
          this.done()
          if (error) return resume(fsDie(error, "write"))
          if (offset + written < data.length) return loop(offset + written)
          resume(Effect.void)
        })
      }
      loop(0)
    })
  }

  readAt(length: number, position: number): Effect.Effect<Uint8Array> {
    return Effect.async<Uint8Array>((resume) => {
      // A fresh buffer per read: our stream may still hold the previous one in its queue.
      const buffer = Buffer.allocUnsafe(length)
      this.inflight++
      fs.read(this.fd, buffer, 0, length, position, (error, n) => {
        this.done()
        if (error) return resume(fsDie(error, "read"))
        if (n === 0) return resume(Effect.die(new Error("spill file ended early")))
        resume(Effect.succeed(buffer.subarray(0, n)))
      })
    })
  }
}

/**
 * Opens a temp file and unlinks it at once: the descriptor keeps the data, and
 * nothing is left on disk however the process ends (even `kill -9`). The file
 * is created exclusively, so a name taken by someone else is only tried again:
 * it needs no unguessable name, and node:crypto cost 4–5 ms of every start-up.
 */
const openUnlinked = (dir: string): number => {
  for (let tries = 1;; tries++) {
    const file = path.join(dir, `fanout-spill-${process.pid}-${Math.random().toString(36).slice(2, 12)}`)
    let fd: number
    try {
      fd = fs.openSync(file, "wx+", 0o600)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST" && tries < 100) continue
      throw error
    }
    fs.unlinkSync(file)
    return fd
  }
}

/**
 * The bytes of one stream of one job: in memory while the quota allows, then
 * everything in an unlinked temp file, read back in chunks.
 *
 * Appends are positioned writes, so two appends in flight cannot reorder bytes;
 * reading assumes the appends it should see have completed.
 *
 * @internal
 */
export class SpillBuffer {
  private chunks: Array<Uint8Array> = []
  private file: Descriptor | undefined = undefined
  /** Total bytes appended (in memory or in the file). */
  size = 0
  /** Bytes of this buffer that count against `quota`. */
  private inMemory = 0

  constructor(private quota: Quota, private readonly tmpdir: string) {}

  /** Appends in memory if the quota has room and nothing was spilled yet; false (and nothing done) otherwise. */
  tryAppend(chunk: Uint8Array): boolean {
    const length = chunk.length
    if (length === 0) return true
    if (this.file !== undefined || this.quota.used + length > this.quota.limit) return false
    this.chunks.push(chunk)
    this.inMemory += length
    this.quota.used += length
    this.size += length
    return true
  }

  append(chunk: Uint8Array): Effect.Effect<void> {
    const length = chunk.length
    if (this.tryAppend(chunk)) return Effect.void
    if (this.file === undefined) {
      const flush = this.moveToFile()
      const file = this.file as Descriptor | undefined
      if (file === undefined) return flush
      const position = this.size
      this.size += length
      return Effect.zipRight(flush, file.writeAt(chunk, position))
    }
    const position = this.size
    this.size += length
    return this.file.writeAt(chunk, position)
  }

  /** Every byte, when all are in memory; undefined once the buffer has spilled to its file. */
  get inMemoryChunks(): ReadonlyArray<Uint8Array> | undefined {
    return this.file === undefined ? this.chunks : undefined
  }

  /** Moves what is in memory to a file and gives the memory back to the quota. */
  spill(): Effect.Effect<void> {
    return this.file !== undefined || this.size === 0 ? Effect.void : this.moveToFile()
  }

  private moveToFile(): Effect.Effect<void> {
    let file: Descriptor
    try {
      file = new Descriptor(openUnlinked(this.tmpdir))
    } catch (error) {
      return fsDie(error as NodeJS.ErrnoException, "create")
    }
    this.file = file
    const chunks = this.chunks
    this.chunks = []
    this.quota.used -= this.inMemory
    this.inMemory = 0
    let position = 0
    return Effect.forEach(chunks, (chunk) => {
      const at = position
      position += chunk.length
      return file.writeAt(chunk, at)
    }, { discard: true })
  }

  /** Moves the memory this buffer holds to another quota (a job handed to the keep-order backlog). */
  moveTo(quota: Quota): void {
    this.quota.used -= this.inMemory
    quota.used += this.inMemory
    this.quota = quota
  }

  /** Every byte, in order, in chunks of at most 128 KiB. */
  forEachChunk<E, R>(f: (chunk: Uint8Array) => Effect.Effect<void, E, R>): Effect.Effect<void, E, R> {
    return Effect.suspend(() => {
      const file = this.file
      if (file === undefined) return Effect.forEach(this.chunks, f, { discard: true })
      const end = this.size
      const loop = (position: number): Effect.Effect<void, E, R> =>
        position >= end ? Effect.void : Effect.flatMap(
          file.readAt(Math.min(READ_CHUNK, end - position), position),
          (chunk) => Effect.zipRight(f(chunk), Effect.suspend(() => loop(position + chunk.length)))
        )
      return loop(0)
    })
  }

  /** Every byte in one buffer (for JSON records, which must embed the whole output). */
  readAll(): Effect.Effect<Uint8Array> {
    return Effect.suspend(() => {
      const out = Buffer.allocUnsafe(this.size)
      let at = 0
      return Effect.as(
        this.forEachChunk((chunk) =>
          Effect.sync(() => {
            out.set(chunk, at)
            at += chunk.length
          })
        ),
        out
      )
    })
  }

  /** Drops everything and closes the file; the buffer can be used again. */
  reset(): void {
    this.file?.close()
    this.file = undefined
    this.chunks = []
    this.quota.used -= this.inMemory
    this.inMemory = 0
    this.size = 0
  }
}
