import * as Effect from "effect/Effect"
import type * as Mailbox from "effect/Mailbox"
import type { Done } from "./source.js"

/**
 * Puts the results of `applyInParallel.stream` back in input order. A result
 * that finishes early waits here until those before it are out; one emitter at
 * a time moves the finished prefix to `out`, so order holds even while it is
 * suspended on a full mailbox. Items are pulled only while the next one is less
 * than `size` ahead of the oldest result not yet out, so one slow item keeps
 * memory bounded.
 *
 * @internal
 */
export class ReorderWindow<B> {
  private readonly finished = new Map<number, B>()
  private readonly waiting: Array<() => void> = []
  private nextOut = 0
  private pulled = 0
  private emitting = false

  constructor(private readonly size: number, private readonly out: Pick<Mailbox.Mailbox<B>, "offerAll">) {}

  /** `pull`, once the window has room for one more item. */
  gate<A, E>(pull: Effect.Effect<A | Done, E>): Effect.Effect<A | Done, E> {
    return Effect.zipRight(this.room, Effect.tap(pull, () => void this.pulled++))
  }

  /** Leaves the result of item `index`, and moves out the results now in order. */
  finish(index: number, result: B): Effect.Effect<void> {
    this.finished.set(index, result)
    return this.emit
  }

  private readonly emit: Effect.Effect<void> = Effect.suspend(() => {
    if (this.emitting || !this.finished.has(this.nextOut)) return Effect.void
    const batch: Array<B> = []
    while (this.finished.has(this.nextOut)) {
      batch.push(this.finished.get(this.nextOut)!)
      this.finished.delete(this.nextOut++)
    }
    for (const wake of this.waiting.splice(0)) wake()
    this.emitting = true
    const offered = Effect.ensuring(this.out.offerAll(batch), Effect.sync(() => this.emitting = false))
    return Effect.zipRight(offered, this.emit)
  })

  private readonly room: Effect.Effect<void> = Effect.suspend(() => {
    if (this.pulled - this.nextOut < this.size) return Effect.void
    const wait = Effect.async<void>((resume) => {
      const wake = () => resume(Effect.void)
      this.waiting.push(wake)
      return Effect.sync(() => {
        const at = this.waiting.indexOf(wake)
        if (at >= 0) this.waiting.splice(at, 1)
      })
    })
    return Effect.zipRight(wait, this.room)
  })
}
