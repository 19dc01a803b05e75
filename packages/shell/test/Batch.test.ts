import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Batch, Halt, type Job } from "../src/index.js"
import { awaitProcesses, livePids, marker } from "./helpers/procs.js"

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "fanout-batch-"))
const specs = (commands: ReadonlyArray<string>): Array<Job.JobSpec> =>
  commands.map((command, i) => ({ seq: i + 1, command, args: [String(i + 1)] }))
const halt = (text: string) => Either.getOrThrow(Halt.parse(text))
const quiet = { warn: () => Effect.void }
const rows = (file: string) => fs.readFileSync(file, "utf8").trim().split("\n").slice(1).map((line) => line.split("\t"))

describe("Batch.run", () => {
  it.live("a job that cannot start says why, naming the job and its command", () =>
    Effect.gen(function*() {
      const warnings: Array<string> = []
      const warn = (message: string) => Effect.sync(() => void warnings.push(message))
      const summary = yield* Batch.run(specs(["echo a"]), { jobs: 1, shell: "/nonexistent/sh", warn })
      expect(summary).toMatchObject({ failed: 1, exitStatus: 1 })
      expect(warnings).toEqual(["job 1 (echo a) could not start: no such file or directory (the shell)"])
    }))

  it.live("runs at most `jobs` at once, each in the lowest free slot, and reads input lazily", () =>
    Effect.gen(function*() {
      const dir = tmp()
      // Each job counts the jobs running beside it (files in dir) and records its slot.
      const job = `touch ${dir}/run.$PARALLEL_SEQ; ls ${dir} | grep -c run >> ${dir}/peaks; `
        + `echo $PARALLEL_JOBSLOT >> ${dir}/slots; sleep 0.2; rm ${dir}/run.$PARALLEL_SEQ`
      let pulled = 0
      const input = (function*() {
        for (let seq = 1; seq <= 9; seq++) {
          pulled++
          yield { seq, command: job, args: [] }
        }
      })()
      const summary = yield* Batch.run(input, { jobs: 3, ...quiet })
      expect(summary).toMatchObject({ jobs: 9, started: 9, succeeded: 9, failed: 0, exitStatus: 0 })
      expect(pulled).toBe(9)
      const peaks = fs.readFileSync(`${dir}/peaks`, "utf8").trim().split("\n").map(Number)
      expect(Math.max(...peaks)).toBe(3)
      const slots = new Set(fs.readFileSync(`${dir}/slots`, "utf8").trim().split("\n"))
      expect(slots).toEqual(new Set(["1", "2", "3"]))
    }))

  it.live("does not read far ahead of the free slots", () =>
    Effect.gen(function*() {
      let pulled = 0
      const input = (function*() {
        for (let seq = 1;; seq++) {
          pulled++
          yield { seq, command: seq >= 3 ? "exit 1" : "true", args: [] }
        }
      })()
      const summary = yield* Batch.run(input, { jobs: 1, halt: halt("soon,fail=1"), ...quiet })
      expect(summary.exitStatus).toBe(1)
      expect(pulled).toBeLessThan(20)
    }))

  it.live("an input that fails ends intake; the batch fails with its error once the started jobs are done", () =>
    Effect.gen(function*() {
      const dir = tmp()
      const input = (async function*() {
        yield { seq: 1, command: `sleep 0.3; touch ${dir}/1`, args: [] }
        yield { seq: 2, command: `touch ${dir}/2`, args: [] }
        throw new Error("input broke")
      })()
      const exit = yield* Effect.either(Batch.run<Error>(input, { jobs: 2, joblog: `${dir}/log`, ...quiet }))
      expect(Either.flip(exit).pipe(Either.map((e) => e.message))).toEqual(Either.right("input broke"))
      expect(fs.existsSync(`${dir}/1`) && fs.existsSync(`${dir}/2`)).toBe(true)
      expect(rows(`${dir}/log`).map((row) => row[0]).sort()).toEqual(["1", "2"])
    }))

  it.live("counts failures; exit status is the number failed, 101 past 100", () =>
    Effect.gen(function*() {
      const few = yield* Batch.run(specs(["true", "exit 3", "kill -9 $$", "exit 0"]), { jobs: 2, ...quiet })
      expect(few).toMatchObject({ succeeded: 2, failed: 2, exitStatus: 2 })
      expect(few.failures.map((f) => f.seq).sort()).toEqual([2, 3])
      const many = yield* Batch.run(specs(Array.from({ length: 102 }, () => "exit 1")), { jobs: 8, ...quiet })
      expect(many.exitStatus).toBe(101)
    }))

  it.live("retries a failing job up to `retries` runs in all, in the same slot, writing only the last output", () =>
    Effect.gen(function*() {
      const dir = tmp()
      const joblog = path.join(dir, "jl")
      const summary = yield* Batch.run(
        specs([`echo $PARALLEL_JOBSLOT >> ${dir}/runs; [ $(wc -l < ${dir}/runs) -ge 3 ]`, "exit 4"]),
        { jobs: 1, retries: 3, joblog, ...quiet }
      )
      expect(summary).toMatchObject({ succeeded: 1, failed: 1, exitStatus: 1 })
      expect(fs.readFileSync(`${dir}/runs`, "utf8")).toBe("1\n1\n1\n")
      expect(summary.failures[0].attempts).toBe(3)
      expect(rows(joblog).map((row) => [row[0], row[6]])).toEqual([["1", "0"], ["2", "4"]])
    }))

  it.live("a timed-out job's group is terminated and logged with Exitval -1 and the signal (timing: BatchClock)", () =>
    Effect.gen(function*() {
      const dir = tmp()
      const joblog = path.join(dir, "jl")
      const m = marker()
      const warnings: Array<string> = []
      const summary = yield* Batch.run(specs(["true", `sleep ${m}`]), {
        jobs: 2,
        timeout: "300 millis",
        joblog,
        warn: (message) => Effect.sync(() => void warnings.push(message))
      })
      expect(summary).toMatchObject({ succeeded: 1, failed: 1, timedOut: 1, exitStatus: 1 })
      const row = rows(joblog).find((r) => r[0] === "2")!
      expect([row[6], row[7]]).toEqual(["-1", "15"])
      expect(warnings).toEqual([`job 2 was killed because it timed out: sleep ${m}`])
      expect(livePids(m)).toEqual([])
    }))

  it.live("halt now,fail=1 kills running jobs' groups and exits with the failing job's status", () =>
    Effect.gen(function*() {
      const m = marker()
      const dir = tmp()
      const joblog = path.join(dir, "jl")
      const summary = yield* Batch.run(
        specs([`trap '' TERM; sh -c 'sleep ${m}; true' & sleep ${m}; true`, "sleep 0.3; exit 7", "true", "true"]),
        { jobs: 2, halt: halt("now,fail=1"), joblog, ...quiet }
      )
      expect(summary).toMatchObject({ stoppedBy: "halt", exitStatus: 7, failed: 1 })
      expect(livePids(m)).toEqual([])
      // As GNU parallel: the killed job gets no row, so --resume runs it again.
      expect(rows(joblog).map((row) => row[0])).toEqual(["2"])
    }))

  it.live("halt soon,fail=1 starts nothing new and lets running jobs finish", () =>
    Effect.gen(function*() {
      const dir = tmp()
      const summary = yield* Batch.run(
        specs([`sleep 0.6; touch ${dir}/first`, "exit 5", `touch ${dir}/third`, `touch ${dir}/fourth`]),
        { jobs: 2, halt: halt("soon,fail=1"), ...quiet }
      )
      expect(summary).toMatchObject({ stoppedBy: "halt", exitStatus: 5, succeeded: 1, failed: 1 })
      expect(fs.existsSync(`${dir}/first`)).toBe(true)
      expect(fs.existsSync(`${dir}/third`) || fs.existsSync(`${dir}/fourth`)).toBe(false)
    }))

  it.live("halt success, done, fail=N and fail=N% give GNU parallel's exit statuses", () =>
    Effect.gen(function*() {
      const run = (policy: string, codes: ReadonlyArray<number>) =>
        Batch.run(specs(codes.map((code) => `exit ${code}`)), { jobs: 1, halt: halt(policy), ...quiet })
      // Checked against `parallel -j1 --halt <policy> 'exit {}' ::: <codes>`.
      expect((yield* run("now,success=1", [1, 0, 2])).exitStatus).toBe(0)
      expect((yield* run("now,done=2", [1, 0, 2])).exitStatus).toBe(1)
      expect((yield* run("soon,fail=2", [7, 8, 9])).exitStatus).toBe(2)
      expect((yield* run("soon,fail=50%", [7, 0, 8, 0, 9, 0])).exitStatus).toBe(50)
      expect((yield* run("soon,fail=30%", [7, 0, 8, 0, 9, 0])).exitStatus).toBe(34)
      const three = yield* run("soon,fail=2", [7, 8, 9])
      expect(three.started).toBe(2)
      expect(three.notStarted).toBe(three.jobs - 2)
    }))

  it.live("drain: starts nothing new, lets running jobs finish", () =>
    Effect.gen(function*() {
      const dir = tmp()
      const drain = yield* Deferred.make<void>()
      const fiber = yield* Effect.fork(Batch.run(
        specs([`touch ${dir}/1; sleep 0.5; touch ${dir}/1done`, `touch ${dir}/2`, `touch ${dir}/3`]),
        { jobs: 1, drain, ...quiet }
      ))
      while (!fs.existsSync(`${dir}/1`)) yield* Effect.sleep(10)
      yield* Deferred.succeed(drain, undefined)
      const summary = yield* Fiber.join(fiber)
      expect(summary).toMatchObject({ stoppedBy: "drain", started: 1, succeeded: 1, exitStatus: 0 })
      expect(fs.readdirSync(dir).sort()).toEqual(["1", "1done"])
    }))

  it.live("interrupting the batch kills every running group and keeps the rows of finished jobs", () =>
    Effect.gen(function*() {
      const m = marker()
      const dir = tmp()
      const joblog = path.join(dir, "jl")
      const stubborn = `trap '' TERM; sh -c 'sleep ${m}; true' & sleep ${m}; true`
      const fiber = yield* Effect.fork(Batch.run(specs(["true", stubborn, stubborn, stubborn]), {
        jobs: 3,
        joblog,
        ...quiet
      }))
      // Job 1 (`true`) has ended and been logged, and stubborn jobs are running.
      yield* Effect.sync(() => fs.existsSync(joblog) ? rows(joblog).length : 0).pipe(
        Effect.repeat({ until: (n) => n >= 1, schedule: Schedule.spaced("10 millis") }),
        Effect.timeout("10 seconds")
      )
      yield* awaitProcesses(`sleep ${m}`, 6)
      yield* Fiber.interrupt(fiber)
      expect(livePids(m)).toEqual([])
      expect(rows(joblog).map((row) => row[0])).toEqual(["1"])
    }))
})
