import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as Scope from "effect/Scope"
import type * as Tracer from "effect/Tracer"
import type { WorkerPool } from "../WorkerPool.js"

/** @internal */
export class PoolClosedError extends Data.TaggedError("PoolClosedError")<{}> {
  override get message() {
    return "the worker pool is shut down and takes no new tasks"
  }
}

/** @internal */
export class TaskTimeoutError extends Data.TaggedError("TaskTimeoutError")<{
  readonly label: string | undefined
  readonly timeout: Duration.Duration
}> {
  override get message() {
    return `task ${this.label === undefined ? "" : `'${this.label}' `}timed out after ${Duration.format(this.timeout)}`
  }
}

// The shapes are declared once, with their documentation, in the public module.
/** @internal */
export type TaskOptions<E = unknown> = WorkerPool.TaskOptions<E>
/** @internal */
export type Stats = WorkerPool.Stats
/** @internal */
export type MakeOptions = WorkerPool.Options
/** @internal */
export type WorkerPoolShape = WorkerPool.Service

/** @internal */
export const queueDepth = Metric.gauge("fanout_pool_queue_depth", { description: "tasks waiting in a WorkerPool" })
/** @internal */
export const runningTasks = Metric.gauge("fanout_pool_running", { description: "tasks running in a WorkerPool" })
/** @internal */
export const taskDuration = Metric.histogram(
  "fanout_pool_task_duration_ms",
  MetricBoundaries.exponential({ start: 1, factor: 4, count: 12 }),
  "wall time of WorkerPool tasks, in milliseconds"
)

interface Entry {
  readonly priority: number
  readonly seq: number
  /** queued → granted → ended; queued → cancelled (its caller was interrupted) or refused (the pool closed) */
  state: "queued" | "granted" | "cancelled" | "refused" | "ended"
  /** Wakes the caller suspended in `awaitGrant` (a plain callback: a Deferred per task costs more). */
  resume: ((effect: Effect.Effect<void, PoolClosedError>) => void) | undefined
  /** The fiber that waits for the grant and runs the task (the caller's, or the one `fork` made). */
  fiber: Fiber.RuntimeFiber<unknown, unknown> | undefined
  /** Its index in `Running` while it holds a permit, else -1. */
  slot: number
}

/** A caller suspended because the queue was full. */
interface RoomWaiter {
  resume: ((effect: Effect.Effect<void, PoolClosedError>) => void) | undefined
  woken: boolean
}

const before = (a: Entry, b: Entry) => a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq)

/** A binary heap: highest priority first, FIFO among equals. */
class EntryHeap {
  private readonly items: Array<Entry> = []
  get size() {
    return this.items.length
  }
  push(entry: Entry) {
    const items = this.items
    let i = items.push(entry) - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(items[i]!, items[parent]!)) break
      ;[items[i], items[parent]] = [items[parent]!, items[i]!]
      i = parent
    }
  }
  pop(): Entry | undefined {
    const items = this.items
    const top = items[0]
    const last = items.pop()
    if (items.length > 0 && last !== undefined) {
      items[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let best = i
        if (l < items.length && before(items[l]!, items[best]!)) best = l
        if (r < items.length && before(items[r]!, items[best]!)) best = r
        if (best === i) break
        ;[items[i], items[best]] = [items[best]!, items[i]!]
        i = best
      }
    }
    return top
  }
  drain(): Array<Entry> {
    return this.items.splice(0)
  }
  /** Drops the entries that fail `keep` (cancelled ones), keeping the heap order. */
  retain(keep: (entry: Entry) => boolean) {
    for (const entry of this.items.splice(0)) if (keep(entry)) this.push(entry)
  }
}

/**
 * The entries holding a permit. Each knows its index, so removal is a swap with
 * the last one: a `Set`'s delete cost half a microsecond here, a tenth of a submit.
 */
