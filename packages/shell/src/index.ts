/**
 * @since 0.1.0
 */
export * as Job from "./Job.js"

/**
 * @since 0.1.0
 */
export * as Output from "./Output.js"

/**
 * @since 0.1.0
 */
export * as TermSeq from "./TermSeq.js"

/**
 * @since 0.1.0
 */
export * as Batch from "./Batch.js"

/**
 * @since 0.1.0
 */
export * as Halt from "./Halt.js"

/**
 * @since 0.1.0
 */
export * as Joblog from "./Joblog.js"

/**
 * @since 0.1.0
 */
export * as Bytes from "./Bytes.js"

/**
 * @since 0.1.0
 */
export * as JobRunner from "./JobRunner.js"
