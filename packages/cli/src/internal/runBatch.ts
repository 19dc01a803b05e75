/**
 * Running the jobs for real: the validated `Config` and the lazy inputs become
 * `@fanout/shell` job specs, run by `Batch.runJobs` through an `Output`; the
 * result is the batch's exit status.
 *
 * @internal
 */
import { Batch, Bytes, Output } from "@fanout/shell"
import type * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type { Config } from "./config.js"
import * as Exit from "./exit.js"
import { InputError } from "./inputs.js"
import type { JobSpec } from "./jobSpec.js"
import * as Progress from "./progress.js"
import type { Job } from "./template.js"

/**
 * `-j 0`: "as many as possible". GNU parallel caps it by the file handles and
 * processes it can open (52 slots were seen here); the pool starts one worker
 * per slot, so 2^16 slots cost 12 s and 1 GB before the first job. 256 is far
 * past what a 2-core machine runs usefully, and cheap.
 */
const unlimitedJobs = 256

/**
 * Linux's MAX_ARG_STRLEN: one argument (the command line given to `sh -c`) may
 * be at most 32 pages, its NUL included. A longer one fails the spawn with E2BIG.
 */
const maxCommandBytes = 32 * 4096 - 1

/**
 * A command line too long to run stops the batch before any job gets it, naming the input.
 * `-s` bounds it in characters; this is its bound in bytes, for inputs of many-byte characters.
 */
const checkLength = (command: string, job: Job): void => {
  // A UTF-16 unit is at most 3 bytes: most lines are far too short to need the exact count.
  if (command.length * 3 <= maxCommandBytes) return
  const bytes = Bytes.encode(command).length
  if (bytes <= maxCommandBytes) return
  const input = job.args.join(" ")
  throw new InputError({
    message: `command line too long (${bytes} > ${maxCommandBytes} bytes) at job ${job.seq}, input '${
      input.length > 40 ? `${input.slice(0, 40)}...` : input
    }'`
  })
}

/** Job specs, made as the batch reads them: nothing is held beyond the pool's read-ahead. */
async function* specs(spec: JobSpec) {
  const { tag } = spec
  for await (const job of spec.jobs) {
    checkLength(spec.command(job), job)
    yield {
      seq: job.seq,
      args: job.args,
      command: (slot: number) => spec.command({ ...job, slot }),
      tag: tag === undefined ? undefined : (slot: number) => tag({ ...job, slot })
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
  spec: JobSpec,
  io: RunIo,
  drain: Deferred.Deferred<void>
): Effect.Effect<number, Error> =>
  Effect.scoped(Effect.gen(function*() {
    const progress = Progress.make(config, io.stderr)
    const output = yield* Output.make({
      mode: config.output,
      keepOrder: config.keepOrder,
      format: config.json ? "json" : "raw",
      stdout: progress === undefined ? io.stdout : progress.stdout(io.stdout),
      stderr: io.stderr
    })
    const summary = yield* Batch.runJobs(specs(spec), {
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
      onJobEnd: progress?.onJobEnd,
      warn: (message) => Effect.sync(() => void io.stderr.write(`fanout: ${message}\n`))
    })
    if (progress !== undefined) yield* progress.finish
    if (summary.stoppedBy === "output-closed") return Exit.brokenPipe
    // Inputs were left unstarted because of SIGHUP: 128 + its number, as for SIGINT and SIGTERM.
    if (summary.stoppedBy === "drain" && summary.notStarted > 0) return Exit.hangupStatus
    return summary.exitStatus
  }))