class Running {
  private readonly items: Array<Entry> = []
  get size() {
    return this.items.length
  }
  add(entry: Entry) {
    entry.slot = this.items.push(entry) - 1
  }
  delete(entry: Entry) {
    if (entry.slot < 0) return
    const last = this.items.pop()!
    if (last !== entry) {
      this.items[entry.slot] = last
      last.slot = entry.slot
    }
    entry.slot = -1
  }
  fibers(): Array<Fiber.RuntimeFiber<unknown, unknown>> {
    return this.items.flatMap((entry) => entry.fiber === undefined ? [] : [entry.fiber])
  }
}

const validateConcurrency = (name: string, n: number) =>
  Number.isInteger(n) && n >= 1
    ? Effect.void
    : Effect.dieMessage(`WorkerPool.${name}: concurrency must be a whole number >= 1, got ${String(n)}`)

/**
 * The default tracer exports nothing, so under it the per-task span would be pure
 * cost (a native span costs more than the rest of a submit); the pool makes its
 * span only when the program installed a tracer of its own.
 */
let defaultTracer: Tracer.Tracer | undefined
const isDefaultTracer = (tracer: Tracer.Tracer) => tracer === (defaultTracer ??= Effect.runSync(Effect.tracer))

type Restore = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

/**
 * The pool is a permit counter with a waiting line; it has no fibers of its own.
 * A caller that finds a permit free (and so, nobody waiting) takes it and runs
 * its task at once, in its own fiber — with its own context and span,
 * interruptible by its own interruption. Otherwise it puts an entry in a
 * priority heap and suspends; whoever gives a permit back hands it straight to
 * the best waiting entry and wakes that caller. So a task costs no fiber hop
 * when the pool has room and one when it is saturated. `capacity` bounds the
 * heap: callers beyond it wait in line for room. The bookkeeping is plain
 * synchronous JavaScript run inside one effect step, so no fiber ever sees it
 * half done.
 *
 * @internal
 */
