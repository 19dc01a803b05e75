/**
 * A long-lived pool of task slots that many callers share.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as errors from "./internal/errors.js"
import * as instrumentation from "./internal/instrumentation.js"
import * as internal from "./internal/workerPool.js"

/**
 * `submit` or `fork` after `shutdown` (or after the pool's scope closed), or a
 * task still queued when the scope closed.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { PoolClosedError, WorkerPool } from "@fanout/pool"
 *
 * const late = (pool: WorkerPool.Service) =>
 *   pool.submit(Effect.succeed(1)).pipe(Effect.catchTag("PoolClosedError", (e: PoolClosedError) => Effect.succeed(0)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const PoolClosedError: typeof errors.PoolClosedError = errors.PoolClosedError

/**
 * @since 0.1.0
 * @category errors
 */
export type PoolClosedError = errors.PoolClosedError

/**
 * A task ran longer than its `timeout` option (per attempt); it was interrupted.
 * Carries the task's `label` and the `timeout`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { WorkerPool } from "@fanout/pool"
 *
 * const bounded = (pool: WorkerPool.Service) =>
 *   pool.submit(Effect.never, { timeout: "1 second", label: "stuck" }).pipe(
 *     Effect.catchTag("TaskTimeoutError", (e) => Effect.succeed(e.message)) // "task 'stuck' timed out after 1s"
 *   )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const TaskTimeoutError: typeof errors.TaskTimeoutError = errors.TaskTimeoutError

/**
 * @since 0.1.0
 * @category errors
 */
export type TaskTimeoutError = errors.TaskTimeoutError

/**
 * The pool, as its users see it (the service behind the `WorkerPool` tag).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { WorkerPool } from "@fanout/pool"
 *
 * const program = Effect.gen(function*() {
 *   const pool = yield* WorkerPool.make({ concurrency: 4 })
 *   const n = yield* pool.submit(Effect.succeed(42), { label: "answer", timeout: "1 second" })
 *   const stats = yield* pool.stats // { queued, running, succeeded, failed, interrupted, concurrency }
 * })
 * Effect.runPromise(Effect.scoped(program))
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class WorkerPool extends Context.Tag("@fanout/pool/WorkerPool")<WorkerPool, WorkerPool.Service>() {
  /**
   * A pool that lives in the current scope: closing it interrupts the running
   * tasks, fails the queued ones with `PoolClosedError`, and awaits them all.
   * `capacity` (default 1024) bounds the queue: a full queue suspends
   * `submit`/`fork` until a task starts.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { WorkerPool } from "@fanout/pool"
   *
   * const program = Effect.scoped(Effect.gen(function*() {
   *   const pool = yield* WorkerPool.make({ concurrency: 4, capacity: 100 })
   *   return yield* pool.submit(Effect.succeed("done"))
   * }))
   * ```
   *
   * @since 0.1.0
   * @category constructors
   */
  static readonly make: (options: WorkerPool.Options) => Effect.Effect<WorkerPool.Service, never, Scope.Scope> =
    internal.make
  /**
   * The pool as a scoped layer (`yield* WorkerPool` in the programs it is provided to).
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { WorkerPool } from "@fanout/pool"
   *
   * const program = Effect.gen(function*() {
   *   const pool = yield* WorkerPool
   *   return yield* pool.submit(Effect.succeed(1))
   * }).pipe(Effect.provide(WorkerPool.layer({ concurrency: 4 })))
   * ```
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layer = (options: WorkerPool.Options): Layer.Layer<WorkerPool> =>
    Layer.scoped(WorkerPool, WorkerPool.make(options))
}

/**
 * @since 0.1.0
 */
export declare namespace WorkerPool {
  /**
   * Options of `WorkerPool.make` and `WorkerPool.layer`.
   *
   * @example
   * ```ts
   * import type { WorkerPool } from "@fanout/pool"
   *
   * const options: WorkerPool.Options = { concurrency: 8, capacity: 10_000 }
   * ```
   *
   * @since 0.1.0
   * @category models
   */
  export interface Options {
    /** Tasks running at once: a whole number >= 1 (change it later with `resize`). */
    readonly concurrency: number
    /** Tasks that may wait in the queue before `submit` suspends its caller (default 1024). */
    readonly capacity?: number | undefined
  }

