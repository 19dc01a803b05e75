import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import type { WorkerPool } from "../WorkerPool.js"
import { PoolClosedError, type TaskTimeoutError } from "./errors.js"
import { Instruments } from "./instrumentation.js"
import { type AnyFiber, Entry, Running } from "./running.js"
import { withOptions } from "./taskOptions.js"
import { Waiter, WaitingLine } from "./waitingLine.js"

type TaskOptions<E> = WorkerPool.TaskOptions<E>
type Restore = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

/**
 * The pool is a permit counter with two waiting lines; it has no fibers of its
 * own. A caller that finds a permit free (so nobody is waiting) takes it and runs
 * its task at once, in its own fiber, with its own context, span and
 * interruption. Otherwise its entry waits in `tasks`, and whoever gives a permit
 * back hands it straight to the first entry and wakes that caller alone. When
 * `tasks` holds `capacity` entries, callers wait in `room` for a place in it.
 * Each method is plain synchronous code run inside one effect step, so no fiber
 * ever sees the state half done.
 */
class PoolState {
  free: number
  closed = false
  succeeded = 0
  failed = 0
  interrupted = 0
  readonly tasks = new WaitingLine<Entry>()
  readonly room = new WaitingLine<Waiter>()
  readonly running = new Running()

  constructor(
    public concurrency: number,
    readonly capacity: number,
    readonly drained: Deferred.Deferred<void>,
    readonly instruments: Instruments,
    readonly clock: Clock.Clock
  ) {
    this.free = concurrency
  }

  /** A permit if one is free, else a place in `tasks`; `undefined` when `tasks` is full. */
  admit(priority: number): Entry | undefined {
    const entry = new Entry(priority)
    if (this.free > 0) {
      // a free permit means nobody waits: dispatch hands permits out as soon as they come back
      this.free--
      entry.signal = "go"
      this.running.add(entry)
    } else if (this.tasks.size < this.capacity) {
      this.tasks.add(entry)
    } else {
      return undefined
    }
    this.observe()
    return entry
  }

  /** Hands the free permits to the first entries in line, and the room they leave to the callers waiting for it. */
  dispatch(): void {
    while (this.free > 0 && this.tasks.size > 0) {
      this.free--
      this.tasks.wakeFirst(this.grant)
      this.room.wakeFirst()
    }
  }

  private readonly grant = (entry: Entry) => this.running.add(entry)

  /** A permit came back: its task ended, or its caller was interrupted before the task started. */
  release(entry: Entry, began?: number): void {
    this.running.delete(entry)
    this.free++
    this.dispatch()
    this.checkDrained()
    this.observe()
    if (began !== undefined) this.instruments.duration(this.clock.unsafeCurrentTimeMillis() - began)
  }

  /** The caller gave up before its task started: it leaves the line, or gives its permit back. */
  cancel(entry: Entry): void {
    if (this.tasks.leave(entry)) {
      this.interrupted++
      this.room.wakeFirst()
      this.checkDrained()
      this.observe()
    } else if (entry.slot >= 0) {
      this.interrupted++
      this.release(entry)
    }
  }

  /**
   * Stops intake and waits until no task runs. `"drain"` (shutdown) lets the
   * queued tasks run; `"interrupt"` (the scope closing) refuses them and
   * interrupts the running ones.
   */
  close(mode: "drain" | "interrupt"): Effect.Effect<void> {
    return Effect.suspend(() => {
      this.closed = true
      this.room.refuseAll()
      if (mode === "interrupt") {
        this.tasks.refuseAll()
        for (const fiber of this.running.fibers()) fiber.unsafeInterruptAsFork(FiberId.none)
        this.observe()
      }
      this.checkDrained()
      return Deferred.await(this.drained)
    })
  }

  resize(concurrency: number): void {
    this.free += concurrency - this.concurrency
    this.concurrency = concurrency
    this.dispatch()
    this.observe()
  }

  stats(): WorkerPool.Stats {
    const { concurrency, failed, interrupted, succeeded } = this
    return { queued: this.tasks.size, running: this.running.size, succeeded, failed, interrupted, concurrency }
  }

