/** @internal */
import * as Effect from "effect/Effect"
import type { OutputClosedError } from "../Output.js"
import type { Lock } from "./outputSink.js"
import type { Quota, SpillBuffer } from "./outputSpill.js"

/** A job that ended before its turn: what prints it, and the buffers it owns. */
interface Held {
  readonly print: Effect.Effect<void, OutputClosedError>
  readonly buffers: ReadonlyArray<SpillBuffer>
}

/**
 * A `line`-mode job that is still running: when its turn comes it writes what
 * it buffered and from then on writes its lines as they come.
 *
 * @internal
 */
export interface Waiting {
  readonly goLive: Effect.Effect<void, OutputClosedError>
}

const release = (held: Held) => Effect.sync(() => held.buffers.forEach((buffer) => buffer.reset()))

/**
 * `keepOrder`: jobs print in `seq` order. `next` is the first seq not yet
 * written or skipped; a job that ends earlier is held (its buffers move to a
 * shared memory quota, and past it to their spill files, so the backlog costs
 * descriptors, not memory).
 *
 * @internal
 */
export class Order {
  private next = 1
  private finished = false
  private pumping = false
  private readonly held = new Map<number, Held>()
  private readonly skipped = new Set<number>()
  private readonly waiting = new Map<number, Waiting>()
  /** Runs after a held job has been printed (the batch writes its joblog row then). */
  onPrinted: (seq: number) => Effect.Effect<void> = () => Effect.void

  constructor(private readonly lock: Lock, private readonly backlog: Quota) {}

  /** Whether `seq` ended and its output waits for an earlier job. */
  isHeld(seq: number): boolean {
    return this.held.has(seq)
  }

  /** Whether `seq` may write now. */
  isTurn(seq: number): boolean {
    return this.finished || seq === this.next
  }

  /** A `line`-mode job opened; returns whether it may write at once. */
  register(seq: number, waiting: Waiting): boolean {
    if (this.isTurn(seq)) return true
    this.waiting.set(seq, waiting)
    return false
  }

  unregister(seq: number, waiting: Waiting): void {
    if (this.waiting.get(seq) === waiting) this.waiting.delete(seq)
  }

  /** A job ended before its turn (or at it, in `group` mode): print it when its turn comes. */
  hold(seq: number, held: Held): Effect.Effect<void, OutputClosedError> {
    return Effect.suspend(() => {
      if (this.finished || seq < this.next) return this.print(held)
      this.held.set(seq, held)
      for (const buffer of held.buffers) buffer.moveTo(this.backlog)
      const spill = this.backlog.used > this.backlog.limit
        ? Effect.forEach(held.buffers, (buffer) => buffer.spill(), { discard: true })
        : Effect.void
      return Effect.zipRight(spill, this.pump)
    })
  }

  /** The job whose turn it was has written everything. */
  done(seq: number): Effect.Effect<void, OutputClosedError> {
    return Effect.suspend(() => {
      if (seq === this.next) this.next++
      return this.pump
    })
  }

  skip(seq: number): Effect.Effect<void, OutputClosedError> {
    return Effect.suspend(() => {
      if (this.finished || seq < this.next) return Effect.void
      this.skipped.add(seq)
      return this.pump
    })
  }

  /** Writes everything held, in seq order, without waiting for seqs that never came. */
  readonly finish: Effect.Effect<void, OutputClosedError> = Effect.suspend(() => {
    this.finished = true
    const seqs = [...this.held.keys(), ...this.waiting.keys()].sort((a, b) => a - b)
    this.skipped.clear()
    return Effect.forEach(seqs, (seq) => {
      const held = this.held.get(seq)
      if (held !== undefined) {
        this.held.delete(seq)
        return Effect.zipRight(this.print(held), this.onPrinted(seq))
      }
      const waiting = this.waiting.get(seq)
      if (waiting === undefined) return Effect.void
      this.waiting.delete(seq)
      return waiting.goLive
    }, { discard: true })
  })

  /** Releases every held buffer (the Output's scope closed). */
  releaseAll(): void {
    for (const held of this.held.values()) held.buffers.forEach((buffer) => buffer.reset())
    this.held.clear()
  }

  private print(held: Held): Effect.Effect<void, OutputClosedError> {
    return Effect.ensuring(this.lock.with(held.print), release(held))
  }

  /**
   * Prints whatever can go now. One fiber pumps at a time; a fiber that finds
   * the pump busy leaves its change for it, and the pump's last check and its
   * stop happen in one synchronous step, so no change is missed.
   */
  private readonly pump: Effect.Effect<void, OutputClosedError> = Effect.suspend(() => {
    if (this.pumping) return Effect.void
    this.pumping = true
    return Effect.onExit(this.step, (exit) => Effect.sync(() => exit._tag === "Failure" && (this.pumping = false)))
  })

  private readonly step: Effect.Effect<void, OutputClosedError> = Effect.suspend(() => {
    const seq = this.next
    if (this.skipped.delete(seq)) {
      this.next++
      return this.step
    }
    const held = this.held.get(seq)
    if (held !== undefined) {
      this.held.delete(seq)
      return Effect.zipRight(
        Effect.zipRight(this.print(held), this.onPrinted(seq)),
        Effect.suspend(() => {
          if (seq === this.next) this.next++
          return this.step
        })
      )
    }
    const waiting = this.waiting.get(seq)
    this.pumping = false
    if (waiting === undefined) return Effect.void
    this.waiting.delete(seq)
    return waiting.goLive
  })
}
