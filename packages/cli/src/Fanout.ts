/**
 * The `fanout` command as a library: run it with an argv (what `bin.ts`
 * does), or run an already validated `Config`.
 *
 * @since 0.1.0
 */
import type * as CliApp from "@effect/cli/CliApp"
import type * as Effect from "effect/Effect"
import * as argv from "./internal/argv.js"
import * as inputs from "./internal/inputs.js"
import * as internal from "./internal/main.js"
import type * as options from "./internal/options.js"
import * as template from "./internal/template.js"

/**
 * A validated command line: options, the job template and the input sources.
 *
 * @since 0.1.0
 * @category models
 */
export type Config = options.Config

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
export const UsageError = argv.UsageError

/**
 * @since 0.1.0
 * @category errors
 */
export type UsageError = argv.UsageError

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
 * import * as NodeContext from "@effect/platform-node/NodeContext"
 * import * as Effect from "effect/Effect"
 *
 * const status = Fanout.main(["--dry-run", "echo", ":::", "a", "b"]).pipe(Effect.provide(NodeContext.layer))
 * ```
 *
 * @since 0.1.0
 * @category execution
 */
export const main: (argv: ReadonlyArray<string>, io?: Io) => Effect.Effect<number, never, CliApp.CliApp.Environment> =
  internal.main

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
