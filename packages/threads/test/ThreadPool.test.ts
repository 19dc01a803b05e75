import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import { applyInParallel, PoolClosedError } from "@fanout/pool"
import type { TaskTimeoutError } from "@fanout/pool"
import { ThreadPool, transfer } from "@fanout/threads"
import type { ThreadCrashError, ThreadTaskError } from "@fanout/threads"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Scope from "effect/Scope"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import type * as WorkModule from "./fixtures/work.mjs"

type Work = typeof WorkModule
const module = new URL("./fixtures/work.mjs", import.meta.url)
const pool = (size = 2, options: Partial<ThreadPool.Options> = {}) =>
  ThreadPool.make<Work>({ module, size, ...options })

const failure = <E>(exit: Exit.Exit<unknown, E>): E => {
  if (Exit.isSuccess(exit) || exit.cause._tag !== "Fail") throw new Error(`expected a failure, got ${String(exit)}`)
  return exit.cause.error
}

describe("ThreadPool", () => {
  it.scopedLive("runs an export and returns its value; a Promise is awaited in the thread", () =>
    Effect.gen(function*() {
      const threads = yield* pool()
      expect(yield* threads.run("fib", 20)).toBe(6765)
      expect(yield* threads.run("add", 2, 3)).toBe(5)
      expect(yield* threads.run("later", "v", 5)).toBe("v")
    }))

  it.scopedLive("runs at most size tasks at once, in parallel, on reused threads", () =>
    Effect.gen(function*() {
      const threads = yield* pool(2)
      const spans = yield* applyInParallel([1, 2, 3, 4, 5, 6], () => threads.run("spin", 60), { concurrency: 6 })
      const ids = new Set(spans.map((s) => s.threadId))
      expect(ids.size).toBe(2)
      // At every moment at most two ran; the first two overlapped (real threads, not one event loop).
      for (const s of spans) {
        expect(spans.filter((o) => o.start <= s.start && s.start < o.end).length).toBeLessThanOrEqual(2)
      }
      expect(spans[0].start < spans[1].end && spans[1].start < spans[0].end).toBe(true)
      expect((yield* threads.stats).replaced).toBe(0)
    }))

  it.scopedLive("a task that throws fails with ThreadTaskError carrying the original error; the thread stays", () =>
    Effect.gen(function*() {
      const threads = yield* pool(1)
      const before = yield* threads.run("whoAmI")
      const error = failure(yield* Effect.exit(threads.run("throwRange", "too far")))
      expect(error._tag).toBe("ThreadTaskError")
      expect(error.name).toBe("RangeError")
      expect(error.message).toBe("too far")
      expect(error.stack).toContain("throwRange")
      expect(error.stack).toContain("work.mjs")
      expect((error as ThreadTaskError).properties).toEqual({ code: "E_RANGE", detail: { at: 3 } })
      expect((error as ThreadTaskError).call).toBe("throwRange")
      const rejected = failure(yield* Effect.exit(threads.run("reject")))
      expect([rejected._tag, rejected.name, rejected.message]).toEqual(["ThreadTaskError", "TypeError", "rejected"])
      expect(yield* threads.run("whoAmI")).toBe(before)
    }))

  it.scopedLive("a thread that dies fails its task with ThreadCrashError and is replaced", () =>
    Effect.gen(function*() {
      const threads = yield* pool(1, { resourceLimits: { maxOldGenerationSizeMb: 32 } })
      const exited = failure(yield* Effect.exit(threads.run("exit", 3)))
      expect(exited._tag).toBe("ThreadCrashError")
      expect((exited as ThreadCrashError).exitCode).toBe(3)
      expect(yield* threads.run("add", 1, 1)).toBe(2)
      const oom = failure(yield* Effect.exit(threads.run("hog")))
      expect(oom._tag).toBe("ThreadCrashError")
      expect(yield* threads.run("add", 2, 2)).toBe(4)
      // An uncaught exception after the task returned kills the idle thread; the next call gets a new one.
      expect(yield* threads.run("crashLater")).toBe("ok")
      yield* Effect.sleep("50 millis")
      expect(yield* threads.run("add", 3, 3)).toBe(6)
      expect((yield* threads.stats).threads).toBe(1)
    }))

  it.scopedLive("interrupting a running task terminates its thread, even in a loop; a replacement runs the next", () =>
    Effect.gen(function*() {
      const threads = yield* pool(1)
      const first = yield* threads.run("whoAmI")
      const fiber = yield* Effect.fork(threads.run("loop"))
      yield* Effect.sleep("50 millis")
      yield* Fiber.interrupt(fiber)
      const next = yield* threads.run("whoAmI")
      expect(next).not.toBe(first)
      expect((yield* threads.stats).replaced).toBe(1)
    }))

  it.scopedLive("interrupting a queued call removes it; waiting calls run in FIFO order", () =>
    Effect.gen(function*() {
      const threads = yield* pool(1)
      const busy = yield* Effect.fork(threads.run("spin", 100))
      yield* Effect.sleep("20 millis")
      const order: Array<number> = []
      const queued = yield* Effect.fork(threads.run("spin", 1))
      const a = yield* Effect.fork(Effect.tap(threads.run("add", 1, 0), (n) => Effect.sync(() => order.push(n))))
      const b = yield* Effect.fork(Effect.tap(threads.run("add", 2, 0), (n) => Effect.sync(() => order.push(n))))
      yield* Effect.sleep("10 millis")
      expect((yield* threads.stats).queued).toBe(3)
      yield* Fiber.interrupt(queued)
      expect((yield* threads.stats).queued).toBe(2)
      yield* Fiber.join(busy)
      yield* Fiber.join(a)
      yield* Fiber.join(b)
      expect(order).toEqual([1, 2])
      expect((yield* threads.stats).replaced).toBe(0)
    }))

  it.live("closing the scope fails queued calls, stops stuck threads and returns when all have exited", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const threads = yield* Scope.extend(pool(2), scope)
      const stuck = yield* Effect.fork(threads.run("loop"))
      const stuck2 = yield* Effect.fork(threads.run("loop"))
      const queued = yield* Effect.fork(threads.run("add", 1, 2))
      yield* Effect.sleep("50 millis")
      const started = Date.now()
      yield* Scope.close(scope, Exit.void)
      expect(Date.now() - started).toBeLessThan(1000)
      expect((yield* threads.stats).threads).toBe(0)
      expect(Exit.isInterrupted(yield* Fiber.await(stuck))).toBe(true)
      expect(Exit.isInterrupted(yield* Fiber.await(stuck2))).toBe(true)
      expect(failure(yield* Fiber.await(queued))).toBeInstanceOf(PoolClosedError)
      expect(failure(yield* Effect.exit(threads.run("add", 1, 1)))._tag).toBe("PoolClosedError")
    }))

  it.scopedLive("run is lazy: nothing starts until it runs, and running it twice runs twice", () =>
    Effect.gen(function*() {
      const threads = yield* pool(1)
      const call = threads.run("spin", 1)
      expect((yield* threads.stats).succeeded).toBe(0)
      yield* call
      yield* call
      expect((yield* threads.stats).succeeded).toBe(2)
    }))

  it.scopedLive("idle threads keep their event loop: a module's timers run between calls", () =>
    Effect.gen(function*() {
      const threads = yield* pool(1)
      yield* threads.run("startTicking")
      yield* Effect.sleep("100 millis")
      expect(yield* threads.run("readTicks")).toBeGreaterThan(3)
    }))

  it.scopedLive("env and resourceLimits reach every thread", () =>
    Effect.gen(function*() {
      const threads = yield* pool(2, { env: { FANOUT_TEST: "yes" }, resourceLimits: { maxOldGenerationSizeMb: 48 } })
      const values = yield* applyInParallel([1, 2], () => threads.run("env", "FANOUT_TEST"), { concurrency: 2 })
      expect(values).toEqual(["yes", "yes"])
      const limit = yield* threads.run("heapLimit")
      expect(limit).toBeLessThan(200 * 1024 * 1024)
    }))

  it.scopedLive("a module that does not load fails make with ThreadPoolStartError naming it and the cause", () =>
    Effect.gen(function*() {
      // Written here: a module that does not parse would fail the linter as a fixture.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fanout-threads-"))
      fs.writeFileSync(path.join(dir, "syntax-error.mjs"), "export const broken = (\n")
      const cases: ReadonlyArray<readonly [string, URL, string]> = [
        ["syntax-error.mjs", pathToFileURL(path.join(dir, "syntax-error.mjs")), "SyntaxError"],
        ["throws.mjs", new URL("./fixtures/throws.mjs", import.meta.url), "top-level boom"],
        ["missing.mjs", new URL("./fixtures/missing.mjs", import.meta.url), "Cannot find"]
      ]
      for (const [file, url, cause] of cases) {
        const error = failure(yield* Effect.exit(ThreadPool.make({ module: url, size: 2 })))
        expect(error._tag).toBe("ThreadPoolStartError")
        expect(error.message).toContain(file)
        expect(error.message).toContain(cause)
      }
    }))

  it.scopedLive("a per-call timeout counts from the task's start and terminates the thread", () =>
    Effect.gen(function*() {
      const threads = yield* pool(1)
      const busy = yield* Effect.fork(threads.run("spin", 150))
      yield* Effect.sleep("10 millis")
      // Waits ~140 ms in line, then gets its own 100 ms.
      const late = yield* threads.runWith("spin", [50], { timeout: "100 millis" })
      expect(late.threadId).toBeGreaterThan(0)
      yield* Fiber.join(busy)
      const error = failure(yield* Effect.exit(threads.runWith("loop", [], { timeout: "50 millis" })))
      expect(error._tag).toBe("TaskTimeoutError")
      expect(yield* threads.run("add", 1, 1)).toBe(2)
      expect((yield* threads.stats).replaced).toBe(1)
    }))

  it.scopedLive("transfer moves ArrayBuffers in and out instead of copying them", () =>
    Effect.gen(function*() {
      const threads = yield* pool(1)
      const bytes = new Uint8Array([1, 2, 3])
      const [total, length] = yield* threads.run("sumAndLength", transfer(bytes, [bytes.buffer]))
      expect([total, length]).toEqual([6, 3])
      expect(bytes.byteLength).toBe(0)
      const filled = yield* threads.run("filled", 4)
      expect([...filled]).toEqual([7, 7, 7, 7])
    }))

  it.scopedLive("a result or an argument that cannot be cloned fails that call only", () =>
    Effect.gen(function*() {
      const threads = yield* pool(1)
      expect(failure(yield* Effect.exit(threads.run("notCloneable")))._tag).toBe("ThreadTaskError")
      expect(failure(yield* Effect.exit(threads.run("sum", (() => 1) as never)))._tag).toBe("ThreadTaskError")
      expect(failure(yield* Effect.exit(threads.run("notAFunction" as never)))._tag).toBe("ThreadTaskError")
      expect(yield* threads.run("add", 1, 1)).toBe(2)
    }))

  it.scopedLive("recycles a thread after N calls", () =>
    Effect.gen(function*() {
      const threads = yield* pool(1, { recycle: { afterCalls: 2 } })
      const ids = [yield* threads.run("whoAmI"), yield* threads.run("whoAmI"), yield* threads.run("whoAmI")]
      expect(ids[0]).toBe(ids[1])
      expect(ids[2]).not.toBe(ids[1])
    }))

  it("is typed from the module", () => {
    const typed = (threads: ThreadPool.ThreadPool<Work>) => {
      expectTypeOf(threads.run("fib", 1)).toEqualTypeOf<
        Effect.Effect<number, ThreadTaskError | ThreadCrashError | PoolClosedError>
      >()
      expectTypeOf(threads.run("later", "x", 1)).toEqualTypeOf<
        Effect.Effect<string, ThreadTaskError | ThreadCrashError | PoolClosedError>
      >()
      expectTypeOf(threads.runWith("add", [1, 2], { timeout: "1 second" })).toEqualTypeOf<
        Effect.Effect<number, ThreadTaskError | ThreadCrashError | PoolClosedError | TaskTimeoutError>
      >()
      // @ts-expect-error: not an export
      threads.run("nope")
      // @ts-expect-error: wrong argument type
      threads.run("fib", "1")
      // @ts-expect-error: not a function
      threads.run("notAFunction")
    }
    expect(typeof typed).toBe("function")
  })
})
