// Effect.forEach with a concurrency bound: what an Effect user writes without fanout.
import * as Effect from "effect/Effect"
import { effectTask, indices, main } from "./common.js"

main(({ concurrency, n, task }) => {
  const items = indices(n)
  return Effect.runPromise(Effect.forEach(items, effectTask(task), { concurrency }))
})