export const make = (options: MakeOptions): Effect.Effect<WorkerPoolShape, never, Scope.Scope> =>
  Effect.gen(function*() {
    yield* validateConcurrency("make", options.concurrency)
    const capacity = options.capacity ?? 1024
    if (!Number.isInteger(capacity) || capacity < 1) {
      return yield* Effect.dieMessage(`WorkerPool.make: capacity must be a whole number >= 1, got ${String(capacity)}`)
    }
    const scope = yield* Effect.scope
    /** The metric labels in force where the pool was made name its series. */
    const labels = yield* FiberRef.get(FiberRef.currentMetricLabels)
    const drained = yield* Deferred.make<void>()
    const heap = new EntryHeap()
    const running = new Running()
    const roomWaiters: Array<RoomWaiter> = []
    let concurrency = options.concurrency
    /** Permits not held by a running task; negative after a shrink until enough tasks end. */
    let free = concurrency
    let queued = 0
    let cancelledInHeap = 0
    let succeeded = 0
    let failed = 0
    let interrupted = 0
    let closed = false
    let seq = 0

    /** Brings the gauges up to date, and records a task's duration. */
    const observe = (duration?: number) => {
      queueDepth.unsafeUpdate(queued, labels)
      runningTasks.unsafeUpdate(running.size, labels)
      if (duration !== undefined) taskDuration.unsafeUpdate(duration, labels)
    }

    const checkDrained = () => {
      if (closed && queued === 0 && running.size === 0) Deferred.unsafeDone(drained, Exit.void)
    }

    /** Room in the queue appeared: the first caller waiting for it tries again. */
    const wakeRoom = () => {
      const waiter = roomWaiters.shift()
      if (waiter === undefined) return
      waiter.woken = true
      waiter.resume?.(Effect.void)
    }

    const refuseRoomWaiters = () => {
      for (const waiter of roomWaiters.splice(0)) waiter.resume?.(Effect.fail(new PoolClosedError()))
    }

    /** Hands the free permits to the best queued entries (cancelled ones are skipped and dropped). */
    const dispatch = () => {
      while (free > 0 && queued > 0) {
        const entry = heap.pop()!
        if (entry.state !== "queued") {
          cancelledInHeap--
          continue
        }
        free--
        queued--
        entry.state = "granted"
        running.add(entry)
        entry.resume?.(Effect.void)
        wakeRoom()
      }
      if (queued === 0 && cancelledInHeap > 0) {
        heap.drain()
        cancelledInHeap = 0
      }
    }

    /** A permit came back (its task ended, or was interrupted before it started). */
    const release = (entry: Entry, duration: number | undefined) => {
      entry.state = "ended"
      running.delete(entry)
      free++
      dispatch()
      checkDrained()
      observe(duration)
    }

    /** The caller was interrupted before its task started: give back what it holds. */
    const cancel = (entry: Entry) => {
      if (entry.state === "queued") {
        entry.state = "cancelled"
        queued--
        interrupted++
        // the entry stays in the heap until popped; many cancelled ones are swept out at once
        if (++cancelledInHeap > 64 && cancelledInHeap > queued) {
          heap.retain((e) => e.state === "queued")
          cancelledInHeap = 0
        }
        wakeRoom()
        checkDrained()
        observe()
      } else if (entry.state === "granted") {
        interrupted++
        release(entry, undefined)
      }
    }

    /** A free permit if there is one, else a place in the queue; `undefined` when the queue is full. */
    const admit = (priority: number): Entry | undefined => {
      let entry: Entry
      if (free > 0) {
        // free permits mean an empty queue: dispatch hands them out as soon as they appear
        entry = { priority, seq: seq++, state: "granted", resume: undefined, fiber: undefined, slot: -1 }
        free--
        running.add(entry)
      } else if (queued < capacity) {
        entry = { priority, seq: seq++, state: "queued", resume: undefined, fiber: undefined, slot: -1 }
        heap.push(entry)
        queued++
      } else {
        return undefined
      }
      observe()
      return entry
    }

    /**
     * Admits the caller, first waiting (interruptibly) in line while the queue is
     * full. Runs with interruption off otherwise, so what it took is handed back.
     */
    const enqueue = (priority: number, restore: Restore): Effect.Effect<Entry, PoolClosedError> =>
      Effect.suspend(() => {
        if (closed) return Effect.fail(new PoolClosedError())
        const entry = admit(priority)
        if (entry !== undefined) return Effect.succeed(entry)
        const waiter: RoomWaiter = { resume: undefined, woken: false }
        roomWaiters.push(waiter)
        const room = Effect.async<void, PoolClosedError>((resume) => {
          if (waiter.woken) return resume(Effect.void)
          waiter.resume = resume
        })
        return Effect.flatMap(Effect.exit(restore(room)), (exit) => {
          if (Exit.isSuccess(exit)) return enqueue(priority, restore)
          // interrupted (or refused): leave the line, passing on a wake-up this caller can no longer use
          const index = roomWaiters.indexOf(waiter)
          if (index >= 0) roomWaiters.splice(index, 1)
          else if (waiter.woken && !closed) wakeRoom()
          return Effect.failCause(exit.cause)
        })
      })

    const awaitGrant = (entry: Entry) =>
      Effect.async<void, PoolClosedError>((resume) => {
        if (entry.state === "granted") return resume(Effect.void)
        if (entry.state === "refused") return resume(Effect.fail(new PoolClosedError()))
        entry.resume = resume
      })

    const runTask = <A, E, R>(task: Effect.Effect<A, E, R>, options: TaskOptions<E> | undefined) => {
      let effect: Effect.Effect<A, E | TaskTimeoutError, R> = task
      if (options === undefined) return effect
      if (options.timeout !== undefined) {
        const timeout = Duration.decode(options.timeout)
        effect = Effect.timeoutFail(task, {
          duration: timeout,
          onTimeout: () => new TaskTimeoutError({ label: options.label, timeout })
        })
      }
      if (options.retry !== undefined) effect = Effect.retry(effect, options.retry)
      return effect
    }

    /**
     * Runs the task in `fiber` (the caller's, or the one `fork` made) once the
     * entry holds a permit, then gives the permit back. Runs with interruption
     * off; `restore` opens the wait and the task.
     */
    const start = <A, E, R>(
      fiber: Fiber.RuntimeFiber<unknown, unknown>,
      entry: Entry,
      task: Effect.Effect<A, E, R>,
      options: TaskOptions<E> | undefined,
      restore: Restore
    ): Effect.Effect<A, E | PoolClosedError | TaskTimeoutError, R> => {
      entry.fiber = fiber
      const run = () => {
        const began = Date.now()
        let effect: Effect.Effect<A, E | TaskTimeoutError, R> = runTask(task, options)
        if (!isDefaultTracer(fiber.currentTracer)) {
          effect = Effect.withSpan(effect, "WorkerPool.task", {
            attributes: options?.label === undefined ? {} : { label: options.label },
            captureStackTrace: false
          })
        }
        return Effect.matchCauseEffect(restore(effect), {
          onFailure: (cause) => {
            if (Cause.isInterruptedOnly(cause)) interrupted++
            else failed++
            release(entry, Date.now() - began)
            return Effect.failCause(cause)
          },
          onSuccess: (value) => {
            succeeded++
            release(entry, Date.now() - began)
            return Effect.succeed(value)
          }
        })
      }
      if (entry.state === "granted") return run()
      return Effect.matchCauseEffect(restore(awaitGrant(entry)), {
        onFailure: (cause) => {
          cancel(entry)
          return Effect.failCause(cause)
        },
        onSuccess: run
      })
    }

    const submit = <A, E, R>(task: Effect.Effect<A, E, R>, options?: TaskOptions<E>) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.withFiberRuntime<A, E | PoolClosedError | TaskTimeoutError, R>((fiber) => {
          const caller = fiber as Fiber.RuntimeFiber<unknown, unknown>
          const entry = closed ? undefined : admit(options?.priority ?? 0)
          if (entry !== undefined) return start(caller, entry, task, options, restore)
          return Effect.flatMap(
            enqueue(options?.priority ?? 0, restore),
            (entry) => start(caller, entry, task, options, restore)
          )
        })
      )

    const fork = <A, E, R>(task: Effect.Effect<A, E, R>, options?: TaskOptions<E>) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(
          enqueue(options?.priority ?? 0, restore),
          (entry) =>
            Effect.forkIn(
              Effect.withFiberRuntime<A, E | PoolClosedError | TaskTimeoutError, R>((fiber) =>
                start(fiber as Fiber.RuntimeFiber<unknown, unknown>, entry, task, options, restore)
              ),
              scope
            )
        )
      )

    yield* Scope.addFinalizer(
      scope,
      Effect.suspend(() => {
        closed = true
        for (const entry of heap.drain()) {
          if (entry.state === "queued") {
            entry.state = "refused"
            entry.resume?.(Effect.fail(new PoolClosedError()))
          }
        }
        queued = 0
        cancelledInHeap = 0
        refuseRoomWaiters()
        const victims = running.fibers()
        for (const fiber of victims) fiber.unsafeInterruptAsFork(FiberId.none)
        return Effect.forEach(victims, (fiber) => fiber.await, { discard: true })
      })
    )

    const shutdown = Effect.suspend(() => {
      closed = true
      refuseRoomWaiters()
      checkDrained()
      return Deferred.await(drained)
    })

    const resize = (n: number) =>
      Effect.zipRight(
        validateConcurrency("resize", n),
        Effect.sync(() => {
          free += n - concurrency
          concurrency = n
          dispatch()
          observe()
        })
      )

    const stats = Effect.sync((): Stats => ({
      queued,
      running: running.size,
      succeeded,
      failed,
      interrupted,
      concurrency
    }))

    return { submit, fork, shutdown, resize, stats } satisfies WorkerPoolShape
  })
