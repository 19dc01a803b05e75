/**
 * A long-lived pool of workers that many callers share.
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
import * as internal from "./internal/workerPool.js"

/**
 * `submit` or `fork` after `shutdown` (or after the pool's scope closed).
 *
 * @since 0.1.0
 * @category errors
 */
export const PoolClosedError: typeof internal.PoolClosedError = internal.PoolClosedError

/**
 * @since 0.1.0
 * @category errors
 */
export type PoolClosedError = internal.PoolClosedError

/**
 * A task ran longer than its `timeout` option; it was interrupted.
 *
 * @since 0.1.0
 * @category errors
 */
export const TaskTimeoutError: typeof internal.TaskTimeoutError = internal.TaskTimeoutError

/**
 * @since 0.1.0
 * @category errors
 */
export type TaskTimeoutError = internal.TaskTimeoutError

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
   * A pool whose workers live in the current scope: closing it interrupts the
   * running tasks, fails the queued ones with `PoolClosedError`, and awaits every
   * worker.
   *
   * @since 0.1.0
   */
  static readonly make: (options: WorkerPool.Options) => Effect.Effect<WorkerPool.Service, never, Scope.Scope> =
    internal.make as never
  /**
   * The pool as a scoped layer (`yield* WorkerPool` in the programs it is provided to).
   *
   * @since 0.1.0
   */
  static readonly layer = (options: WorkerPool.Options): Layer.Layer<WorkerPool> =>
    Layer.scoped(WorkerPool, WorkerPool.make(options))
}

/**
 * @since 0.1.0
 */
export declare namespace WorkerPool {
  /**
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
   * @since 0.1.0
   * @category models
   */
  export interface Stats {
    readonly queued: number
    readonly running: number
    readonly succeeded: number
    readonly failed: number
    readonly interrupted: number
    readonly concurrency: number
  }

  /**
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    /**
     * Runs `task` on the pool and waits for its result. Suspends while the queue
     * is full. The task runs in the caller's fiber once a worker grants it a slot,
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
 * (gauges), `fanout_pool_task_duration_ms` (histogram).
 *
 * @since 0.1.0
 * @category metrics
 */
export const metrics = {
  queueDepth: internal.queueDepth,
  running: internal.runningTasks,
  taskDuration: internal.taskDuration
} as const
