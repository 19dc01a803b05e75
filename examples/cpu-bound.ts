/**
 * The problem fanout comes from, done on real threads:
 * `apply_in_parallel(fun, args, max_threads)` with a CPU-bound `fun`.
 * The same calls run once on the main thread, one after another, and once on
 * a ThreadPool through applyInParallel; the speed-up is measured, not assumed.
 *
 *   npx tsx examples/cpu-bound.ts
 */
import { applyInParallel } from "@fanout/pool"
import { ThreadPool } from "@fanout/threads"
import { Clock, Effect } from "effect"
import * as os from "node:os"
import type * as Work from "./cpu-work.ts"
import { fib } from "./cpu-work.ts"

const maxThreads = Math.min(4, os.availableParallelism())
const args = Array.from({ length: maxThreads * 4 }, () => 32)

/** `fun` over `args`, at most `maxThreads` at once, results in input order. */
const applyInParallelOnThreads = (pool: ThreadPool.ThreadPool<typeof Work>, values: ReadonlyArray<number>) =>
  applyInParallel(values, (n) => pool.run("fib", n), { concurrency: maxThreads })

const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    const value = yield* effect
    return [value, (yield* Clock.currentTimeMillis) - start] as const
  })

const program = Effect.scoped(Effect.gen(function*() {
  const pool = yield* ThreadPool.make<typeof Work>({
    module: new URL("./cpu-work.ts", import.meta.url),
    size: maxThreads
  })
  yield* applyInParallelOnThreads(pool, [20, 20]) // warm the threads' JIT, as the main thread's is below
  fib(20)
  const [serial, serialMs] = yield* timed(Effect.sync(() => args.map(fib)))
  const [parallel, parallelMs] = yield* timed(applyInParallelOnThreads(pool, args))
  const same = serial.every((value, i) => value === parallel[i])
  console.log(`${args.length} x fib(32) on ${maxThreads} threads: results ${same ? "identical" : "DIFFERENT"}`)
  console.log(`one after another: ${serialMs} ms; on threads: ${parallelMs} ms`)
  console.log(`speed-up: ${(serialMs / parallelMs).toFixed(2)}x with ${maxThreads} threads`)
  console.log(`threads alive after the batch: ${(yield* pool.stats).threads}`)
}))

Effect.runPromise(program)
