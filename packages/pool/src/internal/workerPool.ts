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
import * as Queue from "effect/Queue"
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
  /** A cancelled entry whose ticket its caller took back out of the queue. */
  ticketReturned: boolean
  /** The fiber that waits for the grant and runs the task (the caller's, or the one `fork` made). */
  fiber: Fiber.RuntimeFiber<unknown, unknown> | undefined
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

/**
 * The pool is a permit dispenser. Callers put an entry in a priority heap (a
 * bounded `Queue` of tickets, one per entry, gives backpressure); a fixed set of
 * worker fibers each take a `Semaphore` permit, then a ticket, then the best
 * entry, and hand the permit to that entry's caller. The caller runs its own
 * task — in its own fiber, with its own context and span, interruptible by its
 * own interruption — and gives the permit back when the task ends. Only workers
 * ever wait on the Semaphore, so `resize` is permit arithmetic and no waiter
 * storm is possible.
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
    const tickets = yield* Queue.bounded<void>(capacity)
    const permits = yield* Effect.makeSemaphore(options.concurrency)
    const drained = yield* Deferred.make<void>()
    const heap = new EntryHeap()
    const running = new Set<Entry>()
    let concurrency = options.concurrency
    let workers = 0
    let queued = 0
    let succeeded = 0
    let failed = 0
    let interrupted = 0
    let closed = false
    let seq = 0

    /** Brings the gauges up to date (and records a task's duration) in one step, with the fiber's metric labels. */
    const observe = (duration: number | undefined) =>
      Effect.withFiberRuntime<void>((fiber) => {
        const labels = fiber.getFiberRef(FiberRef.currentMetricLabels)
        queueDepth.unsafeUpdate(queued, labels)
        runningTasks.unsafeUpdate(running.size, labels)
        if (duration !== undefined) taskDuration.unsafeUpdate(duration, labels)
        return Effect.void
      })

    const checkDrained = () => {
      if (closed && queued === 0 && running.size === 0) Deferred.unsafeDone(drained, Exit.void)
    }

    // Every entry in the heap, cancelled ones included, has one ticket: a worker
    // pops one entry per ticket it takes, so no ticket is ever left over (a left-
    // over ticket would have a worker spin on an empty heap). A cancelled entry
    // whose ticket its caller took back is skipped for free. The heap can be
    // empty for a ticket only in the instant between a submitter's offer and its
    // push (a worker took the ticket as soon as it entered the queue); the push
    // is uninterruptible and immediate, so the worker yields once and looks again.
    const grant: Effect.Effect<void> = Effect.suspend(() => {
      let entry = heap.pop()
      while (entry !== undefined && entry.state === "cancelled" && entry.ticketReturned) entry = heap.pop()
      if (entry === undefined) return closed ? permits.release(1) : Effect.zipRight(Effect.yieldNow(), grant)
      if (entry.state === "cancelled") return permits.release(1)
      queued--
      entry.state = "granted"
      running.add(entry)
      if (entry.resume !== undefined) entry.resume(Effect.void)
      return observe(undefined)
    })
    const worker: Effect.Effect<never> = Effect.forever(
      Effect.zipRight(permits.take(1), Effect.zipRight(Queue.take(tickets), grant))
    )

    /** Workers only ever grow: after a shrink the extra ones simply find no permit. */
    const spawnWorkers = (target: number) =>
      Effect.suspend(() => {
        const missing = target - workers
        workers = Math.max(workers, target)
        return Effect.forEach(Array.from({ length: Math.max(0, missing) }), () => Effect.forkIn(worker, scope), {
          discard: true
        })
      })

    yield* spawnWorkers(concurrency)

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
        const victims = Array.from(running, (entry) => entry.fiber).filter((fiber) => fiber !== undefined)
        for (const fiber of victims) fiber.unsafeInterruptAsFork(FiberId.none)
        return Effect.zipRight(
          Queue.shutdown(tickets),
          Effect.forEach(victims, (fiber) => fiber.await, { discard: true })
        )
      })
    )

    const release = (entry: Entry, duration: number | undefined) =>
      Effect.suspend(() => {
        entry.state = "ended"
        running.delete(entry)
        checkDrained()
        return Effect.zipRight(permits.release(1), observe(duration))
      })

    /** The caller was interrupted before its task started: give back what it holds. */
    const cancel = (entry: Entry) =>
      Effect.suspend(() => {
        if (entry.state === "queued") {
          entry.state = "cancelled"
          queued--
          interrupted++
          checkDrained()
          return Effect.flatMap(Queue.poll(tickets), (ticket) => {
            entry.ticketReturned = ticket._tag === "Some"
            return observe(undefined)
          })
        }
        if (entry.state === "granted") {
          interrupted++
          return release(entry, undefined)
        }
        return Effect.void
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

    const withTaskSpan = <A, E, R>(effect: Effect.Effect<A, E, R>, label: string | undefined) =>
      Effect.tracerWith((tracer) =>
        isDefaultTracer(tracer) ? effect : Effect.withSpan(effect, "WorkerPool.task", {
          attributes: label === undefined ? {} : { label },
          captureStackTrace: false
        })
      )

    const finish = (entry: Entry, start: number, exit: Exit.Exit<unknown, unknown>) => {
      if (Exit.isSuccess(exit)) succeeded++
      else if (Exit.isInterrupted(exit)) interrupted++
      else failed++
      return release(entry, Date.now() - start)
    }

    type Restore = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

    /**
     * Waits (interruptibly) for room in the queue, then pushes the entry; runs with
     * interruption off otherwise, so an entry is pushed for every ticket offered.
     */
    const enqueue = (priority: number, restore: Restore): Effect.Effect<Entry, PoolClosedError> =>
      Effect.suspend(() => {
        if (closed) return Effect.fail(new PoolClosedError())
        // the common case, room in the queue, needs no Effect of the Queue's own
        if (tickets.unsafeOffer(undefined)) return push(priority)
        return Effect.flatMap(Effect.exit(restore(Queue.offer(tickets, undefined))), (offered) => {
          if (closed) {
            const giveBack = Exit.isSuccess(offered) ? Queue.poll(tickets) : Effect.void
            return Effect.zipRight(giveBack, Effect.fail(new PoolClosedError()))
          }
          return Exit.isFailure(offered) ? Effect.failCause(offered.cause) : push(priority)
        })
      })

    const push = (priority: number) => {
      const entry: Entry = {
        priority,
        seq: seq++,
        state: "queued",
        resume: undefined,
        ticketReturned: false,
        fiber: undefined
      }
      heap.push(entry)
      queued++
      return Effect.as(observe(undefined), entry)
    }

    const awaitGrant = (entry: Entry) =>
      Effect.async<void, PoolClosedError>((resume) => {
        if (entry.state === "granted") return resume(Effect.void)
        if (entry.state === "refused") return resume(Effect.fail(new PoolClosedError()))
        entry.resume = resume
      })

    /**
     * Waits for a worker's grant, then runs the task in this fiber and gives the
     * permit back. Runs with interruption off; `restore` opens the two waits.
     */
    const runEntry = <A, E, R>(
      entry: Entry,
      task: Effect.Effect<A, E, R>,
      options: TaskOptions<E> | undefined,
      restore: Restore
    ): Effect.Effect<A, E | PoolClosedError | TaskTimeoutError, R> =>
      Effect.withFiberRuntime((fiber) => {
        entry.fiber = fiber as Fiber.RuntimeFiber<unknown, unknown>
        return Effect.flatMap(Effect.exit(restore(awaitGrant(entry))), (
          granted
        ): Effect.Effect<A, E | PoolClosedError | TaskTimeoutError, R> => {
          if (Exit.isFailure(granted)) return Effect.zipRight(cancel(entry), Effect.failCause(granted.cause))
          const start = Date.now()
          return Effect.flatMap(
            Effect.exit(restore(withTaskSpan(runTask(task, options), options?.label))),
            (exit) => Effect.zipRight(finish(entry, start, exit), exit)
          )
        })
      })

    const submit = <A, E, R>(task: Effect.Effect<A, E, R>, options?: TaskOptions<E>) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(enqueue(options?.priority ?? 0, restore), (entry) => runEntry(entry, task, options, restore))
      )

    const fork = <A, E, R>(task: Effect.Effect<A, E, R>, options?: TaskOptions<E>) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(
          enqueue(options?.priority ?? 0, restore),
          (entry) => Effect.forkIn(runEntry(entry, task, options, restore), scope)
        )
      )

    const shutdown = Effect.suspend(() => {
      closed = true
      checkDrained()
      return Deferred.await(drained)
    })

    const resize = (n: number) =>
      Effect.zipRight(
        validateConcurrency("resize", n),
        Effect.suspend(() => {
          concurrency = n
          return Effect.zipRight(spawnWorkers(n), permits.resize(n))
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
