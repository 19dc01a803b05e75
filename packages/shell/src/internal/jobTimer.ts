/** @internal */
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"

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

  timer = (start: number): Effect.Effect<Duration.Duration> =>
    Effect.suspend(() => {
      const changed = Deferred.await(this.changed)
      if (this.limit === undefined) return Effect.zipRight(changed, this.timer(start))
      const left = start + this.limit - Date.now()
      if (left <= 0) return Effect.succeed(Duration.millis(this.limit))
      return Effect.zipRight(Effect.race(Effect.sleep(left), changed), this.timer(start))
    })
}
