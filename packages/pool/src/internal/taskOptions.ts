import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { WorkerPool } from "../WorkerPool.js"
import { TaskTimeoutError } from "./errors.js"

/**
 * The task as the options make it: cut short after `timeout` (each attempt),
 * run again while `retry` allows.
 *
 * @internal
 */
export const withOptions = <A, E, R>(
  task: Effect.Effect<A, E, R>,
  options: WorkerPool.TaskOptions<E> | undefined
): Effect.Effect<A, E | TaskTimeoutError, R> => {
  if (options === undefined) return task
  let effect: Effect.Effect<A, E | TaskTimeoutError, R> = task
  if (options.timeout !== undefined) {
    const timeout = Duration.decode(options.timeout)
    const onTimeout = () => new TaskTimeoutError({ label: options.label, timeout })
    effect = Effect.timeoutFail(task, { duration: timeout, onTimeout })
  }
  return options.retry === undefined ? effect : Effect.retry(effect, options.retry)
}
