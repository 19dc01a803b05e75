/**
 * @since 0.1.0
 */
export { applyInParallel } from "./ApplyInParallel.js"
export type { ApplyInParallel, Items, Options, StreamOptions } from "./ApplyInParallel.js"
export { metrics, PoolClosedError, TaskTimeoutError, WorkerPool } from "./WorkerPool.js"
