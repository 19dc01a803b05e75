/**
 * The path argv takes: split → Config → inputs → dry run or
 * the batch runner → exit status. Errors end here as one line on stderr.
 *
 * @internal
 */
import { Output } from "@fanout/shell"
import * as Effect from "effect/Effect"
import { splitWithDefaults } from "./argv.js"
import { type Config, settingsOf, toConfig } from "./config.js"
import { dryRun } from "./dryRun.js"
import * as Exit from "./exit.js"
import { UsageError } from "./exit.js"
import { hangup } from "./hangup.js"
import { help } from "./help.js"
import { InputError, open } from "./inputs.js"
import { arrange } from "./jobOrder.js"
import { defaultMaxChars } from "./jobs.js"
import { lostFunctionWarning } from "./jobShell.js"
import { jobSpecOf } from "./jobSpec.js"
import { runPipe } from "./pipe.js"
import { runBatch } from "./runBatch.js"
import { parse as parseTemplate } from "./template.js"

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
        colsep: config.columns,
        link: config.link,
        header: config.header !== undefined && config.header !== "0",
        continueLines: config.maxLines !== undefined,
        warn: (message) => void io.stderr.write(Exit.line(`warning: ${message}`)),
        ...(io.stdin === undefined ? {} : { stdin: io.stdin })
      }),
    catch: (error) => error instanceof InputError ? error : new InputError({ message: String(error) })
  })

const warnBeforeRunning = (config: Config, io: Io) =>
  Effect.sync(() => {
    const readsStdin = config.sources.some((group) =>
      group.some((source) => source._tag === "Stdin" || (source._tag === "File" && source.path === "-"))
    )
    if (readsStdin && io.stdin === undefined && process.stdin.isTTY) {
      io.stderr.write(Exit.line("reading inputs from the terminal, one a line (end with Ctrl-D); forgot ::: or -a?"))
    }
    const lost = config.dryRun ? undefined : lostFunctionWarning(parseTemplate(config.command, config.templateOptions))
    if (lost !== undefined) io.stderr.write(Exit.line(`warning: ${lost}`))
    if (config.maxChars !== undefined && config.maxChars > defaultMaxChars) {
      // GNU parallel: "Value for option -s should be < 63664."; the line is cut at that length.
      io.stderr.write(Exit.line(`warning: -s ${config.maxChars}: expected at most ${defaultMaxChars}, using that`))
    }
  })

/**
 * Runs a validated configuration; the result is the exit status.
 *
 * @internal
 */
export const run = (config: Config, io: Io = defaultIo()): Effect.Effect<number, InputError | UsageError> =>
  Effect.gen(function*() {
    // `--cat` and `--fifo` mean `--pipe` unless `--pipepart` is given, as in GNU parallel.
    if (config.pipe || config.pipePart || config.blockAs !== "stdin") {
      return yield* runPipe(config, io, hangup).pipe(
        Effect.catchAll((error) =>
          Effect.fail(error instanceof UsageError ? error : new InputError({ message: error.message }))
        )
      )
    }
    yield* warnBeforeRunning(config, io)
    const inputs = yield* openInputs(config, io)
    const spec = yield* Effect.tryPromise({
      try: () => jobSpecOf(config, { ...inputs, records: arrange(config, inputs.records) }),
      catch: (error) =>
        error instanceof InputError || error instanceof UsageError
          ? error
          : new InputError({ message: String(error) })
    })
    if (config.dryRun) {
      return yield* dryRun(config, spec, io.stdout).pipe(
        Effect.catchTag("JoblogError", (error) => Effect.fail(new InputError({ message: error.message })))
      )
    }
    return yield* runBatch(config, spec, io, hangup).pipe(
      Effect.catchAll((error) => Effect.fail(new InputError({ message: error.message })))
    )
  })

/**
 * From argv (without `node` and the script) to an exit status. Never fails:
 * every error is reported here as one line on `io.stderr`. argv is read once,
 * by the option table; `@effect/cli` is loaded only to print completions.
 *
 * @internal
 */
export const main = (argv: ReadonlyArray<string>, io: Io = defaultIo()): Effect.Effect<number> =>
  Effect.suspend(() => {
    const parsed = splitWithDefaults(argv, process.env.PARALLEL)
    const settings = settingsOf(parsed.values)
    if (settings.help) return Effect.sync(() => write(io.stdout, help(io.stdout)))
    if (settings.version) return Effect.sync(() => write(io.stdout, `${version}\n`))
    if (settings.completions !== undefined) {
      const shell = settings.completions
      return Effect.promise(() => import("./completions.js")).pipe(
        Effect.flatMap((completions) => completions.script(shell)),
        Effect.map((script) => write(io.stdout, script))
      )
    }
    return run(toConfig(settings, parsed.rest), io)
  }).pipe(
    // A write to our own stdout or stderr that failed (a full disk) is the user's to know, not an internal error.
    Effect.catchAllDefect((defect) =>
      defect instanceof UsageError || defect instanceof Output.OutputWriteError
        ? Effect.fail(defect)
        : Effect.die(defect)
    ),
    Effect.catchAll((error) =>
      Effect.sync(() => {
        io.stderr.write(Exit.line(error.message))
        return Exit.usageError
      })
    )
  )

const write = (stream: NodeJS.WritableStream, text: string): number => {
  stream.write(text)
  return 0
}
