/**
 * Running the jobs for real: the validated `Config` and the lazy inputs become
 * `@fanout/shell` job specs, run by `Batch.runJobs` through an `Output`; the
 * result is the batch's exit status.
 *
 * @internal
 */
import { Batch, Bytes, type Job, Output } from "@fanout/shell"
import type * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as os from "node:os"
import type { Config } from "./config.js"
import * as Exit from "./exit.js"
import { InputError } from "./inputs.js"
import { tagOf } from "./jobSpec.js"
import * as Progress from "./progress.js"
import * as Results from "./results.js"
import { render } from "./template.js"

/**
 * `-j 0`: "as many as possible". GNU parallel caps it by the file handles and
 * processes it can open (52 slots were seen here); the pool starts one worker
 * per slot, so 2^16 slots cost 12 s and 1 GB before the first job. 256 is far
 * past what a 2-core machine runs usefully, and cheap.
 */
const unlimitedJobs = 256

/** Job specs, made as the batch reads them: nothing is held beyond the pool's read-ahead. */
/**
 * Linux's MAX_ARG_STRLEN: one argument (the command line given to `sh -c`) may
 * be at most 32 pages, its NUL included. A longer one fails the spawn with E2BIG.
 */
const maxCommandBytes = 32 * 4096 - 1

/** A command line too long to run stops the batch before any job gets it, naming the input (as GNU parallel). */
const checkLength = (config: Config, args: ReadonlyArray<string>, seq: number): void => {
  let chars = 0
  for (const arg of args) chars += arg.length
  let literal = 0
  let uses = 1
  for (const part of config.template.parts) {
    if (part._tag === "Literal") literal += part.text.length
    else uses++
  }
  // Each input may appear once per replacement string, quoted; a UTF-16 unit is at most 3 bytes.
  // Most lines are far too short to need the exact count.
  if ((chars * 2 * uses + literal + 64) * 3 < maxCommandBytes) return
  const bytes = Bytes.encode(render(config.template, args, seq, 1)).length
  if (bytes <= maxCommandBytes) return
  const input = args.join(" ")
  throw new InputError({
    message: `command line too long (${bytes} > ${maxCommandBytes} bytes) at job ${seq}, input '${
      input.length > 40 ? `${input.slice(0, 40)}...` : input
    }'`
  })
}

async function* specs(config: Config, jobs: AsyncIterable<ReadonlyArray<string>>) {
  const tag = tagOf(config)
  let seq = 0
  for await (const args of jobs) {
    const n = ++seq
    checkLength(config, args, n)
    yield {
      seq: n,
      args,
      command: (slot: number) => render(config.template, args, n, slot),
      tag: tag === undefined ? undefined : tag(args, n)
    }
  }
}

/** @internal */
export interface RunIo {
  readonly stdout: NodeJS.WritableStream
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean }
}

/**
 * Runs every job; returns the exit status (GNU parallel's: 0, the number of
 * failed jobs up to 101, or the failing job's status under `--halt …fail=1`).
 * `drain` completing means "start nothing new, let running jobs finish" (SIGHUP).
 * Interrupting it stops every running job's process group before it returns.
 *
 * @internal
 */
export const runBatch = (
  config: Config,
  jobs: AsyncIterable<ReadonlyArray<string>>,
  io: RunIo,
  drain: Deferred.Deferred<void>
): Effect.Effect<number, Error> => runSpecs(config, specs(config, jobs), io, drain)

/**
 * As {@link runBatch}, for job specs made elsewhere (`--pipe`'s blocks);
 * `onJobEnd` is told of each job as it ends, after the progress report.
 *
 * @internal
 */
export const runSpecs = (
  config: Config,
  jobSpecs: AsyncIterable<Job.JobSpec>,
  io: RunIo,
  drain: Deferred.Deferred<void>,
  onJobEnd?: (result: Job.JobResult) => Effect.Effect<void>
): Effect.Effect<number, Error> =>
  Effect.scoped(Effect.gen(function*() {
    const progress = Progress.make(config, io.stderr)
    const results = Results.make(
      {
        results: config.results,
        files: config.files,
        tmpdir: config.tmpdir ?? process.env.TMPDIR ?? os.tmpdir()
      },
      io.stdout,
      io.stderr
    )
    const output = results?.output ?? (yield* Output.make({
      mode: config.output,
      keepOrder: config.keepOrder,
      format: config.json ? "json" : "raw",
      stdout: progress === undefined ? io.stdout : progress.stdout(io.stdout),
      stderr: io.stderr
    }))
    const reportEnd = progress?.onJobEnd
    const summary = yield* Batch.runJobs(results === undefined ? jobSpecs : results.track(jobSpecs), {
      jobs: config.jobs === Infinity ? unlimitedJobs : config.jobs,
      shell: config.shell,
      termSeq: config.termSeq,
      timeout: config.timeout,
      retries: config.retries,
      halt: config.halt,
      delay: config.delay,
      output,
      joblog: config.joblog,
      resume: config.resume,
      drain,
      onJobEnd: reportEnd === undefined || onJobEnd === undefined
        ? reportEnd ?? onJobEnd
        : (result) => Effect.zipRight(reportEnd(result), onJobEnd(result)),
      warn: (message) => Effect.sync(() => void io.stderr.write(`fanout: ${message}\n`))
    })
    if (progress !== undefined) yield* progress.finish
    if (summary.stoppedBy === "output-closed") return Exit.brokenPipe
    // Inputs were left unstarted because of SIGHUP: 128 + its number, as for SIGINT and SIGTERM.
    if (summary.stoppedBy === "drain" && summary.notStarted > 0) return Exit.hangupStatus
    return summary.exitStatus
  }))
