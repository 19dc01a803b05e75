/**
 * The path argv takes: split → @effect/cli → Config → inputs → dry run or
 * the batch runner → exit status. Errors end here as one line on stderr.
 *
 * @internal
 */
import type * as CliApp from "@effect/cli/CliApp"
import * as CliConfig from "@effect/cli/CliConfig"
import * as CliCommand from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import { Output } from "@fanout/shell"
import * as Effect from "effect/Effect"
import { split, UsageError } from "./argv.js"
import { dryRun } from "./dryRun.js"
import * as Exit from "./exit.js"
import { hangup } from "./hangup.js"
import { InputError, open } from "./inputs.js"
import type { Config } from "./options.js"
import { command, toConfig } from "./options.js"
import { runBatch } from "./runBatch.js"

/** @internal */
export const version = "0.1.0"

/** @internal */
export interface Io {
  readonly stdin?: NodeJS.ReadableStream
  readonly stdout: NodeJS.WritableStream
  readonly stderr: NodeJS.WritableStream
}

const defaultIo = (): Io => ({ stdout: process.stdout, stderr: process.stderr })

const openInputs = (config: Config, io: Io) =>
  Effect.tryPromise({
    try: () =>
      open(config.sources, {
        delimiter: config.delimiter,
        colsep: config.colsep,
        link: config.link,
        warn: (message) => void io.stderr.write(Exit.line(`warning: ${message}`)),
        ...(io.stdin === undefined ? {} : { stdin: io.stdin })
      }),
    catch: (error) => error instanceof InputError ? error : new InputError({ message: String(error) })
  })

const warnIfTerminal = (config: Config, io: Io) =>
  Effect.sync(() => {
    const readsStdin = config.sources.some((group) =>
      group.some((source) => source._tag === "Stdin" || (source._tag === "File" && source.path === "-"))
    )
    if (readsStdin && io.stdin === undefined && process.stdin.isTTY) {
      io.stderr.write(Exit.line("reading inputs from the terminal, one a line (end with Ctrl-D); forgot ::: or -a?"))
    }
  })

/**
 * Runs a validated configuration; the result is the exit status.
 *
 * @internal
 */
export const run = (config: Config, io: Io = defaultIo()): Effect.Effect<number, InputError | UsageError> =>
  Effect.gen(function*() {
    yield* warnIfTerminal(config, io)
    const jobs = yield* openInputs(config, io)
    if (config.dryRun) {
      return yield* dryRun(config, jobs, io.stdout).pipe(
        Effect.catchTag("JoblogError", (error) => Effect.fail(new InputError({ message: error.message })))
      )
    }
    return yield* runBatch(config, jobs, io, hangup).pipe(
      Effect.catchAll((error) => Effect.fail(new InputError({ message: error.message })))
    )
  })

/** @effect/cli prints a validation error itself, as help text: we print our one line instead. */
const withoutCliErrorOutput = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(
    Effect.console,
    (console) =>
      Effect.withConsole(effect, {
        ...console,
        error: () => Effect.void,
        unsafe: { ...console.unsafe, error: () => {} }
      })
  )

/**
 * From argv (without `node` and the script) to an exit status. Never fails:
 * every error is reported here as one line on `io.stderr`.
 *
 * @internal
 */
export const main = (
  argv: ReadonlyArray<string>,
  io: Io = defaultIo()
): Effect.Effect<number, never, CliApp.CliApp.Environment> =>
  Effect.suspend(() => {
    const { options, rest, values } = split(argv)
    // @effect/cli's own --version adds a blank line; scripts compare the output.
    if (values.has("version") && !values.has("help")) {
      return Effect.sync(() => {
        io.stdout.write(`${version}\n`)
        return 0
      })
    }
    let status = 0
    const app = CliCommand.run(
      command((raw) =>
        Effect.try({
          try: () => toConfig(raw, rest),
          catch: (error) => error instanceof UsageError ? error : new UsageError({ message: String(error) })
        }).pipe(
          Effect.flatMap((config) => run(config, io)),
          Effect.map((code) => {
            status = code
          })
        )
      ),
      { name: "fanout", version }
    )
    return app(["node", "fanout", ...options]).pipe(
      withoutCliErrorOutput,
      Effect.provide(CliConfig.layer({ showBuiltIns: false })),
      Effect.map(() => status)
    )
  }).pipe(
    // A write to our own stdout or stderr that failed (a full disk) is the user's to know, not an internal error.
    Effect.catchAllDefect((defect) =>
      defect instanceof UsageError || defect instanceof Output.OutputWriteError
        ? Effect.fail(defect)
        : Effect.die(defect)
    ),
    Effect.catchAll((error) =>
      Effect.sync(() => {
        const message = ValidationError.isValidationError(error) ? Exit.validationMessage(error) : error.message
        io.stderr.write(Exit.line(message))
        return Exit.usageError
      })
    )
  )
