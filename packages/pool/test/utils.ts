import * as Effect from "effect/Effect"

/** Tracks how many calls run at once and the highest that count reached. */
export const gauge = () => {
  const state = { current: 0, peak: 0 }
  const around = <A, E, R>(self: Effect.Effect<A, E, R>) =>
    Effect.acquireUseRelease(
      Effect.sync(() => {
        state.current++
        state.peak = Math.max(state.peak, state.current)
      }),
      () => self,
      () => Effect.sync(() => state.current--)
    )
  return { state, around }
}
