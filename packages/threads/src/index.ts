/**
 * @since 0.1.0
 */
export * as ThreadPool from "./ThreadPool.js"

/**
 * @since 0.1.0
 */
export { ThreadCrashError, ThreadPoolStartError, ThreadTaskError } from "./ThreadPool.js"

/**
 * @since 0.1.0
 */
export { transfer } from "./Transfer.js"
