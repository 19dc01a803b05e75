import * as Effect from "effect/Effect"
import { PoolClosedError } from "./errors.js"
import type { HeapItem } from "./heap.js"
import { Heap } from "./heap.js"

/**
 * A caller waiting in a line. It parks with `park`; whoever takes it out of the
 * line with `wakeFirst` or `refuseAll` decides its `signal` and, if it is
 * already suspended, resumes it (a plain callback: a Deferred per caller costs
 * more).
 *
 * @internal
 */
export class Waiter implements HeapItem {
  heapIndex = -1
  seq = 0
  signal: "waiting" | "go" | "refused" = "waiting"
  resume: ((effect: Effect.Effect<void, PoolClosedError>) => void) | undefined = undefined
  constructor(readonly priority: number) {}
}

const before = (a: Waiter, b: Waiter) => a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq)

const refused = () => Effect.fail(new PoolClosedError())

/**
 * A line of waiters, highest priority first and first come first served among
 * equals. The pool has two, with the same wake-up protocol: tasks waiting for a
 * permit, and callers waiting for room in a full queue.
 *
 * @internal
 */
export class WaitingLine<W extends Waiter> {
  private readonly heap = new Heap<W>(before)
  private seq = 0

  get size(): number {
    return this.heap.size
  }

  add(waiter: W): void {
    waiter.seq = this.seq++
    this.heap.push(waiter)
  }

  /** Takes `waiter` out of the line (its caller gave up); `false` if it had already left it. */
  leave(waiter: W): boolean {
    return this.heap.remove(waiter)
  }

  /** Takes the first waiter out of the line and lets it go; `prepare` runs before it is resumed. */
  wakeFirst(prepare?: (waiter: W) => void): W | undefined {
    const waiter = this.heap.pop()
    if (waiter === undefined) return undefined
    waiter.signal = "go"
    prepare?.(waiter)
    waiter.resume?.(Effect.void)
    return waiter
  }

  /** Empties the line; every waiter fails with `PoolClosedError`. */
  refuseAll(): void {
    for (const waiter of this.heap.clear()) {
      waiter.signal = "refused"
      waiter.resume?.(refused())
    }
  }

  /** Suspends the caller until its waiter is let go or refused (at once if that already happened). */
  park(waiter: W): Effect.Effect<void, PoolClosedError> {
    return Effect.async<void, PoolClosedError>((resume) => {
      if (waiter.signal === "go") return resume(Effect.void)
      if (waiter.signal === "refused") return resume(refused())
      waiter.resume = resume
    })
  }
}
