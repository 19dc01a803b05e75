// Stream.mapEffect with a concurrency bound, results collected in order.
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { effectTask, indices, main } from "./common.js"

main(({ concurrency, n, task }) => {
  const items = indices(n)
  return Effect.runPromise(
    Stream.fromIterable(items).pipe(Stream.mapEffect(effectTask(task), { concurrency }), Stream.runCollect)
  )
})
