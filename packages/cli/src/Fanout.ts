/**
 * The `fanout` command as a library: run it with an argv (what `bin.ts`
 * does), or run an already validated `Config`.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as config from "./internal/config.js"
import * as exit from "./internal/exit.js"
import * as inputs from "./internal/inputs.js"
import * as internal from "./internal/main.js"
import * as template from "./internal/template.js"

/**
 * A validated command line: options, the job template and the input sources.
 *
 * @since 0.1.0
 * @category models
 */
export type Config = config.Config

/**
 * Where `fanout` reads stdin and writes its output (default: the process's own).
 *
 * @since 0.1.0
 * @category models
 */
export type Io = internal.Io

/**
 * A bad option, value or command line. The message is one line without the
 * `fanout: ` prefix, e.g. `-j: expected a number, N%, +N or -N, got 'abc'`.
 *
 * @since 0.1.0
 * @category errors
 */
export const UsageError = exit.UsageError

/**
 * @since 0.1.0
 * @category errors
 */
export type UsageError = exit.UsageError

/**
 * An input file that cannot be opened or read.
 *
 * @since 0.1.0
 * @category errors
 */
export const InputError = inputs.InputError

/**
 * @since 0.1.0
 * @category errors
 */
export type InputError = inputs.InputError

/**
 * The whole command: argv (without `node` and the script) to an exit status.
 * Errors are printed as one line on stderr and give 255; it never fails.
 *
 * @example
 * ```ts
 * import { Fanout } from "@fanout/cli"
 * import * as Effect from "effect/Effect"
 *
 * const status = Effect.runPromise(Fanout.main(["--dry-run", "echo", ":::", "a", "b"]))
 * ```
 *
 * @since 0.1.0
 * @category execution
 */
export const main: (argv: ReadonlyArray<string>, io?: Io) => Effect.Effect<number> = internal.main

/**
 * Runs a validated `Config`; succeeds with the exit status.
 *
 * @since 0.1.0
 * @category execution
 */
export const run: (config: Config, io?: Io) => Effect.Effect<number, InputError | UsageError> = internal.run

/**
 * Quotes a string for a Bourne shell only when it needs it, exactly as GNU
 * parallel does (`a` stays `a`, `a b` becomes `'a b'`).
 *
 * @example
 * ```ts
 * import { Fanout } from "@fanout/cli"
 *
 * Fanout.quote("it's") // 'it'"'"'s'
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const quote: (value: string) => string = template.quote

/**
 * The version `fanout --version` prints.
 *
 * @since 0.1.0
 * @category constants
 */
export const version: string = internal.version
