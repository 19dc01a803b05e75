/**
 * Running the jobs for real: the validated `Config` and the lazy inputs become
 * `@fanout/shell` job specs, run by `Batch.runJobs` through an `Output`; the
 * result is the batch's exit status.
 *
 * @internal
 */
import { Batch, Output } from "@fanout/shell"
import type * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "./exit.js"
import { resumeOf, tagOf } from "./jobSpec.js"
import type { Config } from "./options.js"
import * as Progress from "./progress.js"
import { render } from "./template.js"

/**
 * `-j 0`: "as many as possible". GNU parallel caps it by the file handles and
 * processes it can open (52 slots were seen here); the pool starts one worker
 * per slot, so 2^16 slots cost 12 s and 1 GB before the first job. 256 is far
 * past what a 2-core machine runs usefully, and cheap.
 */
const unlimitedJobs = 256

/** Job specs, made as the batch reads them: nothing is held beyond the pool's read-ahead. */
async function* specs(config: Config, jobs: AsyncIterable<ReadonlyArray<string>>) {
  const tag = tagOf(config)
  let seq = 0
  for await (const args of jobs) {
    const n = ++seq
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
): Effect.Effect<number, Error> =>
  Effect.scoped(Effect.gen(function*() {
    const output = yield* Output.make({
      mode: config.output,
      keepOrder: config.keepOrder,
      format: config.json ? "json" : "raw",
      stdout: io.stdout,
      stderr: io.stderr
    })
    const progress = Progress.make(config, io.stderr)
    const summary = yield* Batch.runJobs(specs(config, jobs), {
      jobs: config.jobs === Infinity ? unlimitedJobs : config.jobs,
      shell: config.shell,
      termSeq: config.termSeq,
      timeout: config.timeout === undefined
        ? undefined
        : config.timeout._tag === "Percent"
        ? { percent: config.timeout.percent }
        : Duration.millis(config.timeout.seconds * 1000),
      retries: config.retries,
      halt: config.halt,
      delay: config.delay > 0 ? Duration.millis(config.delay * 1000) : undefined,
      output,
      joblog: config.joblog,
      resume: resumeOf(config),
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
