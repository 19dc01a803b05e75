/**
 * The problem's first example: apply a function to range(10), four at a time,
 * and get the results back in input order, whatever order they finish in.
 *
 *   npx tsx examples/apply-range.ts
 */
import { applyInParallel } from "@fanout/pool"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

// Later items finish first: item i sleeps (10 - i) * 10 ms.
const square = (n: number) =>
  Effect.sleep(`${(10 - n) * 10} millis`).pipe(
    Effect.zipRight(Console.log(`finished ${n}`)),
    Effect.as(n * n)
  )

const program = Effect.gen(function*() {
  const squares = yield* applyInParallel(range(10), square, { concurrency: 4 })
  yield* Console.log(`results, in input order: ${squares.join(" ")}`)
})

Effect.runPromise(program)
