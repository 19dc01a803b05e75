import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import { pipe } from "effect/Function"
import * as TestClock from "effect/TestClock"
import { Batch, Halt, type Job, JobRunner } from "../src/index.js"
import { scriptedRunner } from "./helpers/scriptedRunner.js"

/** Jobs that run for MS milliseconds of the test clock and exit with CODE: `"MS:CODE"`. */
const specs = (commands: ReadonlyArray<string>): Array<Job.JobSpec> =>
  commands.map((command, i) => ({ seq: i + 1, command, args: [] }))
const halt = (text: string) => Either.getOrThrow(Halt.parse(text))

/**
 * Runs the batch on the scripted runner, moving the test clock on by `ms`; returns its summary,
 * its warnings and when each job started, in milliseconds from the batch's start.
 */
const runFor = (ms: number, commands: ReadonlyArray<string>, options: Omit<Batch.BatchOptions, "warn">) =>
  Effect.gen(function*() {
    const { runner, starts } = scriptedRunner()
    const t0 = yield* TestClock.currentTimeMillis
    const warnings: Array<string> = []
    const fiber = yield* Effect.fork(Effect.provideService(
      Batch.run(specs(commands), { ...options, warn: (message) => Effect.sync(() => void warnings.push(message)) }),
      JobRunner.JobRunner,
      runner
    ))
    yield* TestClock.adjust(ms)
    const summary = yield* Fiber.join(fiber)
    return { summary, starts: starts.map(({ at, seq }) => ({ seq, at: at - t0 })), warnings }
  })

describe("Batch.run under TestClock", () => {
  it.effect("keeps `delay` between job starts, retries included, first come first served", () =>
    Effect.gen(function*() {
      const { starts } = yield* runFor(2_000, ["0:0", "0:0", "0:0"], { jobs: 3, delay: "250 millis" })
      expect(starts).toEqual([{ seq: "1", at: 0 }, { seq: "2", at: 250 }, { seq: "3", at: 500 }])

      const retried = yield* runFor(2_000, ["0:1", "0:0"], { jobs: 1, delay: "100 millis", retries: 2 })
      expect(retried.starts).toEqual([{ seq: "1", at: 0 }, { seq: "1", at: 100 }, { seq: "2", at: 200 }])
    }))

  it.effect("takes its inputs first or last (data-last for pipes)", () =>
    Effect.gen(function*() {
      const { runner, starts } = scriptedRunner()
      const summary = yield* pipe(
        specs(["0:0", "0:3"]),
        Batch.run({ jobs: 2 }),
        Effect.provideService(JobRunner.JobRunner, runner)
      )
      expect(summary).toMatchObject({ started: 2, succeeded: 1, failed: 1, exitStatus: 1 })
      expect(starts.length).toBe(2)
    }))

  it.effect("a fixed timeout ends the job after its time, as killed by SIGTERM", () =>
    Effect.gen(function*() {
      const { summary, warnings } = yield* runFor(1_000, ["100:0", "900:0"], { jobs: 2, timeout: "300 millis" })
      expect(summary).toMatchObject({ succeeded: 1, failed: 1, timedOut: 1, exitStatus: 1 })
      expect(summary.failures[0]).toMatchObject({ seq: 2, runtime: 300, timedOut: true, signal: "SIGTERM" })
      expect(warnings).toEqual(["job 2 was killed because it timed out: 900:0"])
    }))

  it.effect("a % timeout is that share of the median runtime of the jobs that succeeded so far", () =>
    Effect.gen(function*() {
      // no limit before a success; then 300% of 100 ms, then of the median of 100, 200 and 100
      const { summary } = yield* runFor(
        10_000,
        ["100:0", "200:0", "100:0", "301:0", "1000:0"],
        { jobs: 1, timeout: { percent: 300 } }
      )
      expect(summary).toMatchObject({ succeeded: 3, timedOut: 2 })
      expect(summary.failures.map((job) => [job.seq, job.runtime])).toEqual([[4, 300], [5, 300]])
    }))

  it.effect("a % timeout of a running job follows the median as other jobs end", () =>
    Effect.gen(function*() {
      // from 100 ms job 4's limit is 300% × 100; at 250 ms the median is 250 and the limit 750
      const { summary } = yield* runFor(5_000, ["100:0", "250:0", "250:0", "700:0"], {
        jobs: 4,
        timeout: { percent: 300 }
      })
      expect(summary).toMatchObject({ succeeded: 4, timedOut: 0 })
    }))

  it.effect("halt now,fail=1 stops the running jobs at the failure and exits with its status", () =>
    Effect.gen(function*() {
      const { starts, summary } = yield* runFor(5_000, ["1000:0", "300:7", "0:0", "0:0"], {
        jobs: 2,
        halt: halt("now,fail=1")
      })
      expect(summary).toMatchObject({ stoppedBy: "halt", exitStatus: 7, started: 2, failed: 1, succeeded: 0 })
      expect(starts.map((start) => start.seq)).toEqual(["1", "2"])
      expect(yield* TestClock.currentTimeMillis).toBe(5_000)
    }))

  it.effect("halt soon,fail=1 starts nothing new and waits for the running jobs", () =>
    Effect.gen(function*() {
      const { summary, warnings } = yield* runFor(5_000, ["600:0", "100:5", "0:0", "0:0"], {
        jobs: 2,
        halt: halt("soon,fail=1")
      })
      expect(summary).toMatchObject({ stoppedBy: "halt", exitStatus: 5, started: 2, succeeded: 1, failed: 1 })
      expect(summary.notStarted).toBe(summary.jobs - 2)
      expect(warnings).toEqual(["this job failed: 100:5", "starting no more jobs, waiting for 1 jobs to finish"])
    }))

  it.effect("halt at a % of all jobs counts them first", () =>
    Effect.gen(function*() {
      const { summary } = yield* runFor(5_000, ["0:1", "0:0", "0:2", "0:0", "0:0", "0:0"], {
        jobs: 1,
        halt: halt("soon,fail=30%")
      })
      // 2 of 6 failed is 33%: past 30%, after the third job
      expect(summary).toMatchObject({ stoppedBy: "halt", started: 3, exitStatus: 34 })
    }))
})
