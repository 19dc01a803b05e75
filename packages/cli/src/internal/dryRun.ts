/**
 * `--dry-run`: every job's command line on stdout, one a line, exactly as GNU
 * parallel prints them — with the job's tag, and without the jobs a resume
 * skips. The lines go through `@fanout/shell`'s `Output` like a real run's
 * output, so a reader that goes away and a write that fails are handled by
 * the same code.
 *
 * @internal
 */
import { Bytes, Joblog, Output } from "@fanout/shell"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Runtime from "effect/Runtime"
import type { Config } from "./config.js"
import * as Status from "./exit.js"
import { InputError } from "./inputs.js"
import type { JobSpec } from "./jobSpec.js"
import type { Job } from "./template.js"

/**
 * GNU parallel's `{%}` under `--dry-run`: its dry jobs end at once, so only
 * slots 1 and 2 take turns (slot 1 alone with `-j 1`, a new slot a job with
 * `-j 0`). Copied so the printed lines match.
 */
const drySlot = (jobs: number, seq: number): number => jobs === Infinity ? seq : jobs === 1 ? 1 : ((seq - 1) % 2) + 1

type Write = (text: string) => Promise<Exit.Exit<void, Output.OutputClosedError>>

/** The printed line of a job. */
const lineOf = (config: Config, spec: JobSpec, job: Job): string => {
  const slotted = { ...job, slot: drySlot(config.jobs, job.seq) }
  const command = spec.command(slotted)
  return spec.tag === undefined ? `${command}\n` : `${spec.tag(slotted)}\t${command}\n`
}

/**
 * Lines go out in big writes while inputs keep coming, and at once when
 * fanout would wait for more input (an immediate runs only then). Resolves
 * with the first write that failed, if any.
 */
const writeLines = async (
  config: Config,
  spec: JobSpec,
  skip: ((seq: number) => boolean) | undefined,
  write: Write
): Promise<Exit.Exit<void, Output.OutputClosedError>> => {
  let buffer = ""
  let failed: Exit.Exit<void, Output.OutputClosedError> | undefined
  let pending: Promise<void> | undefined
  const flush = () => {
    if (buffer === "" || failed !== undefined) return
    const text = buffer
    buffer = ""
    const previous = pending ?? Promise.resolve()
    pending = previous.then(() => write(text)).then((exit) => void (Exit.isFailure(exit) && (failed ??= exit)))
  }
  let scheduled: NodeJS.Immediate | undefined
  try {
    for await (const job of spec.jobs) {
      if (failed !== undefined) break
      if (skip?.(job.seq) === true) continue
      buffer += lineOf(config, spec, job)
      if (buffer.length >= 1 << 16) {
        flush()
        await pending
      } else {
        scheduled ??= setImmediate(() => {
          scheduled = undefined
          flush()
        })
      }
    }
  } finally {
    if (scheduled !== undefined) clearImmediate(scheduled)
    // The jobs before a bad input (a line too long) are printed before the error, as GNU parallel does.
    flush()
    await pending
  }
  return failed ?? Exit.void
}

/**
 * Prints the dry run; the result is the exit status (0, or 141 when the reader
 * went away). A write error dies with `OutputWriteError`, as in a real run.
 *
 * @internal
 */
export const dryRun = (
  config: Config,
  spec: JobSpec,
  stdout: NodeJS.WritableStream
): Effect.Effect<number, InputError | Joblog.JoblogError> =>
  Effect.scoped(Effect.gen(function*() {
    const resume = config.resume
    const finished = resume !== undefined && config.joblog !== undefined
      ? yield* Joblog.finishedSeqs(config.joblog, resume)
      : undefined
    const output = yield* Output.make({ mode: "ungroup", keepOrder: false, format: "raw", stdout })
    const job = yield* output.open({ seq: 1 })
    const runPromiseExit = Runtime.runPromiseExit(yield* Effect.runtime<never>())
    const write: Write = (text) => runPromiseExit(job.stdout(Bytes.encode(text)))
    const exit = yield* Effect.tryPromise({
      try: () => writeLines(config, spec, finished === undefined ? undefined : (seq) => finished.has(seq), write),
      catch: (error) => error instanceof InputError ? error : new InputError({ message: String(error) })
    })
    yield* exit
    yield* output.finish
    return 0
  })).pipe(Effect.catchTag("OutputClosedError", () => Effect.succeed(Status.brokenPipe)))
