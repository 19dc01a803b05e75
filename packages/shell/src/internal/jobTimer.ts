/** @internal */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import type { Timeout } from "../Batch.js"

/** Completes when a job that started at `start` (the `Clock`'s milliseconds) has run too long, with its limit. */
export type JobTimer = (start: number) => Effect.Effect<Duration.Duration>

const window = 999

/**
 * A timeout of N% of the median runtime of successful jobs (GNU parallel's
 * `--timeout N%`), over the last 999 of them. Until a job has succeeded there
 * is no limit. Running jobs see the limit change as jobs finish.
 *
 * @internal
 */
export class PercentTimeout {
  private readonly runtimes: Array<number> = []
  private next = 0
  private limit: number | undefined = undefined
  private changed = Deferred.unsafeMake<void>(FiberId.none)

  constructor(private readonly percent: number) {}

  succeeded(runtime: number): void {
    if (this.runtimes.length < window) this.runtimes.push(runtime)
    else this.runtimes[this.next] = runtime
    this.next = (this.next + 1) % window
    const sorted = [...this.runtimes].sort((a, b) => a - b)
    this.limit = sorted[(sorted.length - 1) >> 1] * this.percent / 100
    const changed = this.changed
    this.changed = Deferred.unsafeMake<void>(FiberId.none)
    Deferred.unsafeDone(changed, Effect.void)
  }

  readonly timer: JobTimer = (start) =>
    Effect.suspend(() => {
      const changed = Deferred.await(this.changed)
      const limit = this.limit
      if (limit === undefined) return Effect.zipRight(changed, this.timer(start))
      return Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const left = start + limit - now
        if (left <= 0) return Effect.succeed(Duration.millis(limit))
        return Effect.zipRight(Effect.race(Effect.sleep(left), changed), this.timer(start))
      })
    })
}

/**
 * The batch's timer: none, a fixed limit, or a percentage of the median
 * runtime (then `percent` is told each success).
 *
 * @internal
 */
export const makeJobTimer = (
  timeout: Timeout | undefined
): { readonly timer: JobTimer | undefined; readonly percent: PercentTimeout | undefined } => {
  if (timeout === undefined) return { timer: undefined, percent: undefined }
  if (typeof timeout === "object" && timeout !== null && "percent" in timeout) {
    const percent = new PercentTimeout(timeout.percent)
    return { timer: percent.timer, percent }
  }
  const after = Duration.decode(timeout)
  return { timer: () => Effect.as(Effect.sleep(after), after), percent: undefined }
}
