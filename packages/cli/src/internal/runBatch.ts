/**
 * Running the jobs for real: the validated `Config` and the lazy inputs become
 * `@fanout/shell` job specs, run by `Batch.run` through an `Output`; the
 * result is the batch's exit status.
 *
 * @internal
 */
import { Batch, Bytes, type Job, Joblog, JobRunner, Output } from "@fanout/shell"
import type * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as os from "node:os"
import type { Config } from "./config.js"
import * as Exit from "./exit.js"
import { InputError } from "./inputs.js"
import type { JobSpec } from "./jobSpec.js"
import * as Progress from "./progress.js"
import { knownTotal } from "./progress.js"
import * as Results from "./results.js"
import { StartGate } from "./startGate.js"
import type { Job as FanoutJob } from "./template.js"

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
const checkLength = (command: string, job: FanoutJob): void => {
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

/**
 * The job specs, each read when the gate lets a job start (a job the joblog
 * shows done is skipped by the batch, and does not wait). `-t` prints each
 * command line on stderr as its job starts.
 */
async function* specs(
  config: Config,
  spec: JobSpec,
  gate: StartGate | undefined,
  done: { readonly has: (seq: number) => boolean } | undefined,
  stderr: NodeJS.WritableStream
) {
  const { tag } = spec
  for await (const job of spec.jobs) {
    checkLength(spec.command(job), job)
    if (gate !== undefined && done?.has(job.seq) !== true) await gate.enter()
    yield {
      seq: job.seq,
      args: job.args,
      command: (slot: number) => {
        const command = spec.command({ ...job, slot })
        if (config.verbose) stderr.write(`${command}\n`)
        return command
      },
      tag: tag === undefined ? undefined : (slot: number) => tag({ ...job, slot })
    }
  }
}

/**
 * The slots are the gate's to count (so `-j FILE` and SIGUSR1/SIGUSR2 can change
 * them), except when the batch reads every input before it starts (a `%` halt
 * policy): then the pool's size is the limit.
 */
const gateOf = (config: Config): StartGate | undefined =>
  config.halt.when !== "never" && config.halt.threshold._tag === "Percent" ? undefined : new StartGate(config)

/**
 * Room in the pool for the jobs the gate may let start: twice the slots, so
 * SIGUSR1 can add as many again (`-j FILE`: 256, what the file may grow to),
 * and never more than the jobs there are, when the inputs are all on the
 * command line. Each worker of the pool costs start-up time: 256 of them made
 * `fanout true ::: 1` 50 ms slower (140 ms against 200 ms here).
 */
const poolSize = (config: Config, gate: StartGate | undefined): number => {
  const total = knownTotal(config) ?? Infinity
  const room = gate === undefined ? config.jobs : config.jobsFile !== undefined ? unlimitedJobs : 2 * config.jobs
  const cap = config.jobs === Infinity ? unlimitedJobs : Math.max(config.jobs, unlimitedJobs)
  return Math.max(1, Math.min(room, cap, total))
}

/** SIGUSR1 and SIGUSR2 give the running batch one slot more or fewer, as they do `xargs -P`. */
const resizeOnSignals = (gate: StartGate) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const more = () => gate.resize(1)
      const fewer = () => gate.resize(-1)
      process.on("SIGUSR1", more)
      process.on("SIGUSR2", fewer)
      return { more, fewer }
    }),
    ({ fewer, more }) =>
      Effect.sync(() => {
        process.off("SIGUSR1", more)
        process.off("SIGUSR2", fewer)
        gate.close()
      })
  )

/** `--nice`: the jobs inherit fanout's niceness, so fanout takes it on as it starts them. */
const renice = (nice: number | undefined) =>
  Effect.sync(() => {
    if (nice === undefined || nice === 0) return
    try {
      os.setPriority(Math.min(19, os.getPriority() + nice))
    } catch {
      // lowering niceness needs privileges GNU parallel's nice would not have either: run as we are
    }
  })

/**
 * Jobs are forked by the Perl helper, which stops them all if fanout is
 * killed with SIGKILL; without Perl, in-process. `FANOUT_RUNNER=in-process`
 * forces the latter; any other value is a helper command run as is (words
 * split on spaces), speaking the same protocol (the bench's Node helper).
 */
