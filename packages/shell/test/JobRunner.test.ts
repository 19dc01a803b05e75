import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Batch, Bytes, Job, JobRunner } from "../src/index.js"
import { failure, spec } from "./helpers/jobs.js"
import { awaitProcesses, collectingOutput, livePids, marker } from "./helpers/procs.js"

const here = path.dirname(fileURLToPath(import.meta.url))

/** The helper runner of this test, once it has said hello (jobs before that are forked in-process). */
const readyHelper = Effect.gen(function*() {
  const runner = yield* JobRunner.makeHelper()
  // the helper starts with a job that runs for a while (or a second job)
  yield* Effect.provideService(Job.run(spec("sleep 0.05")), JobRunner.JobRunner, runner)
  const deadline = Date.now() + 10_000
  while (!helperReady(runner)) {
    if (Date.now() > deadline) throw new Error("the helper never became ready")
    yield* Effect.sleep(5)
  }
  return runner
})

const helperReady = (runner: JobRunner.JobRunner): boolean =>
  ((runner as unknown as { current?: { ready: boolean } }).current?.ready) === true

const helperPid = (runner: JobRunner.JobRunner): number =>
  (runner as unknown as { current: { pid: number } }).current.pid

/** Runs `effect` with a ready helper as the JobRunner. */
const withHelper = <A, E>(
  f: (runner: JobRunner.JobRunner & { readonly unavailable: string | undefined }) => Effect.Effect<A, E>
) =>
  Effect.scoped(Effect.flatMap(readyHelper, (runner) => Effect.provideService(f(runner), JobRunner.JobRunner, runner)))

