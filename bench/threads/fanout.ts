// fanout's ThreadPool: tasks through applyInParallel-style lanes of pool.run; also the interrupt and close probes.
import { applyInParallel } from "@fanout/pool"
import { ThreadPool } from "@fanout/threads"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Scope from "effect/Scope"
import { main, type Params, taskInput, workFile } from "./common.js"

const indices = (n: number) => Array.from({ length: n }, (_, i) => i)

type Work = {
  add: (task: { a: number; b: number }) => number
  fib: (n: number) => number
  loop: () => never
}

/** The slowest of 20 tries, in ms: interrupting a call stuck in a loop, or closing a pool whose threads all are. */
const probe = async (params: Params, scope: Scope.CloseableScope, pool: ThreadPool.ThreadPool<Work>) => {
  const tries = 20
  let worst = 0
  for (let i = 0; i < tries; i++) {
    if (params.task === "interrupt") {
      const fiber = Effect.runFork(pool.run("loop"))
      await new Promise((resolve) => setTimeout(resolve, 20))
      const began = performance.now()
      await Effect.runPromise(Fiber.interrupt(fiber))
      worst = Math.max(worst, performance.now() - began)
    } else {
      const own = Effect.runSync(Scope.make())
      const busy = await Effect.runPromise(
        Scope.extend(ThreadPool.make<Work>({ module: workFile, size: params.size }), own)
      )
      for (let k = 0; k < params.size; k++) Effect.runFork(busy.run("loop"))
      await new Promise((resolve) => setTimeout(resolve, 20))
      const began = performance.now()
      await Effect.runPromise(Scope.close(own, Exit.void))
      worst = Math.max(worst, performance.now() - began)
      if ((await Effect.runPromise(busy.stats)).threads !== 0) throw new Error("a thread outlived its pool")
    }
  }
  await Effect.runPromise(Scope.close(scope, Exit.void))
  return worst
}

main(async (params) => {
  const scope = Effect.runSync(Scope.make())
  const pool = await Effect.runPromise(
    Scope.extend(ThreadPool.make<Work>({ module: workFile, size: params.size }), scope)
  )
  const call = (i: number) => {
    const input = taskInput(params, i)
    return "fib" in input ? pool.run("fib", input.fib) : pool.run("add", input)
  }
  // As a program would: one Effect, applyInParallel keeping `inFlight` calls going.
  const batch = (n: number, inFlight: number) =>
    Effect.runPromise(Effect.map(applyInParallel(indices(n), call, { concurrency: inFlight }), (all) => all.length))
  let probed: number | undefined
  return {
    run: async (n, inFlight) => {
      if (params.task !== "interrupt" && params.task !== "close") return batch(n, inFlight)
      if (n === params.size) return n // the warm-up
      probed = await probe(params, scope, pool)
      return n
    },
    measured: () => probed,
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
})
