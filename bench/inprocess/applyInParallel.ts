// applyInParallel over an array: results collected in input order.
import { applyInParallel } from "@fanout/pool"
import * as Effect from "effect/Effect"
import { effectTask, indices, main } from "./common.js"

main(({ concurrency, n, task }) => {
  const items = indices(n)
  return Effect.runPromise(applyInParallel(items, effectTask(task), { concurrency }))
})