  /** Admits the caller, first waiting (interruptibly) for room while `tasks` is full. */
  enter(priority: number, restore: Restore): Effect.Effect<Entry, PoolClosedError> {
    return Effect.suspend(() => {
      if (this.closed) return Effect.fail(new PoolClosedError())
      const entry = this.admit(priority)
      if (entry !== undefined) return Effect.succeed(entry)
      const waiter = new Waiter(0)
      this.room.add(waiter)
      return Effect.flatMap(Effect.exit(restore(this.room.park(waiter))), (exit) => {
        if (Exit.isSuccess(exit)) return this.enter(priority, restore)
        // interrupted or refused: leave the line, passing on a wake-up this caller can no longer use
        if (!this.room.leave(waiter) && waiter.signal === "go" && !this.closed) this.room.wakeFirst()
        return Effect.failCause(exit.cause)
      })
    })
  }

  /**
   * Runs `task` in `fiber` once `entry` holds a permit, then gives the permit
   * back. Runs with interruption off; `restore` opens the wait and the task.
   */
  run<A, E, R>(
    fiber: AnyFiber,
    entry: Entry,
    task: Effect.Effect<A, E, R>,
    options: TaskOptions<E> | undefined,
    restore: Restore
  ): Effect.Effect<A, E | PoolClosedError | TaskTimeoutError, R> {
    entry.fiber = fiber
    if (entry.slot < 0) {
      return Effect.matchCauseEffect(restore(this.tasks.park(entry)), {
        onFailure: (cause) => {
          this.cancel(entry)
          return Effect.failCause(cause)
        },
        onSuccess: () => this.run(fiber, entry, task, options, restore)
      })
    }
    const began = this.clock.unsafeCurrentTimeMillis()
    const effect = this.instruments.traced(fiber, withOptions(task, options), options?.label)
    return Effect.matchCauseEffect(restore(effect), {
      onFailure: (cause) => {
        if (Cause.isInterruptedOnly(cause)) this.interrupted++
        else this.failed++
        this.release(entry, began)
        return Effect.failCause(cause)
      },
      onSuccess: (value) => {
        this.succeeded++
        this.release(entry, began)
        return Effect.succeed(value)
      }
    })
  }

  private observe() {
    this.instruments.gauges(this.tasks.size, this.running.size)
  }

  private checkDrained() {
    if (this.closed && this.tasks.size === 0 && this.running.size === 0) Deferred.unsafeDone(this.drained, Exit.void)
  }
}

const wholeNumber = (what: string, n: number) =>
  Number.isInteger(n) && n >= 1
    ? Effect.void
    : Effect.dieMessage(`WorkerPool.${what} must be a whole number >= 1, got ${String(n)}`)

/** @internal */
export const make = (options: WorkerPool.Options): Effect.Effect<WorkerPool.Service, never, Scope.Scope> =>
  Effect.gen(function*() {
    const capacity = options.capacity ?? 1024
    yield* wholeNumber("make: concurrency", options.concurrency)
    yield* wholeNumber("make: capacity", capacity)
    const scope = yield* Effect.scope
    // the metric labels in force where the pool was made name its series
    const instruments = new Instruments(yield* FiberRef.get(FiberRef.currentMetricLabels))
    const drained = yield* Deferred.make<void>()
    const state = new PoolState(options.concurrency, capacity, drained, instruments, yield* Effect.clock)
    yield* Scope.addFinalizer(scope, state.close("interrupt"))

    const submit = <A, E, R>(task: Effect.Effect<A, E, R>, options?: TaskOptions<E>) =>
      Effect.uninterruptibleMask((restore): Effect.Effect<A, E | PoolClosedError | TaskTimeoutError, R> => {
        // the mask's body runs in the caller's fiber: reading it costs less than a withFiberRuntime step
        const caller: AnyFiber = Option.getOrThrow(Fiber.getCurrentFiber())
        const entry = state.closed ? undefined : state.admit(options?.priority ?? 0)
        if (entry !== undefined) return state.run(caller, entry, task, options, restore)
        const entered = state.enter(options?.priority ?? 0, restore)
        return Effect.flatMap(entered, (entry) => state.run(caller, entry, task, options, restore))
      })

    const fork = <A, E, R>(task: Effect.Effect<A, E, R>, options?: TaskOptions<E>) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(state.enter(options?.priority ?? 0, restore), (entry) =>
          Effect.forkIn(
            Effect.withFiberRuntime<A, E | PoolClosedError | TaskTimeoutError, R>((fiber) =>
              state.run(fiber as AnyFiber, entry, task, options, restore)
            ),
            scope
          ))
      )

    return {
      submit,
      fork,
      shutdown: state.close("drain"),
      resize: (n: number) => Effect.zipRight(wholeNumber("resize: concurrency", n), Effect.sync(() => state.resize(n))),
      stats: Effect.sync(() => state.stats())
    }
  })
