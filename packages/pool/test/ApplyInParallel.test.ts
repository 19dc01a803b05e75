import { describe, expect, it } from "@effect/vitest"
import { Cause, Chunk, Effect, Exit, Fiber, Option, pipe, Stream, TestClock } from "effect"
import { applyInParallel } from "../src/index.js"
import { gauge } from "./utils.js"

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

  it.effect("pulls an infinite AsyncIterable lazily: one item per worker", () =>
    Effect.gen(function*() {
      let pulled = 0
      async function* naturals() {
        for (let n = 0;; n++) {
          pulled++
          yield n
        }
      }
      const fiber = yield* Effect.fork(applyInParallel(naturals(), () => Effect.never, { concurrency: 3 }))
      for (let i = 0; i < 50; i++) yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
      expect(pulled).toBe(3)
      yield* Fiber.interrupt(fiber)
    }))

  it.effect("never calls an async iterator's next() before the previous one settled", () =>
    Effect.gen(function*() {
      let pending = false
      let n = 0
      const strict: AsyncIterable<number> = {
        [Symbol.asyncIterator]: () => ({
          next: async () => {
            if (pending) throw new Error("overlapping next()")
            pending = true
            await new Promise((resolve) => setImmediate(resolve))
            pending = false
            return n < 20 ? { done: false, value: n++ } : { done: true, value: undefined }
          }
        })
      }
      const out = yield* applyInParallel(strict, (x) => Effect.succeed(x * 2), { concurrency: 4 })
      expect(out).toEqual(Array.from({ length: 20 }, (_, i) => i * 2))
    }))

  it.effect("pulls an infinite Stream lazily: at most 2 x concurrency + 1 ahead", () =>
    Effect.gen(function*() {
      let pulled = 0
      const naturals = Stream.repeatEffect(Effect.sync(() => pulled++))
      const fiber = yield* Effect.fork(applyInParallel(naturals, () => Effect.never, { concurrency: 4 }))
      yield* TestClock.adjust(10)
      expect(pulled).toBeGreaterThanOrEqual(4)
      expect(pulled).toBeLessThanOrEqual(2 * 4 + 1)
      yield* Fiber.interrupt(fiber)
    }))

  it.live("interrupting it is not held up by an async iterator whose next() never settles", () =>
    Effect.gen(function*() {
      // an async generator queues return() behind the pending next(): awaiting it would hang
      async function* stuck() {
        yield* []
        yield await new Promise<number>(() => {})
      }
      const fiber = yield* Effect.fork(applyInParallel(stuck(), Effect.succeed, { concurrency: 2 }))
      yield* Effect.sleep(10)
      const exit = yield* Fiber.interrupt(fiber).pipe(Effect.timeout("2 seconds"))
      expect(Exit.isInterrupted(exit)).toBe(true)
    }))

  it.effect("interrupting it interrupts the running calls and waits for them", () =>
    Effect.gen(function*() {
      const cleaned: Array<number> = []
      const fiber = yield* Effect.fork(applyInParallel([1, 2, 3, 4], (n) =>
        Effect.onInterrupt(Effect.never, () =>
          Effect.zipRight(
            Effect.sleep(20),
            Effect.sync(() => cleaned.push(n))
          )), {
        concurrency: 2
      }))
      yield* Effect.yieldNow()
      const interrupting = yield* Effect.fork(Fiber.interrupt(fiber))
      yield* TestClock.adjust(10)
      expect(interrupting.unsafePoll()).toBeNull()
      yield* TestClock.adjust(10)
      yield* Fiber.join(interrupting)
      expect(cleaned.sort()).toEqual([1, 2])
    }))

  it.effect("fail-fast: a defect in f ends it as a defect, not as a failure", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        applyInParallel([1, 2, 3], (n) => n === 2 ? Effect.die("broken") : Effect.succeed(n), { concurrency: 2 })
      )
      expect(Exit.isFailure(exit) && Cause.dieOption(exit.cause)).toEqual(Option.some("broken"))
      const settled = yield* applyInParallel([1, 2], (n) => n === 2 ? Effect.die("broken") : Effect.succeed(n), {
        concurrency: 2,
        mode: "settle"
      })
      expect(settled[0]).toEqual(Exit.succeed(1))
      expect(settled[1]).toEqual(Exit.die("broken"))
    }))

  it.effect("settle: still fails when the input stream fails", () =>
    Effect.gen(function*() {
      const failing = Stream.concat(Stream.make(1, 2), Stream.fail("source broke"))
      const exit = yield* Effect.exit(applyInParallel(failing, Effect.succeed, { concurrency: 2, mode: "settle" }))
      expect(exit).toEqual(Exit.fail("source broke"))
    }))

  it.effect("reads a Stream, and fails with the stream's own error", () =>
    Effect.gen(function*() {
      const ok = yield* applyInParallel(Stream.range(1, 5), (n) => Effect.succeed(n * 2), { concurrency: 2 })
      expect(ok).toEqual([2, 4, 6, 8, 10])
      const failing = Stream.concat(Stream.make(1, 2), Stream.fail("source broke"))
      const exit = yield* Effect.exit(applyInParallel(failing, (n) => Effect.succeed(n), { concurrency: 2 }))
      expect(exit).toEqual(Exit.fail("source broke"))
    }))

  it.effect("discard: runs f for its effects only, at most `concurrency` at once", () =>
    Effect.gen(function*() {
      const { around, state } = gauge()
      const seen: Array<number> = []
      const fiber = yield* Effect.fork(
        applyInParallel(Array.from({ length: 12 }, (_, i) => i), (i) =>
          around(
            Effect.as(Effect.sleep(10 + (i % 3)), i).pipe(Effect.tap((n) => Effect.sync(() => seen.push(n))))
          ), {
          concurrency: 3,
          discard: true
        })
      )
      yield* TestClock.adjust(1000)
      expect(yield* Fiber.join(fiber)).toBeUndefined()
      expect(state.peak).toBe(3)
      expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i))
    }))

  it.effect("discard: fail-fast interrupts the running calls and fails with the first error; settle goes on", () =>
    Effect.gen(function*() {
      const cleaned: Array<number> = []
      const items = [1, 2, 3, 4, 5, 6]
      const f = (n: number) =>
        n === 2
          ? Effect.zipRight(Effect.sleep(5), Effect.fail(`boom ${n}`))
          : Effect.sleep(100).pipe(Effect.onInterrupt(() => Effect.sync(() => cleaned.push(n))))
      const failFast = yield* Effect.fork(Effect.exit(applyInParallel(items, f, { concurrency: 3, discard: true })))
      yield* TestClock.adjust(5)
      const exit = yield* Fiber.join(failFast)
      expect(Exit.isFailure(exit) && Cause.failureOption(exit.cause)).toEqual(Option.some("boom 2"))
      expect(cleaned.sort()).toEqual([1, 3])
      const settled = yield* Effect.fork(applyInParallel(items, f, { concurrency: 3, mode: "settle", discard: true }))
      yield* TestClock.adjust(1000)
      expect(yield* Fiber.join(settled)).toBeUndefined()
      expect(cleaned.sort()).toEqual([1, 3])
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

  it.effect("is dual: data-last forms for pipe give the same results", () =>
    Effect.gen(function*() {
      const double = (n: number) => Effect.succeed(2 * n)
      expect(yield* pipe([1, 2, 3], applyInParallel(double, { concurrency: 2 }))).toEqual([2, 4, 6])
      const exits = yield* pipe([1, 2], applyInParallel(double, { concurrency: 2, mode: "settle" }))
      expect(exits).toEqual([Exit.succeed(2), Exit.succeed(4)])
      const streamed = yield* Stream.make(1, 2, 3).pipe(
        applyInParallel.stream(double, { concurrency: 2 }),
        Stream.runCollect
      )
      expect(Chunk.toArray(streamed)).toEqual([2, 4, 6])
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

  it.effect("stream form: a reader that stops early interrupts the running calls", () =>
    Effect.gen(function*() {
      const running = { now: 0 }
      function* naturals() {
        for (let n = 0;; n++) yield n
      }
      const firstThree = yield* Effect.fork(Stream.runCollect(Stream.take(
        applyInParallel.stream(naturals(), (n) =>
          Effect.acquireUseRelease(
            Effect.sync(() => running.now++),
            () => Effect.as(Effect.sleep(n < 3 ? 1 : 1000), n),
            () => Effect.sync(() => running.now--)
          ), { concurrency: 4 }),
        3
      )))
      yield* TestClock.adjust(1)
      expect(Chunk.toArray(yield* Fiber.join(firstThree))).toEqual([0, 1, 2])
      expect(running.now).toBe(0)
    }))

  it.effect("stream form, in order: one slow item does not let the others run far ahead", () =>
    Effect.gen(function*() {
      let started = 0
      function* naturals() {
        for (let n = 0;; n++) yield n
      }
      const fiber = yield* Effect.fork(Stream.runDrain(applyInParallel.stream(naturals(), (n) => {
        started++
        return n === 0 ? Effect.never : Effect.void
      }, { concurrency: 2 })))
      yield* TestClock.adjust(10)
      expect(started).toBe(4 * 2)
      yield* Fiber.interrupt(fiber)
    }))
})
