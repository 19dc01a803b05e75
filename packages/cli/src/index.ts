/**
 * @since 0.1.0
 */
export * as Fanout from "./Fanout.js"
