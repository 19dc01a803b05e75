// applyInParallel.stream over a lazy generator, drained: nothing in the process grows with n,
// so peak RSS at 10^6 items should match the figure at 10^5.
import { applyInParallel } from "@fanout/pool"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { effectTask, main } from "./common.js"

function* range(n: number) {
  for (let i = 0; i < n; i++) yield i
}

main(({ concurrency, n, task }) =>
  Effect.runPromise(Stream.runDrain(applyInParallel.stream(range(n), effectTask(task), { concurrency })))
)