describe("JobRunner.layerHelper", () => {
  it.live("runs jobs with their environment, exit codes, signals and output bytes", () =>
    withHelper((runner) =>
      Effect.gen(function*() {
        expect(runner.kind).toBe("helper")
        const output = collectingOutput()
        const result = yield* Job.run(
          { seq: 7, command: "echo $PARALLEL_SEQ $FANOUT_SLOT $X; pwd; echo err >&2", args: [], env: { X: "x" } },
          { slot: 3, output, cwd: os.tmpdir() }
        )
        expect(output.collected.stdout.join("")).toBe(`7 3 x\n${fs.realpathSync(os.tmpdir())}\n`)
        expect(output.collected.stderr.join("")).toBe("err\n")
        expect(result).toMatchObject({ exitCode: 0, signal: null, stderrBytes: 4 })
        expect(output.collected.ends[0].record.exit).toBe(0)

        const exited = failure(yield* Effect.exit(Job.run(spec("exit 4"))))
        expect(exited._tag).toBe("JobExitError")
        expect((exited as Job.JobExitError).result.exitCode).toBe(4)

        const killed = failure(yield* Effect.exit(Job.run(spec("kill -USR1 $$"))))
        expect(killed._tag).toBe("JobSignalError")
        expect((killed as Job.JobSignalError).result.signal).toBe("SIGUSR1")

        const missing = failure(yield* Effect.exit(Job.run(spec(["/nonexistent/program", "a"]))))
        expect(missing._tag).toBe("JobSpawnError")
        expect((missing as Job.JobSpawnError).code).toBe("ENOENT")
        expect((missing as Job.JobSpawnError).result.exitCode).toBe(127)
      })
    ))

  /** A script without `#!`, and a missing program: plain commands run without their shell, until they cannot be. */
  const unexecutable = Effect.gen(function*() {
    // exec fails (ENOEXEC), and the shell runs it as a script
    const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "fanout-noexec-")), "script")
    fs.writeFileSync(script, "echo \"$PARALLEL_SEQ $FANOUT_SLOT $#\"\n", { mode: 0o755 })
    const output = collectingOutput()
    yield* Job.run({ seq: 9, command: `${script} a`, args: [] }, { slot: 2, output })
    expect(output.collected.stdout.join("")).toBe("9 2 1\n")
    const missing = collectingOutput()
    const failed = failure(
      yield* Effect.exit(Job.run({ seq: 9, command: "/nonexistent/program a", args: [] }, {
        output: missing
      }))
    )
    expect((failed as Job.JobExitError).result.exitCode).toBe(127)
    // the shell's own name leads its message
    expect(missing.collected.stderr.join("")).toMatch(/^\/bin\/sh: .*\/nonexistent\/program/)
  })

  it.live("runs a plain command it cannot exec through the shell, which says why, with the job's variables", () =>
    withHelper(() => unexecutable))

  it.live("in-process, also runs such a command through the shell", () => unexecutable)

  it.live("passes command lines and arguments as bytes, without a shell detour", () =>
    withHelper(() =>
      Effect.gen(function*() {
        const raw = Bytes.decode(Buffer.from([0x61, 0xff, 0xfe, 0x62]))
        const output = collectingOutput()
        const chunks: Array<Uint8Array> = []
        yield* Job.run(spec(["printf", "%s|", raw, "é"]), {
          output: { ...output, stdout: (chunk) => Effect.sync(() => void chunks.push(chunk)) }
        })
        expect(Buffer.concat(chunks)).toEqual(Buffer.from([0x61, 0xff, 0xfe, 0x62, 0x7c, 0xc3, 0xa9, 0x7c]))
        const line: Array<Uint8Array> = []
        yield* Job.run(spec(`printf '%s' ${raw}`), {
          output: { ...output, stdout: (chunk) => Effect.sync(() => void line.push(chunk)) }
        })
        expect(Buffer.concat(line)).toEqual(Buffer.from([0x61, 0xff, 0xfe, 0x62]))
      })
    ))

  it.live("terminates leftovers of a finished job, and the group of a job that times out", () =>
    withHelper(() =>
      Effect.gen(function*() {
        const left = marker()
        yield* Job.run(spec(`sleep ${left} & echo started`))
        expect(livePids(left)).toEqual([])

        const slow = marker()
        const started = Date.now()
        const timedOut = failure(yield* Effect.exit(Job.run(spec(`sleep ${slow} & sleep ${slow}`), { timeout: 300 })))
        expect(timedOut._tag).toBe("JobTimeoutError")
        expect((timedOut as Job.JobTimeoutError).result.timedOut).toBe(true)
        expect(Date.now() - started).toBeLessThan(3_000)
        expect(livePids(slow)).toEqual([])
      })
    ))

  it.live("interrupting a job terminates its group, with a trap that ignores TERM (KILL follows)", () =>
    withHelper(() =>
      Effect.gen(function*() {
        const m = marker()
        const fiber = yield* Effect.fork(Job.run(spec(`trap '' TERM; sleep ${m} & sleep ${m}; wait`)))
        yield* awaitProcesses(m, 2)
        yield* Fiber.interrupt(fiber)
        expect(livePids(m)).toEqual([])
      })
    ))

  it.live("delivers every byte of a large output to a slow sink, with the job held back, not memory", () =>
    withHelper(() =>
      Effect.gen(function*() {
        let bytes = 0
        let pieces = 0
        const output = collectingOutput()
        const result = yield* Job.run(spec("head -c 8388608 /dev/zero"), {
          output: {
            ...output,
            stdout: (chunk) =>
              Effect.suspend(() => {
                bytes += chunk.length
                return ++pieces % 16 === 0 ? Effect.sleep(Duration.millis(1)) : Effect.void
              })
          }
        })
        expect(bytes).toBe(8388608)
        expect(result.stdoutBytes).toBe(8388608)
      })
    ))

  it.live("kill -9 of the helper: running jobs fail with JobRunnerLostError, their groups end, a new helper runs on", () =>
    withHelper((runner) =>
      Effect.gen(function*() {
        const m = marker()
        const first = helperPid(runner)
        const fiber = yield* Effect.fork(
          Batch.run([1, 2, 3].map((seq) => spec(`sleep ${m}; echo never`, seq)), { jobs: 3 })
        )
        yield* awaitProcesses(m, 3)
        process.kill(first, "SIGKILL")
        const summary = yield* Fiber.join(fiber)
        expect(summary.failed).toBe(3)
        expect(summary.failures.map((r) => r.exitCode)).toEqual([255, 255, 255])
        expect(livePids(m)).toEqual([])
        const deadline = Date.now() + 10_000
        while (!helperReady(runner) && Date.now() < deadline) yield* Effect.sleep(5)
        expect(helperPid(runner)).not.toBe(first)
        const result = yield* Job.run(spec("exit 0"))
        expect(result.exitCode).toBe(0)
      })
    ))

  it.live("a helper that dies before it runs a job is replaced five times, then jobs stay in-process", () =>
    Effect.scoped(Effect.gen(function*() {
      const runner = yield* JobRunner.makeHelper({ command: ["sh", "-c", "exit 3"] })
      yield* Effect.provideService(Job.run(spec("sleep 0.1")), JobRunner.JobRunner, runner)
      const deadline = Date.now() + 10_000
      while (runner.unavailable === undefined && Date.now() < deadline) yield* Effect.sleep(5)
      expect(runner.unavailable).toBe("the job runner process exited")
      const result = yield* Effect.provideService(Job.run(spec("exit 0")), JobRunner.JobRunner, runner)
      expect(result.exitCode).toBe(0)
    })))

  it.live("helpers killed after running a job are replaced however often it happens", () =>
    withHelper((runner) =>
      Effect.gen(function*() {
        for (let kill = 1; kill <= 6; kill++) {
          expect((yield* Job.run(spec("exit 0"))).exitCode).toBe(0)
          const pid = helperPid(runner)
          process.kill(pid, "SIGKILL")
          const deadline = Date.now() + 10_000
          while ((!helperReady(runner) || helperPid(runner) === pid) && Date.now() < deadline) {
            yield* Effect.sleep(5)
          }
          expect(runner.unavailable).toBeUndefined()
          expect(helperReady(runner)).toBe(true)
        }
      })
    ))

  it.live("runs a plain command without its shell, and through the shell when it cannot be run", () =>
    withHelper(() =>
      Effect.gen(function*() {
        const output = collectingOutput()
        const result = yield* Job.run(spec("printf %s,%s a=1 b"), { output })
        expect(output.collected.stdout.join("")).toBe("a=1,b")
        expect(result.exitCode).toBe(0)
        const missing = collectingOutput()
        const error = failure(yield* Effect.exit(Job.run(spec("no-such-program-here 1"), { output: missing })))
        expect(error._tag).toBe("JobExitError")
        expect((error as Job.JobExitError).result.exitCode).toBe(127)
        expect(missing.collected.stderr.join("")).toMatch(/no-such-program-here: not found/)
      })
    ))

  it.live("one short job never starts the helper", () =>
    Effect.scoped(Effect.gen(function*() {
      const runner = yield* JobRunner.makeHelper()
      yield* Effect.provideService(Job.run(spec("exit 0")), JobRunner.JobRunner, runner)
      expect((runner as unknown as { current?: unknown }).current).toBeUndefined()
    })))

  it.live("without Perl, jobs are forked in-process", () =>
    Effect.scoped(Effect.gen(function*() {
      const runner = yield* JobRunner.makeHelper({ perl: "/nonexistent/perl" })
      yield* Effect.provideService(Job.run(spec("sleep 0.05")), JobRunner.JobRunner, runner)
      expect(runner.unavailable).toMatch(/cannot start \/nonexistent\/perl/)
      const result = yield* Effect.provideService(Job.run(spec("exit 0")), JobRunner.JobRunner, runner)
      expect(result.exitCode).toBe(0)
    })))
})

describe("kill -9 of the process that owns the helper", () => {
  it("ends every job group it started within a second", async () => {
    const m = marker()
    const script = path.join(here, "fixtures", "runnerOwner.ts")
    const tsx = path.join(here, "..", "..", "..", "node_modules", ".bin", "tsx")
    const owner = spawn(tsx, [script, m, "4"], { stdio: "ignore", detached: true })
    try {
      await Effect.runPromise(awaitProcesses(m, 8))
      // tsx runs the program in a child node process: kill that one, the helper's parent
      const node = execFileSync("pgrep", ["-f", "-P", String(owner.pid), script], { encoding: "utf8" }).trim()
      process.kill(Number(node.split("\n")[0] || owner.pid), "SIGKILL")
      await new Promise((resolve) => setTimeout(resolve, 1_000))
      expect(livePids(m)).toEqual([])
    } finally {
      try {
        process.kill(-owner.pid!, "SIGKILL")
      } catch {
        // gone already
      }
    }
  })
})
