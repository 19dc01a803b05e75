import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import type * as MetricLabel from "effect/MetricLabel"
import type * as Tracer from "effect/Tracer"

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

/**
 * The default tracer exports nothing, so under it the per-task span would be pure
 * cost (a native span costs more than the rest of a submit); the pool makes its
 * span only when the program installed a tracer of its own.
 */
let defaultTracer: Tracer.Tracer | undefined
const isDefaultTracer = (tracer: Tracer.Tracer) => tracer === (defaultTracer ??= Effect.runSync(Effect.tracer))

/**
 * What a pool reports: its gauges and duration histogram, under the metric
 * labels in force where it was made, and a span per task under a real tracer.
 *
 * @internal
 */
export class Instruments {
  private queued = 0
  private running = 0

  constructor(private readonly labels: ReadonlyArray<MetricLabel.MetricLabel>) {}

  /** Sets the gauges that changed since the last call (a task's path moves one or two of them). */
  gauges(queued: number, running: number): void {
    if (queued !== this.queued) queueDepth.unsafeUpdate(this.queued = queued, this.labels)
    if (running !== this.running) runningTasks.unsafeUpdate(this.running = running, this.labels)
  }

  duration(ms: number): void {
    taskDuration.unsafeUpdate(ms, this.labels)
  }

  traced<A, E, R>(
    fiber: Fiber.RuntimeFiber<unknown, unknown>,
    task: Effect.Effect<A, E, R>,
    label: string | undefined
  ): Effect.Effect<A, E, R> {
    if (isDefaultTracer(fiber.currentTracer)) return task
    return Effect.withSpan(task, "WorkerPool.task", {
      attributes: label === undefined ? {} : { label },
      captureStackTrace: false
    })
  }
}
