import { describe, expect, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import { Job } from "../src/index.js"
import { BatchState } from "../src/internal/batchState.js"
import { makeDelayGate } from "../src/internal/delayGate.js"
import { HaltTracker } from "../src/internal/halt.js"
import { makeJobTimer, PercentTimeout } from "../src/internal/jobTimer.js"

const result = (seq: number, exitCode: number | null, more: Partial<Job.JobResult> = {}): Job.JobResult => ({
  seq,
  slot: 1,
  command: `job ${seq}`,
  args: [],
  exitCode,
  signal: null,
  timedOut: false,
  start: 0,
  runtime: 10,
  attempts: 1,
  stdoutBytes: 0,
  stderrBytes: 0,
  ...more
})

describe("the delay gate", () => {
  it.effect("lets callers through `delay` apart, the first at once", () =>
    Effect.gen(function*() {
      const turn = yield* makeDelayGate("100 millis")
      const times: Array<number> = []
      const fiber = yield* Effect.fork(Effect.forEach(
        [1, 2, 3],
        () =>
          Effect.zipRight(turn, Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => times.push(now)))),
        { concurrency: "unbounded" }
      ))
      yield* TestClock.adjust(1_000)
      yield* Fiber.join(fiber)
      expect(times).toEqual([0, 100, 200])
    }))

  it.effect("does not wait when the last start is long enough ago, and is free without a delay", () =>
    Effect.gen(function*() {
      const turn = yield* makeDelayGate("100 millis")
      yield* turn
      yield* TestClock.adjust(150)
      yield* turn
      expect(yield* Clock.currentTimeMillis).toBe(150)
      expect(yield* makeDelayGate(undefined)).toBe(Effect.void)
    }))
})

describe("the job timer", () => {
  it.effect("fixed: fires after its time with that time", () =>
    Effect.gen(function*() {
      const { percent, timer } = makeJobTimer("2 seconds")
      expect(percent).toBeUndefined()
      const fiber = yield* Effect.fork(timer!(0))
      yield* TestClock.adjust(1_999)
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust(1)
      expect(Duration.toMillis(yield* Fiber.join(fiber))).toBe(2_000)
    }))

  it.effect("percent: no limit before a success, then N% of the median of the last runtimes", () =>
    Effect.gen(function*() {
      const percent = new PercentTimeout(200)
      const fiber = yield* Effect.fork(percent.timer(0))
      yield* TestClock.adjust(10_000)
      expect(fiber.unsafePoll()).toBeNull()
      percent.succeeded(100)
      percent.succeeded(5_000)
      percent.succeeded(300)
      // the median of 100, 300 and 5000 is 300: the limit is 600 ms from the start, long past
      expect(Duration.toMillis(yield* Fiber.join(fiber))).toBe(600)
    }))
})

describe("the halt tracker", () => {
  const outcome = (failed: boolean, exitCode: number | null = failed ? 3 : 0, signal: string | null = null) => ({
    failed,
    exitCode,
    signal
  })

  it("counts, and halts once its threshold is reached, once", () => {
    const tracker = new HaltTracker({ when: "soon", on: "fail", threshold: { _tag: "Count", count: 2 } }, () => 10)
    tracker.onStart()
    tracker.onStart()
    tracker.onStart()
    expect(tracker.onEnd(outcome(false))).toEqual({ halt: undefined, counted: undefined })
    expect(tracker.onEnd(outcome(true))).toEqual({ halt: undefined, counted: "failed" })
    expect(tracker.onEnd(outcome(true))).toEqual({ halt: "soon", counted: "failed" })
    expect(tracker.exitStatus()).toBe(2)
  })

  it("fail=1 exits with the job's own status, 128 + its signal's number for a signal", () => {
    const fail1 = { when: "now", on: "fail", threshold: { _tag: "Count", count: 1 } } as const
    const byCode = new HaltTracker(fail1, () => 1)
    expect(byCode.onEnd(outcome(true, 7)).halt).toBe("now")
    expect(byCode.exitStatus()).toBe(7)
    const bySignal = new HaltTracker(fail1, () => 1)
    bySignal.onEnd(outcome(true, null, "SIGKILL"))
    expect(bySignal.exitStatus()).toBe(137)
  })

  it("done=N with no failure exits 101, as GNU parallel 20221122", () => {
    const done2 = { when: "soon", on: "done", threshold: { _tag: "Count", count: 2 } } as const
    const clean = new HaltTracker(done2, () => 3)
    clean.onEnd(outcome(false))
    expect(clean.onEnd(outcome(false)).halt).toBe("soon")
    expect(clean.exitStatus()).toBe(101)
    const failed = new HaltTracker(done2, () => 3)
    failed.onEnd(outcome(true))
    failed.onEnd(outcome(false))
    expect(failed.exitStatus()).toBe(1)
  })

  it("a percentage is of all jobs; without a policy the status is the number failed, at most 101", () => {
    const tracker = new HaltTracker({ when: "soon", on: "fail", threshold: { _tag: "Percent", percent: 30 } }, () => 6)
    expect(tracker.onEnd(outcome(true)).halt).toBeUndefined()
    expect(tracker.onEnd(outcome(true)).halt).toBe("soon")
    expect(tracker.exitStatus()).toBe(34)
    const never = new HaltTracker({ when: "never" }, () => 0)
    for (let i = 0; i < 150; i++) never.onEnd(outcome(true))
    expect(never.exitStatus()).toBe(101)
  })
})

describe("the batch's state", () => {
  it("turns each finished job into counts, notices and the halt verdict", () => {
    const state = new BatchState({ when: "soon", on: "fail", threshold: { _tag: "Count", count: 2 } }, 3, undefined)
    state.start()
    state.start()
    state.start()
    expect(state.finish({ result: result(1, 0), error: undefined })).toMatchObject({ notices: [], halt: undefined })
    const timedOut = result(2, null, { timedOut: true, signal: "SIGTERM" })
    expect(
      state.finish({
        result: timedOut,
        error: new Job.JobTimeoutError({ result: timedOut, after: Duration.millis(300) })
      })
    )
      .toMatchObject({ notices: ["job 2 was killed because it timed out: job 2", "this job failed: job 2"] })
    const notRun = result(3, 127)
    expect(state.finish({ result: notRun, error: new Job.JobSpawnError({ result: notRun, code: "ENOENT" }) }))
      .toMatchObject({
        notices: ["job 3 (job 3) could not start: no such file or directory (the shell)", "this job failed: job 3"],
        halt: "soon"
      })
    state.stop("halt")
    state.stop("drain")
    expect(state.summary(0)).toMatchObject({
      started: 3,
      succeeded: 1,
      failed: 2,
      timedOut: 1,
      stoppedBy: "halt",
      exitStatus: 2
    })
  })
})
