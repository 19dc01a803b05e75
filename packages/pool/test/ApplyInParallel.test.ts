import { describe, expect, it } from "@effect/vitest"
import { Cause, Chunk, Effect, Exit, Fiber, Option, Stream, TestClock } from "effect"
import { applyInParallel } from "../src/index.js"

/** Tracks how many calls run at once and the highest that count reached. */
const gauge = () => {
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

describe("applyInParallel", () => {
  it.effect("returns results in input order even when they complete out of order", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(
        applyInParallel([30, 10, 20], (ms, i) => Effect.as(Effect.sleep(ms), `${i}:${ms}`), { concurrency: 3 })
      )
      yield* TestClock.adjust(30)
      expect(yield* Fiber.join(fiber)).toEqual(["0:30", "1:10", "2:20"])
    }))

  it.effect("runs at most `concurrency` calls at once, and reaches that limit", () =>
    Effect.gen(function*() {
      const { around, state } = gauge()
      const fiber = yield* Effect.fork(
        applyInParallel(Array.from({ length: 20 }, (_, i) => i), (i) => around(Effect.sleep(10 + (i % 3))), {
          concurrency: 4
        })
      )
      yield* TestClock.adjust(1000)
      yield* Fiber.join(fiber)
      expect(state.peak).toBe(4)
      expect(state.current).toBe(0)
    }))

  it.effect("pulls an infinite generator lazily: read-ahead stays within the worker count", () =>
    Effect.gen(function*() {
      let pulled = 0
      function* naturals() {
        for (let n = 0;; n++) {
          pulled++
          yield n
        }
      }
      const fiber = yield* Effect.fork(applyInParallel(naturals(), () => Effect.never, { concurrency: 3 }))
      yield* TestClock.adjust(10)
      expect(pulled).toBe(3)
      yield* Fiber.interrupt(fiber)
    }))

  it.effect("fail-fast: interrupts and awaits the running calls, starts no new one, fails with the first error", () =>
    Effect.gen(function*() {
      const started: Array<number> = []
      const cleaned: Array<number> = []
      function* items() {
        for (let n = 0;; n++) yield n
      }
      const fiber = yield* Effect.fork(
        applyInParallel(items(), (n) =>
          Effect.gen(function*() {
            started.push(n)
            if (n === 2) {
              yield* Effect.sleep(5)
              return yield* Effect.fail(`boom ${n}`)
            }
            yield* Effect.sleep(100)
          }).pipe(
            // the finalizer itself takes time: the failure must wait for it
            Effect.onInterrupt(() => Effect.zipRight(Effect.sleep(50), Effect.sync(() => cleaned.push(n))))
          ), { concurrency: 3 })
      )
      yield* TestClock.adjust(5)
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust(50)
      const exit = yield* Fiber.await(fiber)
      expect(Exit.isFailure(exit) && Cause.failureOption(exit.cause)).toEqual(Option.some("boom 2"))
      expect(started).toEqual([0, 1, 2])
      expect(cleaned.sort()).toEqual([0, 1])
    }))

  it.effect("settle: never fails because of f and returns an Exit per item", () =>
    Effect.gen(function*() {
      const exits = yield* applyInParallel([1, 2, 3, 4], (n) => n % 2 === 0 ? Effect.fail(n) : Effect.succeed(n * 10), {
        concurrency: 2,
        mode: "settle"
      })
      expect(exits).toEqual([Exit.succeed(10), Exit.fail(2), Exit.succeed(30), Exit.fail(4)])
    }))

  it.effect("reads an AsyncIterable lazily", () =>
    Effect.gen(function*() {
      let pulled = 0
      async function* source() {
        for (let n = 0; n < 10; n++) {
          pulled++
          yield n
        }
      }
      const out = yield* applyInParallel(source(), (n, i) => Effect.succeed(n + i), { concurrency: 4 })
      expect(out).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18])
      expect(pulled).toBe(10)
    }))

  it.effect("reads a Stream, and fails with the stream's own error", () =>
    Effect.gen(function*() {
      const ok = yield* applyInParallel(Stream.range(1, 5), (n) => Effect.succeed(n * 2), { concurrency: 2 })
      expect(ok).toEqual([2, 4, 6, 8, 10])
      const failing = Stream.concat(Stream.make(1, 2), Stream.fail("source broke"))
      const exit = yield* Effect.exit(applyInParallel(failing, (n) => Effect.succeed(n), { concurrency: 2 }))
      expect(exit).toEqual(Exit.fail("source broke"))
    }))

  it.effect("handles an empty input and more workers than items", () =>
    Effect.gen(function*() {
      expect(yield* applyInParallel([], () => Effect.succeed(1), { concurrency: 8 })).toEqual([])
      expect(yield* applyInParallel(["a"], (s) => Effect.succeed(s), { concurrency: 100 })).toEqual(["a"])
    }))

  it.effect("rejects a concurrency that is not a whole number >= 1", () =>
    Effect.gen(function*() {
      for (const concurrency of [0, -1, 1.5, Number.NaN]) {
        const exit = yield* Effect.exit(applyInParallel([1], Effect.succeed, { concurrency }))
        expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
      }
    }))

  it.effect("stream form: results in input order, or as they complete", () =>
    Effect.gen(function*() {
      const f = (ms: number) => Effect.as(Effect.sleep(ms), ms)
      const ordered = yield* Effect.fork(
        Stream.runCollect(applyInParallel.stream([30, 10, 20], f, { concurrency: 3 }))
      )
      const unordered = yield* Effect.fork(
        Stream.runCollect(applyInParallel.stream([30, 10, 20], f, { concurrency: 3, ordered: false }))
      )
      yield* TestClock.adjust(30)
      expect(Chunk.toArray(yield* Fiber.join(ordered))).toEqual([30, 10, 20])
      expect(Chunk.toArray(yield* Fiber.join(unordered))).toEqual([10, 20, 30])
    }))

  it.effect("stream form: a failure ends the stream after interrupting the running calls", () =>
    Effect.gen(function*() {
      const cleaned: Array<number> = []
      const fiber = yield* Effect.fork(Effect.exit(Stream.runCollect(applyInParallel.stream(
        [1, 2, 3],
        (n) =>
          n === 2
            ? Effect.zipRight(Effect.sleep(5), Effect.fail("two"))
            : Effect.onInterrupt(Effect.sleep(100), () => Effect.sync(() => cleaned.push(n))),
        { concurrency: 3 }
      ))))
      yield* TestClock.adjust(5)
      expect(yield* Fiber.join(fiber)).toEqual(Exit.fail("two"))
      expect(cleaned.sort()).toEqual([1, 3])
    }))
})