const runnerLayer = (setting: string | undefined) =>
  setting === "in-process"
    ? JobRunner.layerInProcess
    : setting === undefined || setting === ""
    ? JobRunner.layerHelper()
    : JobRunner.layerHelper({ command: setting.split(" ").filter((word) => word !== "") })

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
  runSpecs(config, (gate, done) => specs(config, spec, gate, done, io.stderr), io, drain)

/** Makes the job specs, each read when `gate` lets a job start (see `gated`). @internal */
export type MakeSpecs = (
  gate: StartGate | undefined,
  done: { readonly has: (seq: number) => boolean } | undefined
) => AsyncIterable<Job.JobSpec>

/**
 * Specs made elsewhere (`--pipe`'s blocks), each pulled only once the gate lets
 * a job start: nothing is read ahead of a free slot.
 *
 * @internal
 */
export async function* gated(source: AsyncIterable<Job.JobSpec>, gate: StartGate | undefined) {
  const iterator = source[Symbol.asyncIterator]()
  for (;;) {
    if (gate !== undefined) await gate.enter()
    const next = await iterator.next()
    if (next.done === true) {
      gate?.leave()
      return
    }
    yield next.value
  }
}

/**
 * As {@link runBatch}, for specs made by `makeSpecs`; `onEnd` is told of each
 * job as it ends. `--results` and `--files` take the place of the output.
 *
 * @internal
 */
export const runSpecs = (
  config: Config,
  makeSpecs: MakeSpecs,
  io: RunIo,
  drain: Deferred.Deferred<void>,
  onEnd?: (result: Job.JobResult) => Effect.Effect<void>
): Effect.Effect<number, Error> =>
  Effect.scoped(Effect.gen(function*() {
    const progress = Progress.make(config, io.stderr)
    const results = Results.make(
      {
        results: config.results,
        templateOptions: config.templateOptions,
        slots: config.jobs === Infinity ? unlimitedJobs : config.jobs,
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
      stderr: io.stderr,
      ...(config.tmpdir === undefined ? {} : { tmpdir: config.tmpdir })
    }))
    const gate = gateOf(config)
    if (gate !== undefined) yield* resizeOnSignals(gate)
    const done = gate !== undefined && config.resume !== undefined && config.joblog !== undefined
      ? yield* Joblog.finishedSeqs(config.joblog, config.resume)
      : undefined
    yield* renice(config.nice)
    const onJobEnd = (result: Job.JobResult) =>
      Effect.suspend(() => {
        gate?.leave()
        const reported = progress === undefined ? Effect.void : progress.onJobEnd(result)
        return onEnd === undefined ? reported : Effect.zipRight(reported, onEnd(result))
      })
    const jobSpecs = makeSpecs(gate, done)
    const summary = yield* Batch.run(results === undefined ? jobSpecs : results.track(jobSpecs), {
      jobs: poolSize(config, gate),
      env: config.tmpdir === undefined ? undefined : { ...process.env, TMPDIR: config.tmpdir },
      shell: config.shell,
      termSeq: config.termSeq,
      timeout: config.timeout,
      retries: config.retries,
      halt: config.halt,
      delay: config.delay,
      output,
      joblog: config.joblog,
      // GNU parallel: --joblog +FILE appends, and never writes the header
      joblogAppend: config.joblogAppend,
      joblogHeader: !config.joblogAppend,
      resume: config.resume,
      drain,
      onJobEnd,
      warn: (message) => Effect.sync(() => void io.stderr.write(Exit.line(message)))
    }).pipe(Effect.provide(runnerLayer(process.env.FANOUT_RUNNER)))
    if (progress !== undefined) yield* progress.finish
    if (summary.stoppedBy === "output-closed") return Exit.brokenPipe
    // Inputs were left unstarted because of SIGHUP: 128 + its number, as for SIGINT and SIGTERM.
    if (summary.stoppedBy === "drain" && summary.notStarted > 0) return Exit.hangupStatus
    return summary.exitStatus
  }))