  /**
   * Per-task options of `submit` and `fork`.
   *
   * @example
   * ```ts
   * import { Schedule } from "effect"
   * import type { WorkerPool } from "@fanout/pool"
   *
   * const options: WorkerPool.TaskOptions = { timeout: "30 seconds", retry: Schedule.recurs(2), priority: 1, label: "x" }
   * ```
   *
   * @since 0.1.0
   * @category models
   */
  export interface TaskOptions<E = unknown> {
    /** Interrupt the task and fail with `TaskTimeoutError` after this long running (per attempt). */
    readonly timeout?: Duration.DurationInput | undefined
    /** Run the task again on failure (including a timeout) while the schedule allows. */
    readonly retry?: Schedule.Schedule<unknown, NoInfer<E> | TaskTimeoutError, never> | undefined
    /** Higher runs first among queued tasks (default 0); FIFO among equals. */
    readonly priority?: number | undefined
    /** A name for the task, in its span and its errors. */
    readonly label?: string | undefined
  }

  /**
   * A snapshot of the pool, from `pool.stats`.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import type { WorkerPool } from "@fanout/pool"
   *
   * const busy = (pool: WorkerPool.Service) => Effect.map(pool.stats, (s) => s.running === s.concurrency)
   * ```
   *
   * @since 0.1.0
   * @category models
   */
  export interface Stats {
    /** Tasks waiting for a slot. */
    readonly queued: number
    /** Tasks running now. */
    readonly running: number
    /** Tasks that ended with success (after retries). */
    readonly succeeded: number
    /** Tasks that ended with a failure or a defect (a timeout included). */
    readonly failed: number
    /** Tasks interrupted, queued or running. */
    readonly interrupted: number
    /** The current limit (changed by `resize`). */
    readonly concurrency: number
  }

  /**
   * The pool's operations, what `WorkerPool.make` returns and the `WorkerPool` tag holds.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import type { WorkerPool } from "@fanout/pool"
   *
   * const both = (pool: WorkerPool.Service) =>
   *   Effect.gen(function*() {
   *     const fiber = yield* pool.fork(Effect.succeed("later"))
   *     const now = yield* pool.submit(Effect.succeed("now"))
   *     return [now, yield* fiber.await] as const
   *   })
   * ```
   *
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    /**
     * Runs `task` on the pool and waits for its result. Suspends while the queue
     * is full. The task runs in the caller's fiber: at once when a slot is free,
     * else when a finishing task hands its slot over,
     * so it sees the caller's services and span, and interrupting the caller
     * interrupts the task, queued or running.
     */
    readonly submit: <A, E, R>(
      task: Effect.Effect<A, E, R>,
      options?: TaskOptions<E>
    ) => Effect.Effect<A, E | PoolClosedError | TaskTimeoutError, R>
    /** Queues `task` and returns a fiber to await or interrupt; the pool's scope owns it. */
    readonly fork: <A, E, R>(
      task: Effect.Effect<A, E, R>,
      options?: TaskOptions<E>
    ) => Effect.Effect<Fiber.RuntimeFiber<A, E | PoolClosedError | TaskTimeoutError>, PoolClosedError, R>
    /** Stops intake, then waits until every queued and running task has ended. */
    readonly shutdown: Effect.Effect<void>
    /** Changes how many tasks may run at once; running tasks are never cut short. */
    readonly resize: (concurrency: number) => Effect.Effect<void>
    readonly stats: Effect.Effect<Stats>
  }
}

/**
 * The pool's metrics: `fanout_pool_queue_depth` and `fanout_pool_running`
 * (gauges), `fanout_pool_task_duration_ms` (histogram). They carry the metric
 * labels in force where the pool was made (`Effect.tagMetrics` around
 * `WorkerPool.make` names a pool); pools that share labels share the series.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { metrics } from "@fanout/pool"
 *
 * const depth = Effect.map(Metric.value(metrics.queueDepth), (state) => state.value)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const metrics = {
  queueDepth: instrumentation.queueDepth,
  running: instrumentation.runningTasks,
  taskDuration: instrumentation.taskDuration
} as const
