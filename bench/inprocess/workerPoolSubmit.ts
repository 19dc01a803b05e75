// WorkerPool.submit from many callers: a fixed set of caller fibers (4 per slot, at least 64)
// each submitting its share and waiting for the result, as services sharing one pool would.
import { WorkerPool } from "@fanout/pool"
import * as Effect from "effect/Effect"
import { effectTask, indices, main } from "./common.js"

main(({ concurrency, n, task }) => {
  const items = indices(n)
  const f = effectTask(task)
  const callers = Math.max(64, 4 * concurrency)
  return Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const pool = yield* WorkerPool.make({ concurrency })
    return yield* Effect.forEach(items, (i) => pool.submit(f(i)), { concurrency: callers })
  })))
})
