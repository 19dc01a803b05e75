/** @internal */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

/**
 * GNU parallel's `--delay`: job starts at least `delay` apart, first come first
 * served. Time is the `Clock`'s, so `TestClock` drives it.
 *
 * @internal
 */
export const makeDelayGate = (delay: Duration.DurationInput | undefined): Effect.Effect<Effect.Effect<void>> => {
  const ms = delay === undefined ? 0 : Duration.toMillis(Duration.decode(delay))
  if (ms <= 0) return Effect.succeed(Effect.void)
  return Effect.map(Effect.makeSemaphore(1), (gate) => {
    let last: number | undefined
    return gate.withPermits(1)(Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const wait = last === undefined ? 0 : last + ms - now
      const turn = wait > 0 ? Effect.sleep(wait) : Effect.void
      return Effect.zipRight(turn, Effect.map(Clock.currentTimeMillis, (started) => void (last = started)))
    }))
  })
}
