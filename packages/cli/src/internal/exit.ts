/**
 * Exit statuses and the one-line error messages, as GNU parallel users expect them.
 *
 * @internal
 */
import * as Data from "effect/Data"

/** A bad option, value or command line; the message is one line without the `fanout: ` prefix. @internal */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

/** A usage or input error (GNU parallel's 255). @internal */
export const usageError = 255

/**
 * A run whose stdout's reader went away (`| head`): what a shell reports for a
 * program killed by SIGPIPE, as GNU parallel exits then, for a real run and a
 * dry run alike.
 *
 * @internal
 */
export const brokenPipe = 141

/** A SIGHUP that left inputs unstarted. @internal */
export const hangupStatus = 129

/** @internal */
export const signalStatus = (signal: NodeJS.Signals): number => (signal === "SIGINT" ? 130 : 143)

/** @internal */
export const line = (message: string): string => `fanout: ${message}\n`

/** `option: expected …, got 'value'`: every bad value is reported in these words. @internal */
export const bad = (option: string, expected: string, got: string): UsageError =>
  new UsageError({ message: `${option}: expected ${expected}, got '${got}'` })
