import { describe, expect, it } from "@effect/vitest"
import {
  Context,
  Deferred,
  Duration,
  Effect,
  Exit,
  Fiber,
  Metric,
  Option,
  Ref,
  Schedule,
  Scope,
  Supervisor,
  TestClock,
  Tracer
} from "effect"
import { metrics, PoolClosedError, TaskTimeoutError, WorkerPool } from "../src/index.js"
import { gauge } from "./utils.js"

/** Counts how often the supervised fibers are woken up. */
class CountResumes extends Supervisor.AbstractSupervisor<number> {
  count = 0
  get value() {
    return Effect.sync(() => this.count)
  }
  override onResume() {
    this.count++
  }
}

class Greeting extends Context.Tag("test/Greeting")<Greeting, string>() {}

describe("WorkerPool", () => {
  it.scoped("never runs more than `concurrency` tasks at once, and reaches that limit", () =>
    Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ concurrency: 3 })
      const { around, state } = gauge()
      const fiber = yield* Effect.fork(
        Effect.forEach(Array.from({ length: 30 }), () => pool.submit(around(Effect.sleep(10))), {
          concurrency: "unbounded"
        })
      )
      yield* TestClock.adjust(1000)
      yield* Fiber.join(fiber)
      expect(state.peak).toBe(3)
      expect(yield* pool.stats).toEqual({
        queued: 0,
        running: 0,
        succeeded: 30,
        failed: 0,
        interrupted: 0,
        concurrency: 3
      })
    }))

  it.scoped("suspends the submitter while the queue is full", () =>
    Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ concurrency: 1, capacity: 2 })
      const gate = yield* Deferred.make<void>()
      yield* pool.fork(Deferred.await(gate)) // running
      yield* Effect.yieldNow()
      yield* pool.fork(Effect.void) // queued 1
      yield* pool.fork(Effect.void) // queued 2: the queue is now full
      const blocked = yield* Effect.fork(pool.submit(Effect.succeed("late")))
      yield* Effect.yieldNow()
      yield* Effect.yieldNow()
      expect(blocked.unsafePoll()).toBeNull()
      expect((yield* pool.stats).queued).toBe(2)
      yield* Deferred.succeed(gate, void 0)
      expect(yield* Fiber.join(blocked)).toBe("late")
    }))

  it.scoped("a caller blocked on a full queue can be interrupted; the room goes to the next one in line", () =>
    Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ concurrency: 1, capacity: 1 })
      const gate = yield* Deferred.make<void>()
      yield* pool.fork(Deferred.await(gate)) // running
      yield* pool.fork(Effect.void) // queued: the queue is full
      const first = yield* Effect.fork(pool.submit(Effect.succeed("first")))
      const second = yield* Effect.fork(pool.submit(Effect.succeed("second")))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(first)
      yield* Deferred.succeed(gate, void 0)
      expect(yield* Fiber.join(second)).toBe("second")
      expect(yield* pool.stats).toMatchObject({ queued: 0, running: 0, succeeded: 3 })
    }))

  it.scoped("shutdown refuses the callers still waiting for room in a full queue", () =>
    Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ concurrency: 1, capacity: 1 })
      const gate = yield* Deferred.make<void>()
      const running = yield* pool.fork(Deferred.await(gate))
      const queued = yield* pool.fork(Effect.succeed("queued"))
      const blocked = yield* Effect.fork(pool.submit(Effect.succeed("blocked")))
      yield* Effect.yieldNow()
      const shutdown = yield* Effect.fork(pool.shutdown)
      expect(yield* Fiber.await(blocked)).toEqual(Exit.fail(new PoolClosedError()))
      yield* Deferred.succeed(gate, void 0)
      yield* Fiber.join(shutdown)
      yield* Fiber.join(running)
      expect(yield* Fiber.join(queued)).toBe("queued")
    }))

  it.scoped("a pool with a free slot runs the task in the caller's fiber without waiting for another fiber", () =>
    Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ concurrency: 2 })
      // runSync fails with AsyncFiberException if the submit had to wait for another fiber
      expect(Effect.runSync(pool.submit(Effect.succeed(1)))).toBe(1)
      expect(Effect.runSync(Effect.all([pool.submit(Effect.succeed(2)), pool.submit(Effect.succeed(3))]))).toEqual([
        2,
        3
      ])
    }))

  it.scoped("many cancelled queued tasks are dropped from the queue; the rest keep their order", () =>
    Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ concurrency: 1, capacity: 10_000 })
      const gate = yield* Deferred.make<void>()
      const order: Array<number> = []
      yield* pool.fork(Deferred.await(gate))
      const fibers = yield* Effect.forEach(
        Array.from({ length: 500 }, (_, i) => i),
        (i) => pool.fork(Effect.sync(() => order.push(i)), { priority: i % 3 })
      )
      // cancel four in five
      yield* Effect.forEach(fibers.filter((_, i) => i % 5 !== 0), Fiber.interrupt, { discard: true })
      expect(yield* pool.stats).toMatchObject({ queued: 100, interrupted: 400 })
      yield* Deferred.succeed(gate, void 0)
      yield* Effect.forEach(fibers.filter((_, i) => i % 5 === 0), Fiber.join, { discard: true })
      const kept = Array.from({ length: 100 }, (_, k) => 5 * k)
      const expected = [2, 1, 0].flatMap((p) => kept.filter((i) => i % 3 === p))
      expect(order).toEqual(expected)
      expect(yield* pool.stats).toMatchObject({ queued: 0, running: 0, succeeded: 101, interrupted: 400 })
    }))

  it.scoped("runs queued tasks by priority, FIFO among equals", () =>
    Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ concurrency: 1 })
      const gate = yield* Deferred.make<void>()
      const order: Array<string> = []
      const record = (name: string) => Effect.sync(() => order.push(name))
      yield* pool.fork(Deferred.await(gate))
      yield* Effect.yieldNow()
      const fibers = [
        yield* pool.fork(record("low"), { priority: -1 }),
        yield* pool.fork(record("normal-1")),
        yield* pool.fork(record("high"), { priority: 5 }),
        yield* pool.fork(record("normal-2"))
      ]
      yield* Deferred.succeed(gate, void 0)
      yield* Fiber.joinAll(fibers)
      expect(order).toEqual(["high", "normal-1", "normal-2", "low"])
    }))

  it.scoped("interrupting the caller interrupts its task, queued or running", () =>
    Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ concurrency: 1 })
      const ran: Array<string> = []
      const interrupted: Array<string> = []
      const task = (name: string) =>
        Effect.sync(() => ran.push(name)).pipe(
          Effect.zipRight(Effect.never),
          Effect.onInterrupt(() => Effect.sync(() => interrupted.push(name)))
        )
      const running = yield* Effect.fork(pool.submit(task("running")))
      yield* Effect.yieldNow()
      const queued = yield* Effect.fork(pool.submit(task("queued")))
      yield* Effect.yieldNow()
      expect(yield* pool.stats).toMatchObject({ running: 1, queued: 1 })
      yield* Fiber.interrupt(queued)
      yield* Fiber.interrupt(running)
      expect(ran).toEqual(["running"])
      expect(interrupted).toEqual(["running"])
      expect(yield* pool.stats).toMatchObject({ running: 0, queued: 0, interrupted: 2 })
      // the slot came back: the pool still works
      expect(yield* pool.submit(Effect.succeed("after"))).toBe("after")
    }))

  it.scoped("times a task out with TaskTimeoutError and frees its slot", () =>
    Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ concurrency: 1 })
      const fiber = yield* Effect.fork(Effect.exit(pool.submit(Effect.never, { timeout: "1 second", label: "slow" })))
      yield* TestClock.adjust("1 second")
      const exit = yield* Fiber.join(fiber)
      expect(Exit.isFailure(exit)).toBe(true)
      expect(exit).toEqual(Exit.fail(new TaskTimeoutError({ label: "slow", timeout: Duration.seconds(1) })))
      expect(yield* pool.submit(Effect.succeed(1))).toBe(1)
    }))

  it.scoped("retries a failing task with the given Schedule", () =>
    Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ concurrency: 2 })
      const attempts = yield* Ref.make(0)
      const flaky = Effect.flatMap(Ref.updateAndGet(attempts, (n) => n + 1), (n) =>
        n < 3 ? Effect.fail(n) : Effect.succeed(n))
      expect(yield* pool.submit(flaky, { retry: Schedule.recurs(2) })).toBe(3)
      yield* Ref.set(attempts, 0)
      expect(yield* Effect.exit(pool.submit(flaky, { retry: Schedule.recurs(1) }))).toEqual(Exit.fail(2))
    }))

  it.scoped("runs a task with its caller's services and span", () =>
    Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ concurrency: 2 })
      const [greeting, span] = yield* pool.submit(Effect.all([Greeting, Effect.currentSpan])).pipe(
        Effect.provideService(Greeting, "hello"),
        Effect.withSpan("caller")
      )
      expect(greeting).toBe("hello")
      expect(span.name).toBe("caller")
    }))

  it.scoped("makes a span per task, child of the caller's, when a tracer is installed", () =>
    Effect.gen(function*() {
      const native = yield* Effect.tracer
      const made: Array<string> = []
      const tracer = Tracer.make({
        span: (...args) => {
          made.push(args[0])
          return native.span(...args)
        },
        context: native.context
      })
      const pool = yield* WorkerPool.make({ concurrency: 2 })
      const span = yield* pool.submit(Effect.currentSpan, { label: "greet" }).pipe(
        Effect.withSpan("caller"),
        Effect.withTracer(tracer)
      )
      expect(made).toEqual(["caller", "WorkerPool.task"])
      expect(span.name).toBe("WorkerPool.task")
      expect(span.attributes.get("label")).toBe("greet")
      expect(Option.map(span.parent, (p) => p._tag === "Span" ? p.name : "external")).toEqual(Option.some("caller"))
    }))

  it.live("an idle pool wakes no fiber, also after a queued task was cancelled", () =>
    Effect.gen(function*() {
      const wakeUps = new CountResumes()
      const pool = yield* WorkerPool.make({ concurrency: 1 }).pipe(Effect.supervised(wakeUps))
      const gate = yield* Deferred.make<void>()
      const running = yield* pool.fork(Deferred.await(gate))
      yield* Effect.sleep(5)
      const queued = yield* Effect.fork(pool.submit(Effect.void))
      yield* Effect.sleep(5)
      yield* Fiber.interrupt(queued)
      yield* Deferred.succeed(gate, void 0)
      yield* Fiber.join(running)
      yield* Effect.sleep(5)
      wakeUps.count = 0
      yield* Effect.sleep(100)
      // a pool fiber polling for work (or left holding a stale ticket) would wake up thousands of times here
      expect(wakeUps.count).toBe(0)
      expect(yield* pool.submit(Effect.succeed(1))).toBe(1)
      expect(yield* pool.stats).toMatchObject({ queued: 0, running: 0, succeeded: 2, interrupted: 1 })
    }).pipe(Effect.scoped))

  it.scoped("shutdown finishes queued and running tasks, then refuses new ones", () =>
    Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ concurrency: 1 })
      const fibers = yield* Effect.forEach([1, 2, 3], (n) => pool.fork(Effect.as(Effect.sleep(10), n)))
      const shutdown = yield* Effect.fork(pool.shutdown)
      yield* Effect.yieldNow()
      expect(yield* Effect.exit(pool.submit(Effect.void))).toEqual(Exit.fail(new PoolClosedError()))
      yield* TestClock.adjust(30)
      yield* Fiber.join(shutdown)
      expect(yield* Fiber.joinAll(fibers)).toEqual([1, 2, 3])
      expect((yield* pool.stats).succeeded).toBe(3)
    }))

  it.effect("closing the scope interrupts running tasks, fails queued ones, and leaves no fiber alive", () =>
    Effect.gen(function*() {
      const supervisor = yield* Supervisor.track
      const interrupted: Array<number> = []
      const scope = yield* Scope.make()
      const pool = yield* Scope.extend(WorkerPool.make({ concurrency: 2 }), scope).pipe(Effect.supervised(supervisor))
      const started: Array<number> = []
      const task = (n: number) =>
        Effect.sync(() => started.push(n)).pipe(
          Effect.zipRight(Effect.never),
          Effect.onInterrupt(() => Effect.sync(() => interrupted.push(n)))
        )
      const fibers = yield* Effect.forEach(
        [1, 2, 3],
        (n) => Effect.fork(pool.submit(task(n))).pipe(Effect.supervised(supervisor))
      )
      while (started.length < 2) yield* Effect.yieldNow()
      expect(yield* pool.stats).toMatchObject({ running: 2, queued: 1 })
      yield* Scope.close(scope, Exit.void)
      expect(interrupted.sort()).toEqual([1, 2])
      expect(yield* Fiber.await(fibers[2]!)).toEqual(Exit.fail(new PoolClosedError()))
      for (const fiber of fibers) yield* Fiber.await(fiber)
      const alive = (yield* supervisor.value).filter((fiber) => fiber.unsafePoll() === null)
      expect(alive).toEqual([])
      expect(yield* Effect.exit(pool.submit(Effect.void))).toEqual(Exit.fail(new PoolClosedError()))
    }))

  it.scoped("resize changes the limit while tasks run", () =>
    Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ concurrency: 1 })
      const { around, state } = gauge()
      const fiber = yield* Effect.fork(
        Effect.forEach(Array.from({ length: 20 }), () => pool.submit(around(Effect.sleep(10))), {
          concurrency: "unbounded"
        })
      )
      yield* TestClock.adjust(10)
      expect(state.peak).toBe(1)
      yield* pool.resize(4)
      yield* TestClock.adjust(10)
      expect(state.peak).toBe(4)
      yield* pool.resize(2)
      yield* TestClock.adjust(10)
      state.peak = 0
      yield* TestClock.adjust(10)
      expect(state.peak).toBe(2)
      expect((yield* pool.stats).concurrency).toBe(2)
      yield* TestClock.adjust(1000)
      yield* Fiber.join(fiber)
    }))

  it.scoped("records failures and task durations in its stats and metrics", () =>
    Effect.gen(function*() {
      const before = (yield* Metric.value(metrics.taskDuration)).count
      const pool = yield* WorkerPool.make({ concurrency: 2 })
      yield* Effect.exit(pool.submit(Effect.fail("x")))
      yield* pool.submit(Effect.void)
      expect(yield* pool.stats).toMatchObject({ succeeded: 1, failed: 1 })
      expect((yield* Metric.value(metrics.taskDuration)).count).toBe(before + 2)
      expect((yield* Metric.value(metrics.running)).value).toBe(0)
    }))

  it.scoped("task durations are read from the Clock, so TestClock drives the histogram", () =>
    Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ concurrency: 1 }).pipe(Effect.tagMetrics("pool", "durations"))
      const fiber = yield* Effect.fork(pool.submit(Effect.sleep("250 millis")))
      yield* TestClock.adjust("250 millis")
      yield* Fiber.join(fiber)
      const histogram = yield* Metric.value(metrics.taskDuration.pipe(Metric.tagged("pool", "durations")))
      expect(histogram).toMatchObject({ count: 1, sum: 250 })
    }))

  it.scoped("its gauges show the queue depth and the running tasks as they change", () =>
    Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ concurrency: 2 })
      const gate = yield* Deferred.make<void>()
      const fibers = yield* Effect.forEach([1, 2, 3, 4, 5], () => pool.fork(Deferred.await(gate)))
      yield* Effect.yieldNow()
      expect((yield* Metric.value(metrics.running)).value).toBe(2)
      expect((yield* Metric.value(metrics.queueDepth)).value).toBe(3)
      yield* Deferred.succeed(gate, void 0)
      yield* Fiber.joinAll(fibers)
      expect((yield* Metric.value(metrics.running)).value).toBe(0)
      expect((yield* Metric.value(metrics.queueDepth)).value).toBe(0)
    }))

  it.scoped("Effect.tagMetrics around WorkerPool.make names the pool's series, whoever submits", () =>
    Effect.gen(function*() {
      const a = yield* WorkerPool.make({ concurrency: 1 }).pipe(Effect.tagMetrics("pool", "a"))
      const b = yield* WorkerPool.make({ concurrency: 1 }).pipe(Effect.tagMetrics("pool", "b"))
      const gate = yield* Deferred.make<void>()
      // submitted by a fiber with labels of its own: they do not move the pools' series
      const fibers = yield* Effect.forEach([a, a, a, b], (pool) => pool.fork(Deferred.await(gate))).pipe(
        Effect.tagMetrics("pool", "caller")
      )
      const series = (pool: string) =>
        Effect.all([metrics.running, metrics.queueDepth].map((m) => Metric.value(Metric.tagged(m, "pool", pool))))
      yield* Effect.yieldNow()
      expect((yield* series("a")).map((s) => s.value)).toEqual([1, 2])
      expect((yield* series("b")).map((s) => s.value)).toEqual([1, 0])
      yield* Deferred.succeed(gate, void 0)
      yield* Fiber.joinAll(fibers)
      expect((yield* series("a")).map((s) => s.value)).toEqual([0, 0])
    }))

  it.scoped("a forked task is interrupted through its fiber; a timeout counts as an attempt for retry", () =>
    Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ concurrency: 1 })
      const fiber = yield* pool.fork(Effect.never)
      yield* Effect.yieldNow()
      expect((yield* pool.stats).running).toBe(1)
      expect(Exit.isInterrupted(yield* Fiber.interrupt(fiber))).toBe(true)
      expect(yield* pool.stats).toMatchObject({ running: 0, interrupted: 1 })
      let attempts = 0
      const slowThenFast = Effect.suspend(() => ++attempts < 3 ? Effect.never : Effect.succeed(attempts))
      const retried = yield* Effect.fork(pool.submit(slowThenFast, { timeout: "1 second", retry: Schedule.recurs(2) }))
      yield* TestClock.adjust("2 seconds")
      expect(yield* Fiber.join(retried)).toBe(3)
    }))

  it.effect("is a Tag with a scoped layer", () =>
    Effect.gen(function*() {
      const pool = yield* WorkerPool
      expect(yield* pool.submit(Effect.succeed("via layer"))).toBe("via layer")
    }).pipe(Effect.provide(WorkerPool.layer({ concurrency: 2 }))))

  it.effect("rejects a bad concurrency or capacity", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.scoped(WorkerPool.make({ concurrency: 0 })))
      expect(Exit.isFailure(exit)).toBe(true)
      const exit2 = yield* Effect.exit(Effect.scoped(WorkerPool.make({ concurrency: 2, capacity: -1 })))
      expect(Exit.isFailure(exit2)).toBe(true)
    }))
})
